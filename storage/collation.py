"""Collation queries: the evaluations a viewer's collation and export count, year by year.

Which evaluations count is ``storage.access.counted``: what the viewer sees whole, less those
combined into a live roll-up (the roll-up stands for them). Each counts in its submission's
``year``: the UTC year it was sent, or for a roll-up, its members' year. So an evaluation counts
once, and never in another year. The figures themselves are worked out in ``bot.board.collation``
with the one reader of stored answers (``dialogs.stored``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Viewer, counted
from storage.models import Evaluation, ListedOrganisation, Organisation, Rollup, RollupMember, Submission

__all__ = ["SentRow", "counted_rows", "counted_years", "first_years", "rollup_member_rows"]


class SentRow(NamedTuple):
    """One evaluation as the collation and export read it (a named tuple: a year has many)."""

    evaluation_id: str
    reference: str
    year: int
    queued_at: datetime
    organisation_id: int | None
    organisation: str
    listed: bool  # on the board's list (else a typed name still to check)
    scope: str
    language: str
    answers: Any
    rollup_id: str  # for a roll-up's member: the roll-up's evaluation id; else ""


_LISTED = exists().where(ListedOrganisation.organisation_id == Evaluation.organisation_id)


def _columns(rollup: Any) -> tuple[Any, ...]:
    return (
        Evaluation.id,
        Submission.reference,
        Submission.year,
        Submission.queued_at,
        Evaluation.organisation_id,
        func.coalesce(Organisation.name, ""),
        _LISTED,
        func.coalesce(Evaluation.scope, ""),
        Evaluation.language,
        Evaluation.answers,
        rollup,
    )


def _base(viewer: Viewer, organisation_id: int | None, rollup: Any) -> Any:
    query = (
        select(*_columns(rollup))
        .select_from(Evaluation)
        .join(Submission, Submission.evaluation_id == Evaluation.id)
        .outerjoin(Organisation, Organisation.id == Evaluation.organisation_id)
    )
    if organisation_id is not None:
        query = query.where(Evaluation.organisation_id == organisation_id)
    return query


async def _rows(session: AsyncSession, query: Any) -> list[SentRow]:
    """Plain rows through the connection: the ORM adds nothing here but time."""
    connection = await session.connection()
    return [SentRow(*row) for row in await connection.execute(query)]


async def counted_rows(
    session: AsyncSession, viewer: Viewer, years: Sequence[int] | None, organisation_id: int | None = None
) -> list[SentRow]:
    """What the viewer's collation counts in ``years`` (None: every year), oldest first."""
    query = _base(viewer, organisation_id, literal("")).where(counted(viewer))
    if years is not None:
        query = query.where(Submission.year.in_(list(years)))
    return await _rows(session, query.order_by(Submission.queued_at, Submission.reference))


async def rollup_member_rows(
    session: AsyncSession, viewer: Viewer, year: int | None, organisation_id: int | None = None
) -> list[SentRow]:
    """Each team's contribution to a live roll-up the viewer counts: in the export, not the figures."""
    counted_ids = select(Evaluation.id).where(counted(viewer))  # the roll-ups themselves
    query = (
        _base(viewer, organisation_id, Rollup.evaluation_id)
        .join(RollupMember, RollupMember.evaluation_id == Evaluation.id)
        .join(Rollup, Rollup.id == RollupMember.rollup_id)
        .where(Rollup.replaced_by.is_(None), Rollup.evaluation_id.in_(counted_ids))
        .where(Evaluation.status == "submitted")
    )
    if year is not None:
        query = query.where(Rollup.year == year)
    return await _rows(session, query.order_by(Submission.queued_at, Submission.reference))


async def counted_years(session: AsyncSession, viewer: Viewer) -> list[int]:
    """The years in which the viewer's collation counts anything, oldest first."""
    query = select(Submission.year).distinct().join(Evaluation, Evaluation.id == Submission.evaluation_id)
    connection = await session.connection()
    return sorted(int(y) for (y,) in await connection.execute(query.where(counted(viewer))))


async def first_years(session: AsyncSession, viewer: Viewer) -> dict[int, int]:
    """Organisation id -> the first year the viewer's collation counts anything of it (its baseline)."""
    query = (
        select(Evaluation.organisation_id, func.min(Submission.year))
        .join(Submission, Submission.evaluation_id == Evaluation.id)
        .where(counted(viewer), Evaluation.organisation_id.is_not(None))
        .group_by(Evaluation.organisation_id)
    )
    connection = await session.connection()
    return {int(org or 0): int(first) for org, first in await connection.execute(query)}
