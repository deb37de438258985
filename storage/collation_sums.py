"""The collation's sums: worked out per organisation, kept for board staff, brought up to date as
organisations change.

``summed`` asks the access rule once, for some organisations, into a temporary table, and sums their
parts (``evaluation_parts``) by organisation, year, scope and approach in one grouped pass; with it
come the counts of evaluations, the evaluations in the order sent and the parts with a typed need.
Board staff's are kept (the ``collation_*`` tables), since summing a year of 100,000 took about two
seconds each time; an organisation lead's (one organisation) are summed for each collation into
temporary tables of the same shape. Either way ``storage.collation`` reads the year from them.

Keeping them right: triggers (migration ``0011_collation_sums``) mark an organisation stale, or add
one to its stamp, in the same transaction as any change to what the rule or the sums read (an
evaluation's status, organisation or scope, a submission, a part, a roll-up or its members).
``refresh`` sums the stale organisations again in a read (on SQLite it never waits for a writer and
holds up no chat), then stores them in a short write that keeps only the organisations whose stamp
is still the one it read: a change committed meanwhile leaves its organisation stale for the next
refresh, and of two refreshes at once the later reader wins. On PostgreSQL that check runs under an
advisory lock with the stale rows locked, so a change still in flight is waited for, not missed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from storage.access import Role, Viewer, counted
from storage.database import in_turn
from storage.models import (
    CollationCount,
    CollationCounted,
    CollationShape,
    CollationStale,
    CollationSum,
    CollationTyped,
    Evaluation,
    EvaluationPart,
    Submission,
    UTCDateTime,
)

__all__ = ["KEPT", "ROUND", "SumTables", "refresh", "stale", "summed_for"]

ROUND = 250  # organisations summed and stored at a time: each write stays short (a tenth of a second)
WORK_MEM = "64MB"  # PostgreSQL's, for this transaction only: its default 4 MB spills the sums to disk
_LOCK = 0x1CF_5E55  # the advisory lock that refreshes on PostgreSQL take in turn
_BOARD = Viewer(Role.BOARD)


@dataclass(frozen=True, slots=True)
class SumTables:
    """Where a collation's sums are: the kept tables, or temporary ones of the same columns."""

    sums: Table
    counts: Table
    counted: Table
    typed: Table

    def __iter__(self) -> Iterator[Table]:
        return iter((self.sums, self.counts, self.counted, self.typed))


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


KEPT = SumTables(
    _table(CollationSum), _table(CollationCount), _table(CollationCounted), _table(CollationTyped)
)


def _temporary(kept: Table) -> Table:
    """A temporary table with ``kept``'s columns (without its keys to other tables)."""
    columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in kept.columns]
    name = f"{kept.name}_{secrets.token_hex(4)}"
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


@asynccontextmanager
async def summed_for(connection: AsyncConnection, viewer: Viewer, **shape: Any) -> AsyncIterator[SumTables]:
    """The viewer's sums, in temporary tables for as long as the block runs; ``shape``: the scores,
    strength and options, as for ``refresh``."""
    tables = SumTables(*(_temporary(t) for t in KEPT))
    for table in tables:
        await connection.run_sync(table.create)
    try:
        rows = await _summed(connection, viewer, None, **shape)
        for table, found in zip(tables, rows, strict=True):
            await _insert(connection, table, found)
        yield tables
    finally:
        for table in tables:
            await connection.run_sync(table.drop, checkfirst=True)


