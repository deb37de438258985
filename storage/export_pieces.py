"""The board's XLSX export kept as pieces: each evaluation's rows, written and deflated once.

A year's workbook of 100,000 evaluations is half a million rows; writing and deflating them took
about 20 seconds each time. Here each evaluation in the board's export has its rows kept as one
piece (``export_pieces``), made by the board (``bot.board.exports``: storage knows nothing of the
sheet), and an export reads the year's pieces in order and joins them.

Keeping them right is as for the kept sums (``storage.collation_sums``): triggers (migration
``0012_export_pieces``) mark an evaluation stale, or add one to its stamp, in the same transaction
as any change to what its rows show or the access rule reads. ``refresh`` reads the stale ones in a
read (on SQLite it never waits for a writer), has them made, then stores them in a short write
that keeps only the evaluations whose stamp is still the one it read. An evaluation the board's
export no longer has loses its piece there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from storage.access import Role, Viewer
from storage.collation import SentRow, counted_query, rollup_member_query
from storage.database import in_turn
from storage.models import Evaluation, ExportPiece, ExportShape, ExportStale, Submission, Translation

__all__ = ["ROUND", "Made", "pieces", "refresh", "stale"]

ROUND = 1_000  # evaluations made and stored at a time: each write stays short
BATCH = 2_000  # pieces read at a time by an export
_LOCK = 0x1CF_E4B7  # the advisory lock that refreshes on PostgreSQL take in turn
_BOARD = Viewer(Role.BOARD)


class Made(NamedTuple):
    """One evaluation's piece, as the board makes it and as it is kept (``bot.board.xlsx.Piece``)."""

    data: bytes
    crc: int
    size: int
    rows: int


Maker = Callable[[list[SentRow], Mapping[str, Mapping[Any, Translation]]], Awaitable[list[Made]]]


async def stale(connection: AsyncConnection, shape: str) -> bool:
    """Whether any piece waits to be made, or the pieces were made for other content."""
    if await connection.scalar(select(ExportShape.shape)) != shape:
        return bool(await connection.scalar(select(select(Submission.id).exists())))
    return bool(await connection.scalar(select(select(ExportStale.evaluation_id).exists())))


async def refresh(sessions: async_sessionmaker[AsyncSession], shape: str, make: Maker) -> int:
    """Make again every stale piece, for content described by ``shape``; returns how many
    evaluations were stored here (made again, or removed from the export)."""
    async with sessions() as session:
        kept_shape = await (await session.connection()).scalar(select(ExportShape.shape))
    if kept_shape != shape:
        async with sessions.begin() as session:
            await _reset(await session.connection(), shape)
    stored, after = 0, ""
    while True:
        async with sessions() as session:  # a read: made here, never waiting for a writer
            connection = await session.connection()
            marks = (
                select(ExportStale.evaluation_id, ExportStale.stamp)
                .where(ExportStale.evaluation_id > after)
                .order_by(ExportStale.evaluation_id)
                .limit(ROUND)
            )
            stamps = {key: stamp for key, stamp in await connection.execute(marks)}
            if not stamps:
                return stored
            ids = list(stamps)
            found = await _sent(connection, ids)
            translated = await _translations(session, ids)
        made = await make(found, translated) if found else []
        rows = [
            {
                "evaluation_id": row.evaluation_id,
                "year": row.year,
                "member": bool(row.rollup_id),
                "queued_at": row.queued_at,
                "reference": row.reference,
                "data": piece.data,
                "crc": piece.crc,
                "size": piece.size,
                "rows": piece.rows,
            }
            for row, piece in zip(found, made, strict=True)
        ]
        async with sessions.begin() as session:
            stored += await _store(await session.connection(), shape, stamps, rows)
        after = ids[-1]


async def _sent(connection: AsyncConnection, ids: Sequence[str]) -> list[SentRow]:
    """The board's export's rows for these evaluations (those it has): counted, then parts."""
    counted = counted_query(_BOARD, None).where(Evaluation.id.in_(list(ids)))
    found = [SentRow(*row) for row in await connection.execute(counted)]
    parts = rollup_member_query(_BOARD, None, members=ids)
    return found + [SentRow(*row) for row in await connection.execute(parts)]


async def _translations(session: AsyncSession, ids: Sequence[str]) -> dict[str, dict[Any, Translation]]:
    found: dict[str, dict[Any, Translation]] = {}
    query = select(Translation).where(Translation.evaluation_id.in_(list(ids)))
    for t in (await session.execute(query)).scalars():
        found.setdefault(t.evaluation_id, {})[(t.approach_id, t.field)] = t
    return found


async def _reset(connection: AsyncConnection, shape: str) -> None:
    """Other content (other approaches, labels or columns): every piece is made again."""
    await in_turn(connection, _LOCK)
    if await connection.scalar(select(ExportShape.shape)) == shape:
        return  # another process did it meanwhile
    await connection.execute(delete(ExportPiece))
    await connection.execute(delete(ExportShape))
    await connection.execute(insert(ExportShape).values(id=1, shape=shape))
    await connection.execute(delete(ExportStale))
    marks = select(Submission.evaluation_id, text("1"))
    await connection.execute(insert(ExportStale).from_select(["evaluation_id", "stamp"], marks))


async def _store(
    connection: AsyncConnection, shape: str, stamps: dict[str, int], rows: list[dict[str, Any]]
) -> int:
    """Store what was made, for the evaluations still at the stamp it was made at."""
    await in_turn(connection, _LOCK)
    if await connection.scalar(select(ExportShape.shape)) != shape:
        return 0  # other content reset the pieces meanwhile
    now = await connection.execute(
        select(ExportStale.evaluation_id, ExportStale.stamp)
        .where(ExportStale.evaluation_id.in_(list(stamps)))
        .with_for_update()
    )
    fresh = [key for key, stamp in now if stamps[key] == stamp]
    if not fresh:
        return 0
    await connection.execute(delete(ExportPiece).where(ExportPiece.evaluation_id.in_(fresh)))
    keep = set(fresh)
    kept = [row for row in rows if row["evaluation_id"] in keep]
    if kept:
        await connection.execute(insert(ExportPiece), kept)
    await connection.execute(delete(ExportStale).where(ExportStale.evaluation_id.in_(fresh)))
    return len(fresh)


async def pieces(connection: AsyncConnection, year: int) -> AsyncIterator[list[Made]]:
    """The year's pieces in the export's order, ``BATCH`` at a time: every evaluation the board's
    collation counts, in the order sent, then the roll-ups' parts in the order sent."""
    query = (
        select(ExportPiece.data, ExportPiece.crc, ExportPiece.size, ExportPiece.rows)
        .where(ExportPiece.year == year)
        .order_by(ExportPiece.member, ExportPiece.queued_at, ExportPiece.reference)
    )
    result = await connection.stream(query)
    async for partition in result.partitions(BATCH):
        yield [Made(*row) for row in partition]
