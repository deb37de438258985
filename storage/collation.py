"""Collation queries: the evaluations a viewer's collation and export count, year by year.

Which evaluations count is ``storage.access.counted``: what the viewer sees whole, less those
combined into a live roll-up (the roll-up stands for them). Each counts in its submission's
``year``: the UTC year it was sent, or for a roll-up, its members' year. So an evaluation counts
once, and never in another year. The figures themselves are worked out in ``bot.board.collation``
with the one reader of stored answers (``dialogs.stored``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    Table,
    case,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.access import Viewer, counted
from storage.collation_sums import KEPT, SumTables, summed_for
from storage.models import (
    Evaluation,
    EvaluationPart,
    ListedOrganisation,
    Organisation,
    Rollup,
    RollupMember,
    Submission,
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


def rollup_member_query(
    viewer: Viewer,
    year: int | None,
    organisation_id: int | None = None,
    members: Sequence[str] | None = None,
) -> Any:
    """Each team's contribution to a live roll-up the viewer counts: in the export, not the figures.
    ``members``: only these evaluations' (the roll-ups counted are then looked for among theirs
    alone, not among every evaluation the viewer counts)."""
    counted_ids = select(Evaluation.id).where(counted(viewer))  # the roll-ups themselves
    if members is not None:
        theirs = (
            select(Rollup.evaluation_id)
            .join(RollupMember, RollupMember.rollup_id == Rollup.id)
            .where(RollupMember.evaluation_id.in_(list(members)))
        )
        counted_ids = counted_ids.where(Evaluation.id.in_(theirs))
    query = (
        _base(viewer, organisation_id, Rollup.evaluation_id)
        .join(RollupMember, RollupMember.evaluation_id == Evaluation.id)
        .join(Rollup, Rollup.id == RollupMember.rollup_id)
        .where(Rollup.replaced_by.is_(None), Rollup.evaluation_id.in_(counted_ids))
        .where(Evaluation.status == "submitted")
    )
    if year is not None:
        query = query.where(Rollup.year == year)
    if members is not None:
        query = query.where(Evaluation.id.in_(list(members)))
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
# The sums by organisation, year, scope and approach come from ``storage.collation_sums`` (kept for
# board staff, summed for each collation of a lead's); this reads a year from them: the year's
# groups and each organisation's first year's, the counts, the typed needs, the first stories and
# last year's organisations. The database adds up, Python only divides (``bot.board.collation``) and
# drops any approach the caller's content does not know.


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


async def year_sums(
    session: AsyncSession,
    viewer: Viewer,
    year: int,
    approach_ids: Sequence[str],
    scores: Sequence[int],
    strength: Sequence[int],
    options: Sequence[str],
    stories_shown: int,
    *,
    fresh: bool = False,
) -> YearSums:
    """Everything the viewer's collation of ``year`` needs, from the sums by organisation
    (``storage.collation_sums``): ``approach_ids`` the approaches in order, ``scores`` the scale,
    ``strength`` the scores a story to celebrate has, ``options`` the support options.

    Board staff's come from the kept sums, which ``collation_sums.refresh`` (with the same scores,
    strength and options) must have brought up to date; an organisation lead's are summed here, and
    so are board staff's with ``fresh`` (a check of the kept sums)."""
    connection = await session.connection()
    if viewer.is_board and not fresh:
        return await _read(connection, viewer, KEPT, year, approach_ids, len(scores), strength, stories_shown)
    async with summed_for(connection, viewer, scores=scores, strength=strength, options=options) as tables:
        return await _read(
            connection, viewer, tables, year, approach_ids, len(scores), strength, stories_shown
        )


async def _read(
    connection: AsyncConnection,
    viewer: Viewer,
    tables: SumTables,
    year: int,
    approach_ids: Sequence[str],
    scale: int,
    strength: Sequence[int],
    stories_shown: int,
) -> YearSums:
    first_years = await _first_years(connection, tables.counts, year)
    stories = await _stories(connection, tables.counted, year, approach_ids, strength, stories_shown)
    return YearSums(
        sums=await _sums(connection, tables.sums, year, first_years, scale),
        first_years=first_years,
        counts=await _counts(connection, tables.counts, year),
        typed=await _typed(connection, tables.typed, year, approach_ids),
        first_stories=stories,
        story_rows=await _story_rows(connection, viewer, stories),
        last_year=await _last_year(connection, tables.counts, year),
    )


async def _first_years(connection: AsyncConnection, counts: Table, year: int) -> dict[int, int]:
    """Organisation id -> its first year with anything counted, up to ``year``: its baseline."""
    c = counts.c
    query = (
        select(c.organisation_key, func.min(c.year))
        .where(c.year <= year, c.organisation_key != 0)
        .group_by(c.organisation_key)
    )
    return {int(key): int(first) for key, first in await connection.execute(query)}


async def _sums(
    connection: AsyncConnection, sums: Table, year: int, first_years: dict[int, int], scale: int
) -> list[Sums]:
    """The year's sums, and each organisation's first year's (when before it)."""
    c = sums.c
    years = {year} | {first for first in first_years.values() if first < year}
    query = select(c.year, c.scope, c.organisation_key, c.approach_id, c.numbers).where(c.year.in_(years))
    found = []
    for y, scope, key, approach_id, numbers in await connection.execute(query):
        if y == year or first_years.get(key) == y:
            n = orjson.loads(numbers)
            found.append(
                Sums(
                    y,
                    scope,
                    key or None,
                    approach_id,
                    tuple(n[3 : 3 + scale]),
                    n[0],
                    n[1],
                    n[2],
                    tuple(n[3 + scale :]),
                )
            )
    return found


async def _counts(connection: AsyncConnection, counts: Table, year: int) -> list[Counted]:
    c = counts.c
    listed = exists().where(ListedOrganisation.organisation_id == c.organisation_key)
    query = (
        select(c.organisation_key, func.coalesce(Organisation.name, ""), listed, c.scope, c.evaluations)
        .select_from(counts)
        .outerjoin(Organisation, Organisation.id == c.organisation_key)
        .where(c.year == year)
    )
    return [Counted(r[0] or None, r[1], bool(r[2]), r[3], int(r[4])) for r in await connection.execute(query)]


async def _typed(
    connection: AsyncConnection, typed: Table, year: int, approach_ids: Sequence[str]
) -> list[tuple[str, str]]:
    """Every typed need of the year, in the order sent."""
    c = typed.c
    position = case({a: i for i, a in enumerate(approach_ids)}, value=c.approach_id)
    query = select(c.text, c.approach_id).where(c.year == year).order_by(c.queued_at, c.reference, position)
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


async def _last_year(connection: AsyncConnection, counts: Table, year: int) -> dict[int, str]:
    c = counts.c
    query = (
        select(c.organisation_key, Organisation.name)
        .join(Organisation, Organisation.id == c.organisation_key)
        .where(c.year == year - 1)
        .distinct()
    )
    return {int(o): n for o, n in await connection.execute(query)}
