"""Small inline SVG charts for the collation page and the annual report: no libraries, no script.

Each chart scales to its container (a viewBox, width 100%) and stays readable on a 360 px phone;
it is one image to a screen reader (role="img", an aria-label and a <title>), with the figures in a
<desc>. Every piece of text is escaped, so a name typed by anyone cannot become markup.
"""

from __future__ import annotations

from html import escape

__all__ = ["distribution_svg", "means_svg"]

BAR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
TEXT = "#0b0c0c"
AXIS = "#505a5f"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _number(value: float) -> str:
    return f"{value:.2f}"  # as the collation rounds means: 4.00 beside 3.67, never a bare 4


def _open(width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{_e(title)}" preserveAspectRatio="xMidYMid meet" '
        f'style="max-width:{width * 2}px;height:auto" {FONT}>'
        f"<title>{_e(title)}</title><desc>{_e(desc)}</desc>"
    )


def distribution_svg(distribution: dict[int, int], title: str) -> str:
    """A bar for each score from 1 to 5, its count written above it."""
    counts = [max(0, int(distribution.get(score, 0))) for score in range(1, 6)]
    width, height = 320, 190
    left, right, top, bottom = 12, 12, 36, 34
    plot_h = height - top - bottom
    slot = (width - left - right) / 5
    bar_w = slot * 0.6
    tallest = max(counts) or 1
    total = sum(counts)
    desc = "; ".join(f"score {s}: {c}" for s, c in zip(range(1, 6), counts, strict=True))
    parts = [
        _open(width, height, title, f"{desc}. {total} in all."),
        f'<text x="{left}" y="18" font-size="14" font-weight="bold" fill="{TEXT}">{_e(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{AXIS}" stroke-width="1"/>',
    ]
    for index, count in enumerate(counts):
        centre = left + slot * index + slot / 2
        bar_h = plot_h * count / tallest
        y = top + plot_h - bar_h
        if count:
            parts.append(
                f'<rect x="{centre - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
                f'fill="{BAR}" rx="2"/>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 5:.1f}" font-size="13" text-anchor="middle" '
            f'fill="{TEXT}">{count}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 18}" font-size="13" text-anchor="middle" '
            f'fill="{TEXT}">{index + 1}</text>'
        )
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height - 2}" font-size="11" text-anchor="middle" '
        f'fill="{AXIS}">Score</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def means_svg(means: dict[str, float | None], labels: dict[str, str], title: str) -> str:
    """A horizontal bar from 0 to 5 for each mean, in the order given; an empty one says so."""
    width = 360
    label_w, value_w, row_h, top = 118, 52, 30, 34
    left = label_w + 8
    plot_w = width - left - value_w
    height = top + row_h * max(1, len(means)) + 26
    desc = "; ".join(
        f"{labels.get(key, key)}: {_number(value) if value is not None else 'no scores'}"
        for key, value in means.items()
    )
    parts = [
        _open(width, height, title, f"Average score out of 5. {desc}."),
        f'<text x="4" y="18" font-size="14" font-weight="bold" fill="{TEXT}">{_e(title)}</text>',
    ]
    for index, (key, value) in enumerate(means.items()):
        y = top + row_h * index
        label = labels.get(key, key)
        short = label if len(label) <= 18 else label[:17] + "…"
        parts.append(
            f'<text x="{label_w}" y="{y + 19}" font-size="13" text-anchor="end" fill="{TEXT}">'
            f"{_e(short)}</text>"
        )
        parts.append(f'<rect x="{left}" y="{y + 6}" width="{plot_w}" height="18" fill="#f3f2f1" rx="2"/>')
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 19}" font-size="12" fill="{AXIS}">no scores</text>')
            continue
        share = min(max(value, 0.0), 5.0) / 5
        parts.append(
            f'<rect x="{left}" y="{y + 6}" width="{plot_w * share:.1f}" height="18" fill="{BAR}" rx="2"/>'
        )
        parts.append(
            f'<text x="{left + plot_w + 6}" y="{y + 19}" font-size="13" fill="{TEXT}">'
            f"{_e(_number(value))}</text>"
        )
    axis_y = top + row_h * max(1, len(means)) + 4
    for tick in range(6):
        x = left + plot_w * tick / 5
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 14}" font-size="11" text-anchor="middle" fill="{AXIS}">'
            f"{tick}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
