"""Collation queries: the evaluations a viewer's collation and export count, year by year.

Which evaluations count is ``storage.access.counted``: what the viewer sees whole, less those
combined into a live roll-up (the roll-up stands for them). Each counts in its submission's
``year``: the UTC year it was sent, or for a roll-up, its members' year. So an evaluation counts
once, and never in another year. The figures themselves are worked out in ``bot.board.collation``
with the one reader of stored answers (``dialogs.stored``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Column, Integer, MetaData, String, Table, and_, case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.access import Viewer, counted
from storage.models import (
    Evaluation,
    EvaluationPart,
    ListedOrganisation,
    Organisation,
    Rollup,
    RollupMember,
    Submission,
    UTCDateTime,
)
from storage.parts import decode_support

__all__ = [
    "Counted",
    "SentRow",
    "Sums",
    "YearSums",
    "counted_rows",
    "counted_years",
    "first_years",
    "rollup_member_rows",
    "year_sums",
]


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


# -- the figures' sums, in the database ------------------------------------------------------------
#
# The access rule is asked once per collation: the evaluations it counts up to the year go into a
# temporary table, and every sum is SQL over that table joined with ``evaluation_parts`` (one small
# row per approach, see ``storage.parts``), restricted to the approaches and scores the caller's
# content knows. The database adds up; Python only divides (``bot.board.collation``).


class Sums(NamedTuple):
    """One group's parts of one approach: how many gave each score (in the order of the scale), how
    many parts were asked and answered, and how many told a story with a strength score."""

    key: tuple[Any, ...]  # (scope,) or (organisation id,), or for the baselines (organisation id, year)
    approach_id: str
    counts: tuple[int, ...]
    asked: int
    answered: int


class Counted(NamedTuple):
    organisation_id: int | None
    organisation: str
    listed: bool
    scope: str
    evaluations: int


@dataclass(frozen=True, slots=True)
class YearSums:
    """What the collation of a year is worked out from: sums, small lists, and a few whole rows."""

    by_scope: list[Sums]
    by_organisation: list[Sums]
    baselines: list[Sums]  # each organisation's first year (before this one), by (organisation, year)
    first_years: dict[int, int]  # organisation id -> the first year anything of it counted
    counts: list[Counted]  # evaluations by organisation and scope
    support: list[tuple[str, list[str], int]]  # approach, the options chosen together, how many
    typed: list[tuple[str, str, datetime, str]]  # typed need, approach, when sent, reference
    stories: int  # parts with a story and a strength score
    first_stories: list[tuple[str, str]]  # (evaluation id, approach) of the first ones, in order
    story_rows: dict[str, SentRow]  # those evaluations, whole
    last_year: dict[int, str]  # organisation id -> name, for what counted the year before


_STEP = "collation_counted"


def _counted_table(name: str) -> Table:
    """The counted evaluations, for one collation: temporary, dropped at the end (PostgreSQL drops it
    at commit as well)."""
    return Table(
        name,
        MetaData(),
        Column("id", String(32), primary_key=True),
        Column("year", Integer, nullable=False),
        Column("organisation_id", Integer),
        Column("scope", String(16), nullable=False),
        Column("queued_at", UTCDateTime(), nullable=False),
        Column("reference", String(32), nullable=False),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )


def _sums_query(table: Table, keys: list[Any], approach_ids: Sequence[str], scores: Sequence[int]) -> Any:
    return (
        select(
            *keys,
            EvaluationPart.approach_id,
            func.count(),
            func.sum(case((EvaluationPart.answered, 1), else_=0)),
            *[func.sum(case((EvaluationPart.score == s, 1), else_=0)) for s in scores],
        )
        .select_from(table)
        .join(EvaluationPart, EvaluationPart.evaluation_id == table.c.id)
        .where(EvaluationPart.approach_id.in_(list(approach_ids)))
        .group_by(*keys, EvaluationPart.approach_id)
    )


async def _sums(connection: AsyncConnection, query: Any, keys: int) -> list[Sums]:
    return [
        Sums(
            tuple(row[:keys]),
            row[keys],
            tuple(int(c or 0) for c in row[keys + 3 :]),
            int(row[keys + 1]),
            int(row[keys + 2] or 0),
        )
        for row in await connection.execute(query)
    ]


async def year_sums(
    session: AsyncSession,
    viewer: Viewer,
    year: int,
    approach_ids: Sequence[str],
    scores: Sequence[int],
    strength: Sequence[int],
    stories_shown: int,
) -> YearSums:
    """Everything the viewer's collation of ``year`` needs, summed in the database."""
    connection = await session.connection()
    table = _counted_table(f"{_STEP}_{secrets.token_hex(4)}")
    await connection.run_sync(table.create)
    try:
        return await _year_sums(
            connection, table, viewer, year, approach_ids, scores, strength, stories_shown
        )
    finally:
        await connection.run_sync(table.drop, checkfirst=True)


