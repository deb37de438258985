"""Collation queries: the evaluations a viewer's collation and export count, year by year.

Which evaluations count is ``storage.access.counted``: what the viewer sees whole, less those
combined into a live roll-up (the roll-up stands for them). Each counts in its submission's
``year``: the UTC year it was sent, or for a roll-up, its members' year. So an evaluation counts
once, and never in another year. The figures themselves are worked out in ``bot.board.collation``
with the one reader of stored answers (``dialogs.stored``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
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

__all__ = [
    "Counted",
    "SentRow",
    "Sums",
    "YearSums",
    "counted_query",
    "counted_rows",
    "counted_years",
    "first_years",
    "rollup_member_query",
    "rollup_member_rows",
    "streamed",
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


def counted_query(viewer: Viewer, years: Sequence[int] | None, organisation_id: int | None = None) -> Any:
    """What the viewer's collation counts in ``years`` (None: every year), oldest first."""
    query = _base(viewer, organisation_id, literal("")).where(counted(viewer))
    if years is not None:
        query = query.where(Submission.year.in_(list(years)))
    return query.order_by(Submission.queued_at, Submission.reference)


async def counted_rows(
    session: AsyncSession, viewer: Viewer, years: Sequence[int] | None, organisation_id: int | None = None
) -> list[SentRow]:
    """What the viewer's collation counts in ``years`` (None: every year), oldest first."""
    return await _rows(session, counted_query(viewer, years, organisation_id))


def rollup_member_query(viewer: Viewer, year: int | None, organisation_id: int | None = None) -> Any:
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
    return query.order_by(Submission.queued_at, Submission.reference)


async def rollup_member_rows(
    session: AsyncSession, viewer: Viewer, year: int | None, organisation_id: int | None = None
) -> list[SentRow]:
    """Each team's contribution to a live roll-up the viewer counts: in the export, not the figures."""
    return await _rows(session, rollup_member_query(viewer, year, organisation_id))


async def streamed(session: AsyncSession, query: Any, size: int) -> AsyncIterator[list[SentRow]]:
    """The query's rows ``size`` at a time, from a server-side cursor: memory holds one batch."""
    connection = await session.connection()
    result = await connection.stream(query)
    async for partition in result.partitions(size):
        yield [SentRow(*row) for row in partition]


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
# temporary table (in the order they were sent), and every sum is SQL over that table joined with
# ``evaluation_parts`` (one small row per approach, see ``storage.parts``). One grouped pass gives
# every score, completeness, story and support count, by scope and organisation, for the year and
# for each organisation's first year; the database adds up, Python only divides
# (``bot.board.collation``) and drops any approach the caller's content does not know.


class Sums(NamedTuple):
    """The parts of one approach in one group of evaluations (a year, a scope, an organisation)."""

    year: int
    scope: str
    organisation_id: int | None
    approach_id: str
    counts: tuple[int, ...]  # how many gave each score, in the order of the scale asked for
    asked: int  # parts (the evaluations that asked about the approach)
    answered: int  # parts with anything given
    stories: int  # parts with a story and a strength score
    support: tuple[int, ...]  # how many chose each support option, in the order asked for


class Counted(NamedTuple):
    organisation_id: int | None
    organisation: str
    listed: bool
    scope: str
    evaluations: int


@dataclass(frozen=True, slots=True)
class YearSums:
    """What the collation of a year is worked out from: sums, small lists, and a few whole rows."""

    sums: list[Sums]  # the year's, and each organisation's first year's (when before it)
    first_years: dict[int, int]  # organisation id -> the first year anything of it counted
    counts: list[Counted]  # the year's evaluations by organisation and scope
    typed: list[tuple[str, str]]  # (typed need, approach) in the order they were sent
    first_stories: list[tuple[str, str]]  # (evaluation id, approach) of the best stories, in order
    story_rows: dict[str, SentRow]  # those evaluations, whole
    last_year: dict[int, str]  # organisation id -> name, for what counted the year before


WORK_MEM = "64MB"  # PostgreSQL's, for this transaction only: its default 4 MB spills the sums to disk


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


