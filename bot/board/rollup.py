"""Rolling team evaluations up into one organisational evaluation, as the framework's example does
(directorates, then the organisation, then the board)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import mean
from typing import Any

__all__ = ["combine"]

CONFIDENCE_ORDER = ("low", "some", "high")


def _who(answers: dict[str, Any]) -> str:
    return str(answers.get("unit") or answers.get("activity") or answers.get("organisation") or "")


def _joined(parts: Sequence[tuple[str, str | None]]) -> str | None:
    lines = [f"{who}: {text}" if who else text for who, text in parts if text]
    return "\n\n".join(lines) or None


def _approach(parts: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    scores = [p["score"] for _, p in parts if p.get("score")]
    others = [(who, p.get("support_other")) for who, p in parts if "other" in (p.get("support") or [])]
    confidences = [p["confidence"] for _, p in parts if p.get("confidence") in CONFIDENCE_ORDER]
    support: Counter[str] = Counter(s for _, p in parts for s in p.get("support") or [])
    return {
        "checklist": {},
        "score": int(mean(scores) + 0.5) if scores else None,  # halves round up, as people expect
        "suggested_score": None,
        # the most careful view wins: a team that is unsure is a reason for support
        "confidence": min(confidences, key=CONFIDENCE_ORDER.index) if confidences else None,
        "story": _joined([(who, p.get("story")) for who, p in parts]),
        "support": [s for s, _ in support.most_common()],
        "support_other": _joined(others),
        "action": _joined([(who, p.get("action")) for who, p in parts]),
    }


def combine(
    evaluations: Sequence[dict[str, Any]], note: str = "", evaluation_ids: Sequence[str] = ()
) -> dict[str, Any]:
    """One set of answers: per approach the mean score (rounded), the stories, help and actions of
    every team (named), and the most careful confidence."""
    order = ("connecting", "communicating", "equalising", "trusting", "celebrating")
    by_approach: dict[str, dict[str, Any]] = {}
    for approach in order:
        parts = [
            (_who(e), e.get("by_approach", {}).get(approach))
            for e in evaluations
            if approach in (e.get("approaches") or [])  # only approaches the team still picked
        ]
        given = [(who, part) for who, part in parts if part]
        if given:
            by_approach[approach] = _approach(given)
    first = evaluations[0] if evaluations else {}
    return {
        "scope": "rollup",
        "level": "organisation",
        "organisation": first.get("organisation"),
        "unit": note.strip() or None,
        "activity": None,
        "approaches": [a for a in order if a in by_approach],
        "by_approach": by_approach,
        "notes": [],
        "reference": None,
        "rollup_of": [_who(e) for e in evaluations],
        "rollup_ids": list(evaluation_ids),  # the collation counts these once, through the roll-up
    }
