"""Fitting text into WhatsApp messages: 4096 characters a text, 1024 the body of buttons or a list."""

from __future__ import annotations

__all__ = ["BODY_LIMIT", "TEXT_LIMIT", "pieces", "shorten"]

TEXT_LIMIT = 4096
BODY_LIMIT = 1024  # the words above reply buttons or a list
ELLIPSIS = "…"


def pieces(text: str, last: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most TEXT_LIMIT characters, the last at most ``last`` (it carries the buttons),
    broken at a paragraph, line or space, never mid-word (unless one word alone is longer)."""
    rest = text.strip()
    if len(rest) <= last:
        return [rest]
    start = len(rest) - last
    window = rest[start:]
    cut = start
    for separator in ("\n\n", "\n", " "):
        position = window.find(separator)
        if 0 <= position < len(window) // 2:
            cut = start + position
            break
    return [*_split(rest[:cut].rstrip()), rest[cut:].strip()]


def _split(text: str) -> list[str]:
    found: list[str] = []
    rest = text
    while len(rest) > TEXT_LIMIT:
        cut = _cut(rest[: TEXT_LIMIT + 1])
        found.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*found, rest] if rest else found


def _cut(window: str) -> int:
    """Where to break: the last paragraph or line break in the second half, else the last space."""
    for separator in ("\n\n", "\n"):
        position = window.rfind(separator)
        if position > TEXT_LIMIT // 2:
            return position
    position = window.rfind(" ")
    return position if position > 0 else TEXT_LIMIT


def shorten(label: str, limit: int) -> str:
    """A title that fits: whole words and an ellipsis when the label is longer than ``limit``."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    room = label[: limit - len(ELLIPSIS) + 1]
    space = room.rfind(" ")
    kept = room[:space] if space > limit // 2 else room[: limit - len(ELLIPSIS)]
    return kept.rstrip(" ,.;:-") + ELLIPSIS