async def year_sums(
    session: AsyncSession,
    viewer: Viewer,
    year: int,
    approach_ids: Sequence[str],
    scores: Sequence[int],
    strength: Sequence[int],
    options: Sequence[str],
    stories_shown: int,
) -> YearSums:
    """Everything the viewer's collation of ``year`` needs, summed in the database: ``approach_ids``
    the approaches in order, ``scores`` the scale, ``strength`` the scores a story to celebrate has,
    ``options`` the support options."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":  # tens of thousands of groups: sum them in memory
        await connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    table = _counted_table(f"collation_counted_{secrets.token_hex(4)}")
    await connection.run_sync(table.create)
    try:
        await _fill(connection, table, viewer, year)
        return YearSums(
            sums=await _sums(connection, table, year, scores, strength, options),
            first_years=await _first_years(connection, table),
            counts=await _counts(connection, table, year),
            typed=await _typed(connection, table, year, approach_ids),
            first_stories=(
                stories := await _stories(connection, table, year, approach_ids, strength, stories_shown)
            ),
            story_rows=await _story_rows(connection, viewer, stories),
            last_year=await _last_year(connection, table, year),
        )
    finally:
        await connection.run_sync(table.drop, checkfirst=True)


async def _fill(connection: AsyncConnection, table: Table, viewer: Viewer, year: int) -> None:
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
    if connection.dialect.name == "postgresql":  # autovacuum never looks at a temporary table
        await connection.execute(text(f"ANALYZE {table.name}"))


def _first(table: Table) -> Any:
    c = table.c
    return (
        select(c.organisation_id.label("organisation_id"), func.min(c.year).label("first"))
        .group_by(c.organisation_id)
        .subquery("first")
    )


async def _sums(
    connection: AsyncConnection,
    table: Table,
    year: int,
    scores: Sequence[int],
    strength: Sequence[int],
    options: Sequence[str],
) -> list[Sums]:
    c, part = table.c, EvaluationPart
    first = _first(table)
    keys = (c.year, c.scope, c.organisation_id, part.approach_id)

    def how_many(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            *keys,
            func.count(),
            how_many(part.answered),
            how_many(and_(part.story, part.score.in_(list(strength)))),
            *[how_many(part.score == s) for s in scores],
            *[
                how_many(part.support.contains(json.dumps(o, ensure_ascii=False), autoescape=True))
                for o in options
            ],
        )
        .select_from(table)
        .join(part, part.evaluation_id == c.id)
        .outerjoin(first, first.c.organisation_id == c.organisation_id)
        .where(or_(c.year == year, and_(c.year == first.c.first, c.year < year)))
        .group_by(*keys)
    )
    n = len(scores)
    return [
        Sums(
            int(row[0]),
            row[1],
            row[2],
            row[3],
            tuple(int(x or 0) for x in row[7 : 7 + n]),
            int(row[4]),
            int(row[5] or 0),
            int(row[6] or 0),
            tuple(int(x or 0) for x in row[7 + n :]),
        )
        for row in await connection.execute(query)
    ]


async def _first_years(connection: AsyncConnection, table: Table) -> dict[int, int]:
    first = _first(table)
    query = select(first.c.organisation_id, first.c.first).where(first.c.organisation_id.is_not(None))
    return {int(o): int(y) for o, y in await connection.execute(query)}


async def _counts(connection: AsyncConnection, table: Table, year: int) -> list[Counted]:
    c = table.c
    listed = exists().where(ListedOrganisation.organisation_id == c.organisation_id)
    query = (
        select(c.organisation_id, func.coalesce(Organisation.name, ""), listed, c.scope, func.count())
        .select_from(table)
        .outerjoin(Organisation, Organisation.id == c.organisation_id)
        .where(c.year == year)
        .group_by(c.organisation_id, Organisation.name, c.scope)
    )
    return [Counted(r[0], r[1], bool(r[2]), r[3], int(r[4])) for r in await connection.execute(query)]


async def _typed(
    connection: AsyncConnection, table: Table, year: int, approach_ids: Sequence[str]
) -> list[tuple[str, str]]:
    c, part = table.c, EvaluationPart
    position = case({a: i for i, a in enumerate(approach_ids)}, value=part.approach_id)
    query = (
        select(part.support_other, part.approach_id)
        .select_from(table)
        .join(part, part.evaluation_id == c.id)
        .where(c.year == year, part.support_other.is_not(None))
        .order_by(c.queued_at, c.reference, position)
    )
    return [(t or "", a) for t, a in await connection.execute(query)]


async def _stories(
    connection: AsyncConnection,
    table: Table,
    year: int,
    approach_ids: Sequence[str],
    strength: Sequence[int],
    shown: int,
) -> list[tuple[str, str]]:
    """The first ``shown`` parts with a story and a strength score: the best score first, then in
    the order sent, then in the content's order of approaches."""
    c, part = table.c, EvaluationPart
    position = case({a: i for i, a in enumerate(approach_ids)}, value=part.approach_id)
    found: list[tuple[str, str]] = []
    for score in sorted(strength, reverse=True):  # each an early-stopping scan in the order sent
        if len(found) >= shown:
            break
        query = (
            select(part.evaluation_id, part.approach_id)
            .select_from(table)
            .join(part, part.evaluation_id == c.id)
            .where(c.year == year, part.score == score, part.story, part.approach_id.in_(list(approach_ids)))
            .order_by(c.queued_at, c.reference, position)
            .limit(shown - len(found))
        )
        found += [(e, a) for e, a in await connection.execute(query)]
    return found


async def _story_rows(
    connection: AsyncConnection, viewer: Viewer, stories: list[tuple[str, str]]
) -> dict[str, SentRow]:
    if not stories:
        return {}
    whole = _base(viewer, None, literal("")).where(Evaluation.id.in_({e for e, _ in stories}))
    return {row[0]: SentRow(*row) for row in await connection.execute(whole)}


async def _last_year(connection: AsyncConnection, table: Table, year: int) -> dict[int, str]:
    c = table.c
    query = (
        select(c.organisation_id, Organisation.name)
        .join(Organisation, Organisation.id == c.organisation_id)
        .where(c.year == year - 1)
        .distinct()
    )
    return {int(o): n for o, n in await connection.execute(query)}
