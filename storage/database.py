"""Engines and sessions: SQLite (WAL, busy timeout, immediate writes) by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState

from storage.inline_sqlite import connector

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio.session import _AsyncSessionContextManager

__all__ = [
    "DEFAULT_URL",
    "create_engine",
    "create_sessionmaker",
    "is_sqlite",
    "normalise_url",
    "transaction",
]

DEFAULT_URL = "sqlite+aiosqlite:///./data/icf.db"
BUSY_TIMEOUT_MS = 5000


def normalise_url(url: str) -> str:
    """Accept the usual ``postgresql://`` and ``sqlite:///`` forms and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite(engine: AsyncEngine, url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start: a read that later writes cannot deadlock another turn.
        # Straight to sqlite3: the statement is the same every time and runs on every transaction.
        connection.connection.driver_connection.begin_immediate()

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, reset: PoolResetState) -> None:
        # With pool_reset_on_return=None: roll back only a transaction left open, not after every commit.
        if reset.asyncio_safe and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


# A conversation's state is written and read back on every turn: orjson does it several times faster.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def create_engine(url: str) -> AsyncEngine:
    url = normalise_url(url)
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            # Statements run on the event loop's thread, not aiosqlite's: see storage/inline_sqlite.py.
            async_creator=connector(make_url(url).database or "", BUSY_TIMEOUT_MS / 1000),
            # One connection: SQLite has one writer at a time anyway, and turns then queue in this process
            # instead of polling the file lock with the busy timeout's sleeps.
            pool_size=1,
            max_overflow=0,
            pool_reset_on_return=None,  # see _on_reset
            hide_parameters=True,  # no answer a person typed ends up in an error log
            **_JSON,
        )
        _prepare_sqlite(engine, url)
        return engine
    # Ten connections kept open and no overflow: an overflow connection is closed as soon as it is
    # returned, so under load every extra turn opened a new PostgreSQL backend and dropped it again.
    return create_async_engine(
        url, pool_size=10, max_overflow=0, pool_pre_ping=True, hide_parameters=True, **_JSON
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return _InTurn(engine, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False)


# SQLite: one lock per engine, shared by its sessions and its bare transactions. The pool's own queue
# lets a newcomer take a connection just handed to one that was waiting, and with statements that
# never wait (storage/inline_sqlite.py) some transactions would wait for seconds; asyncio's lock is
# fair: a release wakes the longest waiter.
_TURNS: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


def _turns(engine: AsyncEngine) -> asyncio.Lock:
    lock = _TURNS.get(engine)
    if lock is None:
        lock = _TURNS[engine] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction on a connection, without the ORM; on SQLite it waits its turn like a session's."""
    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            yield connection
        return
    async with _turns(engine), engine.begin() as connection:
        yield connection


class _InTurn(async_sessionmaker[AsyncSession]):
    """SQLite: ``begin()`` waits its turn for the one connection, first come first served."""

    def __init__(self, engine: AsyncEngine, **options: Any) -> None:
        super().__init__(engine, **options)
        self._turns = _turns(engine)

    def begin(self) -> _AsyncSessionContextManager[AsyncSession]:
        # Used only as ``async with``: _Queued has the two methods that needs.
        return cast("_AsyncSessionContextManager[AsyncSession]", _Queued(self._turns, super().begin()))


class _Queued:
    def __init__(self, turns: asyncio.Lock, transaction: _AsyncSessionContextManager[AsyncSession]) -> None:
        self._turns = turns
        self._transaction = transaction

    async def __aenter__(self) -> AsyncSession:
        await self._turns.acquire()
        try:
            session = await self._transaction.__aenter__()
        except BaseException:
            self._turns.release()
            raise
        return session

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self._transaction.__aexit__(*exc)
        finally:
            self._turns.release()
