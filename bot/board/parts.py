"""Reading a sent evaluation's answers into the parts the collation counts (``storage.parts``).

With the one reader of stored answers (``dialogs.stored``), so the parts say what the collation, the
export and the roll-up read: only approaches the content knows and the evaluation lists, a score
only on the content's scale, a typed need only while "something else" is chosen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.stored import Shape, StoredApproach, StoredEvaluation, read_answers
from storage import parts as parts_store
from storage.parts import Part

__all__ = ["BATCH", "answered", "parts_of", "read_unread", "unanswered"]

BATCH = 2_000  # evaluations read in one transaction: short, so a chat's turn never waits long


def answered(given: StoredApproach) -> bool:
    """Anything given in this part at all: a part with nothing counts as not answered."""
    return bool(
        given.checklist
        or given.score is not None
        or given.confidence
        or given.story
        or given.support
        or given.action
    )


def unanswered(answers: Any, stored: StoredEvaluation, shape: Shape) -> list[str]:
    """The approaches the evaluation lists (so it asked them) with nothing stored at all: parts the
    person skipped whole, which the reader leaves out; in the content's order."""
    listed = answers.get("approaches") if isinstance(answers, dict) else None
    asked = {a for a in listed if type(a) is str} if isinstance(listed, list) else set()
    given = {a.approach_id for a in stored.approaches}
    return [a for a in shape.approach_ids if a in asked and a not in given]


def parts_of(answers: Any, shape: Shape) -> list[Part]:
    """Every part the evaluation asked: with its answers, or answered False when skipped whole."""
    stored = read_answers(answers, shape)
    found = {
        a.approach_id: Part(a.approach_id, answered(a), a.score, bool(a.story), a.support, a.support_other)
        for a in stored.approaches
    }
    found.update({a: Part(a, False, None, False, (), "") for a in unanswered(answers, stored, shape)})
    return [found[a] for a in shape.approach_ids if a in found]


def _read(found: Sequence[tuple[str, Any]], shape: Shape) -> dict[str, list[Part]]:
    return {evaluation_id: parts_of(answers, shape) for evaluation_id, answers in found}


async def read_unread(sessions: async_sessionmaker[AsyncSession], shape: Shape) -> int:
    """Read every sent evaluation whose parts are not stored yet, a batch at a time: fetched in a
    read (never waiting for a writer), read on a worker thread, written in a short write; returns
    how many were stored here (not by another process meanwhile)."""
    stored = 0
    while True:
        async with sessions() as session:
            found = await parts_store.unread(await session.connection(), BATCH)
        if not found:
            return stored
        parts = await asyncio.to_thread(_read, found, shape)
        async with sessions.begin() as session:
            stored += await parts_store.write(await session.connection(), parts)
