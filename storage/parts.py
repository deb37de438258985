"""Each sent evaluation's parts (one row per approach) as the collation counts them.

The board reads the answers into parts (``bot.board.parts``: this package reads no content) and
writes them here, at submit or on its next collation; ``submissions.parts_read`` says which
evaluations are done. Anything that changes a sent evaluation's answers (a roll-up whose member was
erased) calls ``forget``, and its parts are read again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Evaluation, EvaluationPart, Submission

__all__ = ["Part", "decode_support", "forget", "unread", "write"]


class Part(NamedTuple):
    approach_id: str
    answered: bool  # anything given in this part at all
    score: int | None
    story: bool
    support: tuple[str, ...]  # option ids, in the order chosen
    support_other: str  # the typed need, or ""


def decode_support(stored: str) -> list[str]:
    found = json.loads(stored)
    return [s for s in found if isinstance(s, str)] if isinstance(found, list) else []


async def unread(connection: AsyncConnection, limit: int) -> list[tuple[str, Any]]:
    """Up to ``limit`` sent evaluations whose parts are still to be read: (id, answers)."""
    query = (
        select(Evaluation.id, Evaluation.answers)
        .join(Submission, Submission.evaluation_id == Evaluation.id)
        .where(Submission.parts_read.is_(False))
        .limit(limit)
    )
    return [(row[0], row[1]) for row in await connection.execute(query)]


async def write(connection: AsyncConnection, parts: Mapping[str, Sequence[Part]]) -> int:
    """Store the parts of these evaluations, unless another process stored them first; returns how
    many evaluations this call stored (the claim on ``parts_read`` makes two runs write once)."""
    if not parts:
        return 0
    claimed = await connection.execute(
        update(Submission)
        .where(Submission.evaluation_id.in_(list(parts)), Submission.parts_read.is_(False))
        .values(parts_read=True)
        .returning(Submission.evaluation_id)
    )
    ids = [row[0] for row in claimed]
    if not ids:
        return 0
    await connection.execute(delete(EvaluationPart).where(EvaluationPart.evaluation_id.in_(ids)))
    rows = [
        {
            "evaluation_id": evaluation_id,
            "approach_id": part.approach_id,
            "answered": part.answered,
            "score": part.score,
            "story": part.story,
            "support": json.dumps(list(part.support), ensure_ascii=False),
            "support_other": part.support_other or None,
        }
        for evaluation_id in ids
        for part in parts[evaluation_id]
    ]
    for start in range(0, len(rows), 5_000):
        await connection.execute(insert(EvaluationPart), rows[start : start + 5_000])
    return len(ids)


async def forget(connection: AsyncConnection, evaluation_id: str) -> None:
    """The evaluation's parts go (erased, or to be read again from changed answers)."""
    await connection.execute(delete(EvaluationPart).where(EvaluationPart.evaluation_id == evaluation_id))
    await connection.execute(
        update(Submission).where(Submission.evaluation_id == evaluation_id).values(parts_read=False)
    )