async def _year_sums(
    connection: AsyncConnection,
    table: Table,
    viewer: Viewer,
    year: int,
    approach_ids: Sequence[str],
    scores: Sequence[int],
    strength: Sequence[int],
    stories_shown: int,
) -> YearSums:
    counted_up_to = (
        select(
            Evaluation.id,
            Submission.year,
            Evaluation.organisation_id,
            func.coalesce(Evaluation.scope, ""),
            Submission.queued_at,
            Submission.reference,
        )
        .join(Submission, Submission.evaluation_id == Evaluation.id)
        .where(counted(viewer), Submission.year <= year)
    )
    await connection.execute(table.insert().from_select([c.name for c in table.c], counted_up_to))
    c = table.c
    first_years = {
        int(org): int(first)
        for org, first in await connection.execute(
            select(c.organisation_id, func.min(c.year))
            .where(c.organisation_id.is_not(None))
            .group_by(c.organisation_id)
        )
    }
    by_scope = await _sums(
        connection, _sums_query(table, [c.scope], approach_ids, scores).where(c.year == year), 1
    )
    by_organisation = await _sums(
        connection,
        _sums_query(table, [c.organisation_id], approach_ids, scores).where(
            c.year == year, c.organisation_id.is_not(None)
        ),
        1,
    )
    first = (
        select(c.organisation_id.label("organisation_id"), func.min(c.year).label("first"))
        .group_by(c.organisation_id)
        .subquery("first")
    )
    baselines = await _sums(
        connection,
        _sums_query(table, [c.organisation_id, c.year], approach_ids, scores)
        .join(first, and_(first.c.organisation_id == c.organisation_id, first.c.first == c.year))
        .where(c.year < year),
        2,
    )
    listed = exists().where(ListedOrganisation.organisation_id == c.organisation_id)
    counts = [
        Counted(r[0], r[1], bool(r[2]), r[3], int(r[4]))
        for r in await connection.execute(
            select(c.organisation_id, func.coalesce(Organisation.name, ""), listed, c.scope, func.count())
            .select_from(table)
            .outerjoin(Organisation, Organisation.id == c.organisation_id)
            .where(c.year == year)
            .group_by(c.organisation_id, Organisation.name, c.scope)
        )
    ]
    parts = (
        select(EvaluationPart)
        .join(table, c.id == EvaluationPart.evaluation_id)
        .where(c.year == year, EvaluationPart.approach_id.in_(list(approach_ids)))
    )
    support = [
        (a, decode_support(chosen), int(n))
        for a, chosen, n in await connection.execute(
            parts.with_only_columns(EvaluationPart.approach_id, EvaluationPart.support, func.count())
            .where(EvaluationPart.support != "[]")
            .group_by(EvaluationPart.approach_id, EvaluationPart.support)
        )
    ]
    typed = [
        (t, a, q, r)
        for t, a, q, r in await connection.execute(
            parts.with_only_columns(
                EvaluationPart.support_other, EvaluationPart.approach_id, c.queued_at, c.reference
            ).where(EvaluationPart.support_other.is_not(None))
        )
    ]
    told = parts.where(EvaluationPart.score.in_(list(strength)), EvaluationPart.story)
    stories = int(await connection.scalar(told.with_only_columns(func.count())) or 0)
    order = case({a: i for i, a in enumerate(approach_ids)}, value=EvaluationPart.approach_id)
    first_stories = [
        (e, a)
        for e, a in await connection.execute(
            told.with_only_columns(EvaluationPart.evaluation_id, EvaluationPart.approach_id)
            .order_by(EvaluationPart.score.desc(), c.queued_at, c.reference, order)
            .limit(stories_shown)
        )
    ]
    story_rows: dict[str, SentRow] = {}
    if first_stories:
        whole = _base(viewer, None, literal("")).where(Evaluation.id.in_({e for e, _ in first_stories}))
        story_rows = {row[0]: SentRow(*row) for row in await connection.execute(whole)}
    last_year = {
        int(o): n
        for o, n in await connection.execute(
            select(c.organisation_id, Organisation.name)
            .join(Organisation, Organisation.id == c.organisation_id)
            .where(c.year == year - 1)
            .distinct()
        )
    }
    return YearSums(
        by_scope=by_scope,
        by_organisation=by_organisation,
        baselines=baselines,
        first_years=first_years,
        counts=counts,
        support=support,
        typed=typed,
        stories=stories,
        first_stories=first_stories,
        story_rows=story_rows,
        last_year=last_year,
    )