def _sum_columns(scores: Sequence[int], strength: Sequence[int], options: Sequence[str]) -> list[Any]:
    """A group of parts' sums, in the order ``numbers`` holds them: asked, answered, stories, a
    count per score, a count per support option."""
    part = EvaluationPart

    def how_many(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return [
        func.count(),
        how_many(part.answered),
        how_many(and_(part.story, part.score.in_(list(strength)))),
        *[how_many(part.score == s) for s in scores],
        *[
            how_many(part.support.contains(json.dumps(o, ensure_ascii=False), autoescape=True))
            for o in options
        ],
    ]


def _counted_table() -> Table:
    return Table(
        f"collation_rule_{secrets.token_hex(4)}",
        MetaData(),
        Column("id", String(32), primary_key=True),
        Column("organisation_key", Integer, nullable=False),
        Column("year", Integer, nullable=False),
        Column("scope", String(16), nullable=False),
        Column("queued_at", UTCDateTime(), nullable=False),
        Column("reference", String(32), nullable=False),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )


Rows = list[dict[str, Any]]


async def _summed(
    connection: AsyncConnection,
    viewer: Viewer,
    keys: Sequence[int] | None,
    *,
    scores: Sequence[int],
    strength: Sequence[int],
    options: Sequence[str],
) -> tuple[Rows, Rows, Rows, Rows]:
    """What the viewer's collation counts of the organisations ``keys`` (None: all it sees), summed:
    rows for the ``SumTables``, in their order."""
    if connection.dialect.name == "postgresql":  # thousands of groups: sum them in memory
        await connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    table = _counted_table()
    await connection.run_sync(table.create)
    try:
        where = [counted(viewer)]
        if keys is not None:
            named = Evaluation.organisation_id.in_([k for k in keys if k])
            where.append(or_(named, Evaluation.organisation_id.is_(None)) if 0 in keys else named)
        rule = (
            select(
                Evaluation.id,
                func.coalesce(Evaluation.organisation_id, 0),
                Submission.year,
                func.coalesce(Evaluation.scope, ""),
                Submission.queued_at,
                Submission.reference,
            )
            .join(Submission, Submission.evaluation_id == Evaluation.id)
            .where(*where)
        )
        await connection.execute(table.insert().from_select([c.name for c in table.c], rule))
        c, part = table.c, EvaluationPart
        groups = (c.organisation_key, c.year, c.scope, part.approach_id)
        sums = select(*groups, *_sum_columns(scores, strength, options)).join(
            part, part.evaluation_id == c.id
        )
        counts = select(c.organisation_key, c.year, c.scope, func.count()).group_by(*groups[:3])
        typed = select(
            c.id, part.approach_id, c.organisation_key, c.year, c.queued_at, c.reference, part.support_other
        ).join(part, and_(part.evaluation_id == c.id, part.support_other.is_not(None)))
        return (
            [
                {
                    "organisation_key": r[0],
                    "year": r[1],
                    "scope": r[2],
                    "approach_id": r[3],
                    "numbers": orjson.dumps([int(x or 0) for x in r[4:]]).decode(),
                }
                for r in await connection.execute(sums.group_by(*groups))
            ],
            [
                {"organisation_key": r[0], "year": r[1], "scope": r[2], "evaluations": r[3]}
                for r in await connection.execute(counts)
            ],
            [
                {"id": r[0], "organisation_key": r[1], "year": r[2], "queued_at": r[3], "reference": r[4]}
                for r in await connection.execute(
                    select(c.id, c.organisation_key, c.year, c.queued_at, c.reference)
                )
            ],
            [
                {
                    "evaluation_id": r[0],
                    "approach_id": r[1],
                    "organisation_key": r[2],
                    "year": r[3],
                    "queued_at": r[4],
                    "reference": r[5],
                    "text": r[6],
                }
                for r in await connection.execute(typed)
            ],
        )
    finally:
        await connection.run_sync(table.drop, checkfirst=True)


async def _insert(connection: AsyncConnection, table: Table, rows: Rows) -> None:
    for start in range(0, len(rows), 5_000):
        await connection.execute(insert(table), rows[start : start + 5_000])


async def stale(connection: AsyncConnection) -> bool:
    """Whether any organisation's kept sums, or any sent evaluation's parts, wait to be brought up
    to date, or there are sent evaluations and the sums were never made (just after the upgrade)."""
    waiting = or_(
        select(CollationStale.organisation_key).exists(),
        select(Submission.id).where(Submission.parts_read.is_(False)).exists(),
        and_(~select(CollationShape.id).exists(), select(Submission.id).exists()),
    )
    return bool(await connection.scalar(select(waiting)))


def _shape(scores: Sequence[int], strength: Sequence[int], options: Sequence[str]) -> str:
    return orjson.dumps(
        {"scores": list(scores), "strength": list(strength), "options": list(options)}
    ).decode()


async def refresh(
    sessions: async_sessionmaker[AsyncSession],
    *,
    scores: Sequence[int],
    strength: Sequence[int],
    options: Sequence[str],
) -> int:
    """Bring board staff's kept sums up to date for the content's ``scores``, ``strength`` (the
    scores a story to celebrate has) and support ``options``; returns how many organisations were
    summed again and stored here."""
    shape = _shape(scores, strength, options)
    async with sessions() as session:
        kept_shape = await (await session.connection()).scalar(select(CollationShape.shape))
    if kept_shape != shape:
        async with sessions.begin() as session:
            await _reset(await session.connection(), shape)
    stored, after = 0, -1
    while True:
        async with sessions() as session:  # a read: summed here, never waiting for a writer
            connection = await session.connection()
            stale = (
                select(CollationStale.organisation_key, CollationStale.stamp)
                .where(CollationStale.organisation_key > after)
                .order_by(CollationStale.organisation_key)
                .limit(ROUND)
            )
            stamps = {key: stamp for key, stamp in await connection.execute(stale)}
            if not stamps:
                return stored
            rows = await _summed(
                connection, _BOARD, list(stamps), scores=scores, strength=strength, options=options
            )
        async with sessions.begin() as session:
            stored += await _store(await session.connection(), shape, stamps, rows)
        after = max(stamps)


async def _reset(connection: AsyncConnection, shape: str) -> None:
    """Other content (another scale or other options): forget every sum, every organisation stale."""
    await in_turn(connection, _LOCK)
    if await connection.scalar(select(CollationShape.shape)) == shape:
        return  # another process did it meanwhile
    for table in KEPT:
        await connection.execute(delete(table))
    await connection.execute(delete(CollationShape))
    await connection.execute(insert(CollationShape).values(id=1, shape=shape))
    keys = (
        select(func.coalesce(Evaluation.organisation_id, 0), literal(1))
        .join(Submission, Submission.evaluation_id == Evaluation.id)
        .distinct()
    )
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    statement = upsert(CollationStale).from_select(["organisation_key", "stamp"], keys)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[CollationStale.organisation_key], set_={"stamp": CollationStale.stamp + 1}
        )
    )


async def _store(
    connection: AsyncConnection, shape: str, stamps: dict[int, int], rows: tuple[Rows, Rows, Rows, Rows]
) -> int:
    """Store what was summed, for the organisations still at the stamp it was summed at."""
    await in_turn(connection, _LOCK)
    if await connection.scalar(select(CollationShape.shape)) != shape:
        return 0  # other content reset the sums meanwhile
    now = await connection.execute(
        select(CollationStale.organisation_key, CollationStale.stamp)
        .where(CollationStale.organisation_key.in_(list(stamps)))
        .with_for_update()
    )
    fresh = {key for key, stamp in now if stamps[key] == stamp}
    if not fresh:
        return 0
    for table, found in zip(KEPT, rows, strict=True):
        await connection.execute(delete(table).where(table.c.organisation_key.in_(list(fresh))))
        await _insert(connection, table, [row for row in found if row["organisation_key"] in fresh])
    await connection.execute(delete(CollationStale).where(CollationStale.organisation_key.in_(list(fresh))))
    return len(fresh)
