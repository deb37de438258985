"""SQLite for the async engine without a thread: each call runs at once, on the event loop's thread.

SQLAlchemy's ``sqlite+aiosqlite`` dialect drives an aiosqlite connection, which hands every call
(open a cursor, execute, fetch, close the cursor, commit) to a thread of its own and waits for the
answer: about fifteen hand-offs a chat turn. They cost more than a turn's statements, which take
microseconds on a local file. ``connect`` gives the dialect, through ``create_async_engine``'s
documented ``async_creator``, an object with the part of aiosqlite's interface the dialect uses, whose
calls run the ``sqlite3`` call directly instead; nothing else changes.

storage/database.py uses it for writes only, on one connection with no busy timeout: nothing waits
inside SQLite on the loop's thread (a write tries ``BEGIN IMMEDIATE`` again after a pause on the
loop), and what runs there is a write's own work: microseconds a statement, a few milliseconds when a
commit checkpoints the write-ahead log. Reads stay on aiosqlite's threads, where a large one (the
board's year: single statements of 40-160 ms) holds up nothing.

Measured once writers waited for the lock between tries, on the shared two-core machine (``python -m
benchmarks.turns --database sqlite --rounds 3``): chat turns flat out 574 / 624 / 676 a second with
this, 360 / 339 / 312 with aiosqlite alone (0.52 against 0.31 of the ceiling); ``python -m
benchmarks.turn_cost``: 0.73-0.81 against 0.97-1.53 ms of CPU a turn.

The part of aiosqlite's interface the dialect uses is not a documented contract, so pyproject.toml
pins the one SQLAlchemy release CI runs the tests on, and tests/storage/test_inline_driver.py makes
every kind of call the dialect makes, through SQLAlchemy's public API.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

__all__ = ["InlineConnection", "connector"]


class InlineCursor:
    """What SQLAlchemy's adapter uses of ``aiosqlite.Cursor``."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    def __aiter__(self) -> InlineCursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _AtOnce:
    """Stands in for aiosqlite's queue to its thread (the dialect's isolation-level setter uses it)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, call = item
        try:
            future.set_result(call())
        except Exception as error:  # handed to whoever awaits the future, as aiosqlite does
            future.set_exception(error)


class InlineConnection:
    """What SQLAlchemy's adapter uses of ``aiosqlite.Connection``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # the adapter checks it is open
        self._tx = _AtOnce()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def connector(database: str) -> Callable[[], Awaitable[InlineConnection]]:
    """For ``create_async_engine(async_creator=...)``: opens ``database`` in autocommit mode (we BEGIN).

    With no busy timeout: a statement that cannot have a lock fails at once instead of waiting on the
    loop's thread (storage/database.py waits for the write lock between tries, off SQLite).
    """

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from the garbage collector's thread.
        connection = sqlite3.connect(database, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(connection)

    return connect
