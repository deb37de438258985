"""Roll-ups as records: which evaluations a roll-up stands for, and which roll-up replaced which.

One live roll-up per organisation and year: each evaluation sent to the lead is inside at most one
live roll-up, and rolling up again replaces the earlier one (kept for the record, counted nowhere,
shown to nobody).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Evaluation, Organisation, Rollup, RollupMember, Submission
from storage.parts import forget

__all__ = [
    "LeftBehind",
    "LiveRollup",
    "emptied",
    "leave_rollups",
    "live_rollup",
    "recombined",
    "record_rollup",
]


@dataclass(frozen=True, slots=True)
class LiveRollup:
    rollup_id: int
    evaluation_id: str
    reference: str
    created_at: datetime
    member_ids: list[str]


async def live_rollup(session: AsyncSession, organisation_id: int, year: int) -> LiveRollup | None:
    query = (
        select(Rollup.id, Rollup.evaluation_id, Submission.reference, Rollup.created_at)
        .join(Submission, Submission.evaluation_id == Rollup.evaluation_id)
        .where(Rollup.organisation_id == organisation_id, Rollup.year == year, Rollup.replaced_by.is_(None))
        .order_by(Rollup.id.desc())
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    members = await session.scalars(
        select(RollupMember.evaluation_id).where(RollupMember.rollup_id == row[0])
    )
    return LiveRollup(row[0], row[1], row[2], row[3], sorted(members))


async def lock_organisation(session: AsyncSession, organisation_id: int) -> None:
    """Two roll-ups of one organisation at once wait for each other (PostgreSQL; SQLite has one writer)."""
    await session.execute(select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())


async def record_rollup(
    session: AsyncSession,
    evaluation_id: str,
    organisation_id: int,
    year: int,
    member_ids: Sequence[str],
    by: str,
    now: datetime,
) -> LiveRollup | None:
    """Record the roll-up ``evaluation_id`` of ``member_ids``; returns the live roll-up it replaced."""
    replaced = await live_rollup(session, organisation_id, year)
    result = await session.execute(
        insert(Rollup)
        .values(
            evaluation_id=evaluation_id,
            organisation_id=organisation_id,
            year=year,
            created_at=now,
            created_by=by[:254],
        )
        .returning(Rollup.id)
    )
    rollup_id = result.scalar_one()
    await session.execute(
        insert(RollupMember),
        [{"rollup_id": rollup_id, "evaluation_id": m} for m in dict.fromkeys(member_ids)],
    )
    if replaced is not None:
        await session.execute(
            update(Rollup)
            .where(Rollup.id == replaced.rollup_id)
            .values(replaced_by=rollup_id, replaced_at=now)
        )
    return replaced


@dataclass(frozen=True, slots=True)
class LeftBehind:
    """A roll-up that an erased evaluation was part of, with what is left of it."""

    evaluation_id: str  # the roll-up's own evaluation
    answers: Any  # its combined answers as they were (for its note and reference)
    members: list[Any]  # the answers of the members left, oldest first


async def leave_rollups(connection: AsyncConnection, evaluation_id: str) -> list[LeftBehind]:
    """The evaluation is no longer part of any roll-up (live or replaced): its membership goes, and
    each roll-up it was in is returned with its remaining members, to be combined again."""
    rollups = (
        await connection.execute(
            select(Rollup.id, Rollup.evaluation_id, Evaluation.answers)
            .join(RollupMember, RollupMember.rollup_id == Rollup.id)
            .join(Evaluation, Evaluation.id == Rollup.evaluation_id)
            .where(RollupMember.evaluation_id == evaluation_id)
        )
    ).all()
    await connection.execute(delete(RollupMember).where(RollupMember.evaluation_id == evaluation_id))
    left: list[LeftBehind] = []
    for rollup_id, rollup_evaluation, answers in rollups:
        members = await connection.execute(
            select(Evaluation.answers)
            .join(RollupMember, RollupMember.evaluation_id == Evaluation.id)
            .outerjoin(Submission, Submission.evaluation_id == Evaluation.id)
            .where(RollupMember.rollup_id == rollup_id)
            .order_by(Submission.queued_at, Evaluation.id)
        )
        left.append(LeftBehind(rollup_evaluation, answers, [m for (m,) in members]))
    return left


async def recombined(connection: AsyncConnection, rollup_evaluation_id: str, answers: Any) -> None:
    """The roll-up now says ``answers`` (combined again without an erased member); its parts are read
    again before the next collation."""
    await connection.execute(
        update(Evaluation)
        .where(Evaluation.id == rollup_evaluation_id)
        .values(answers=answers, version=Evaluation.version + 1)
    )
    await forget(connection, rollup_evaluation_id)


async def emptied(connection: AsyncConnection, rollup_evaluation_id: str) -> None:
    """A roll-up whose every member was erased stands for nobody: it is erased too (its answers were
    theirs), from the queue, the collation and every page."""
    await connection.execute(
        update(Evaluation)
        .where(Evaluation.id == rollup_evaluation_id)
        .values(answers={}, status="deleted", version=Evaluation.version + 1)
    )
    await forget(connection, rollup_evaluation_id)
    await connection.execute(delete(Submission).where(Submission.evaluation_id == rollup_evaluation_id))
