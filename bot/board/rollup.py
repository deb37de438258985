"""Rolling team evaluations up into one organisational evaluation, as the framework's example does
(teams and directorates, then the organisation, then the board).

The parts are read with the one reader of stored answers (``dialogs.stored``), so the approaches,
the scale and the confidence levels are the content's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from dialogs.stored import Shape, StoredApproach, StoredEvaluation, read_answers
from storage import rollups as rollup_store

__all__ = ["combine", "withdraw"]


def _joined(parts: Sequence[tuple[str, str]]) -> str | None:
    lines = [f"{who}: {text}" if who else text for who, text in parts if text]
    return "\n\n".join(lines) or None


def _mean_score(scores: Sequence[int], shape: Shape) -> int | None:
    if not scores:
        return None
    mean = (Decimal(sum(scores)) / Decimal(len(scores))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return shape.score(int(mean))  # halves round up, as people expect


def _approach(parts: list[tuple[str, StoredApproach]], shape: Shape) -> dict[str, Any]:
    scores = [p.score for _, p in parts if p.score is not None]
    confidences = [p.confidence for _, p in parts if p.confidence is not None]
    support: Counter[str] = Counter(s for _, p in parts for s in p.support)
    return {
        "checklist": {},
        "score": _mean_score(scores, shape),
        "suggested_score": None,
        # the most careful view wins: a team that is unsure is a reason for support
        "confidence": min(confidences, key=shape.confidences.index) if confidences else None,
        "story": _joined([(who, p.story) for who, p in parts]),
        "support": [s for s, _ in support.most_common()],
        "support_other": _joined([(who, p.support_other) for who, p in parts if p.support_other]),
        "action": _joined([(who, p.action) for who, p in parts]),
    }


def combine(evaluations: Sequence[Any], shape: Shape, note: str = "") -> dict[str, Any]:
    """One set of answers from the stored answers of each part: per approach the mean score (halves
    up), the stories, help and actions of every team (named), and the most careful confidence."""
    stored: list[StoredEvaluation] = [read_answers(e, shape) for e in evaluations]
    by_approach: dict[str, dict[str, Any]] = {}
    for approach_id in shape.approach_ids:
        parts = [(s.who, a) for s in stored for a in s.approaches if a.approach_id == approach_id]
        if parts:
            by_approach[approach_id] = _approach(parts, shape)
    return {
        "scope": "rollup",
        "level": "organisation",
        "organisation": stored[0].organisation if stored else None,
        "unit": note.strip() or None,
        "activity": None,
        "approaches": list(by_approach),
        "by_approach": by_approach,
        "notes": [],
        "reference": None,
        "rollup_of": [s.who for s in stored],
    }


async def withdraw(connection: AsyncConnection, evaluation_id: str, shape: Shape) -> int:
    """An erased evaluation leaves every roll-up it was part of: each is combined again from the
    members left (keeping its note and reference), or erased when none is left. Returns how many
    roll-ups changed. Runs in the erasing transaction, so nobody sees it half done."""
    left = await rollup_store.leave_rollups(connection, evaluation_id)
    for rollup in left:
        if not rollup.members:
            await rollup_store.emptied(connection, rollup.evaluation_id)
            continue
        before = rollup.answers if isinstance(rollup.answers, dict) else {}
        answers = combine(rollup.members, shape, str(before.get("unit") or ""))
        answers["reference"] = before.get("reference")
        await rollup_store.recombined(connection, rollup.evaluation_id, answers)
    return len(left)
