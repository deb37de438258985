"""Engines and sessions: SQLite (WAL; writes in turn, waiting off the loop) by default, PostgreSQL by URL.

On SQLite one writer at a time holds the file's write lock, and it may be another process (``icf
retention run``, ``icf board pull``, ``icf telegram --polling`` beside ``icf serve``). An engine for
SQLite is two pools on the one file:

- reads (``engine.connect()``, a plain session) run on aiosqlite's threads, in deferred
  transactions, which in WAL mode never wait for a writer: ``/healthz``, a transcript or the board's
  collation of a year never hold up the event loop, however large, and never wait for a lock;
- writes (``transaction``, ``sessions.begin()``) take their turn in this process, first come first
  served, on one connection whose statements run on the loop's own thread (storage/inline_sqlite.py:
  a turn's few statements cost less than the hand-offs to a thread). Nothing waits inside SQLite
  there: the busy timeout is zero, and ``BEGIN IMMEDIATE`` is tried again after a pause on the loop
  while another process holds the lock, for up to ``LOCK_WAIT`` seconds.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import orjson
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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
    "LOCK_WAIT",
    "create_engine",
    "create_sessionmaker",
    "in_turn",
    "is_busy",
    "is_sqlite",
    "normalise_url",
    "ping",
    "transaction",
]

T = TypeVar("T")

DEFAULT_URL = "sqlite+aiosqlite:///./data/icf.db"
LOCK_WAIT = 5.0  # seconds a write waits for another process to release the write lock
# Pauses between tries of BEGIN IMMEDIATE: short at first (a commit elsewhere takes microseconds),
# doubling to at most 25 ms, so a lock held for seconds costs a try 40 times a second, and a turn
# waiting for it goes on at most 25 ms after it is released.
FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.025
READERS = 4  # aiosqlite connections (a thread each) for reads at the same time


async def in_turn(connection: AsyncConnection, key: int) -> None:
    """For the rest of this write transaction, the only one of its kind (``key``): on PostgreSQL
    an advisory lock; SQLite's writes take their turn anyway."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


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


def is_busy(error: BaseException) -> bool:
    """The database too busy to answer in time: no pooled connection free within the pool's timeout,
    a connection that timed out, or SQLite's write lock held by another process. Nothing was
    changed, so trying again soon is safe."""
    if isinstance(error, PoolTimeout | TimeoutError):
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


async def ping(engine: AsyncEngine) -> None:
    """Raises unless the database answers (``/healthz``). On SQLite it reads the file's header on
    the loop's own thread: a read in WAL mode never waits for a writer, and a statement that
    short costs less than the hand-offs to a reader's thread, each of which waits for the loop to
    let go of the interpreter (20 ms of ``/healthz``'s p99 in the interference benchmark)."""
    if engine.dialect.name == "sqlite":
        _writers(engine).probe.execute("PRAGMA schema_version").fetchone()
        return
    probe = _PROBES.get(engine.sync_engine, engine)
    try:
        await _select_one(probe)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        await _select_one(probe)  # on a new connection: PostgreSQL dropped the last (a restart)


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")


def _prepare_sqlite(engine: AsyncEngine, begin: str, busy_timeout: float) -> None:
    """SQLAlchemy's documented way to emit BEGIN itself ("Enabling Non-Legacy SQLite Transactional
    Modes", for aiosqlite through ``engine.sync_engine``), with our pragmas."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, reset: PoolResetState) -> None:
        # With pool_reset_on_return=None: roll back only a transaction left open, not after every commit.
        if reset.asyncio_safe and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


# A conversation's state is written and read back on every turn: orjson does it several times faster.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
# No answer a person typed ends up in an error log; a pool of connections kept open, none extra.
_COMMON: dict[str, Any] = {"hide_parameters": True, "max_overflow": 0, **_JSON}


def create_engine(url: str, *, lock_wait: float = LOCK_WAIT) -> AsyncEngine:
    """The engine for ``url``; on SQLite a write waits up to ``lock_wait`` seconds for another process."""
    url = normalise_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url, lock_wait)
    # Ten connections kept open and no overflow: an overflow connection is closed as soon as it is
    # returned, so under load every extra turn opened a new PostgreSQL backend and dropped it again.
    engine = create_async_engine(url, pool_size=10, pool_pre_ping=True, **_COMMON)
    # For ping: a connection of its own, so /healthz never queues behind turns for the pool, and
    # in autocommit with no ping or reset, so it is one round trip (SELECT 1) where the pool's
    # checkout took three (its ping, the statement, the rollback), each waiting for the loop.
    probe = create_async_engine(
        url, pool_size=1, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **_COMMON
    )
    _PROBES[engine.sync_engine] = probe

    @event.listens_for(engine.sync_engine, "engine_disposed")
    def _dispose_probe(_engine: Engine) -> None:
        probe.sync_engine.dispose()

    return engine


def _sqlite_engine(url: str, lock_wait: float) -> AsyncEngine:
    database = make_url(url).database or ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Waiting for a lock in aiosqlite's thread holds up nothing else (a read in WAL mode never has to).
    readers = create_async_engine(url, pool_size=READERS, pool_reset_on_return=None, **_COMMON)
    _prepare_sqlite(readers, "BEGIN", busy_timeout=lock_wait)
    # One connection: SQLite has one writer at a time anyway, and this process's writers queue for it.
    writer = create_async_engine(
        url, async_creator=connector(database), pool_size=1, pool_reset_on_return=None, **_COMMON
    )
    _prepare_sqlite(writer, "BEGIN IMMEDIATE", busy_timeout=0)  # never wait on the loop's thread
    # For ping: one statement that reads the file's header, on the loop's thread, never waiting.
    probe = sqlite3.connect(database or ":memory:", timeout=0, isolation_level=None, check_same_thread=False)
    _WRITERS[readers.sync_engine] = _Writers(asyncio.Lock(), writer, lock_wait, probe)

    @event.listens_for(readers.sync_engine, "engine_disposed")
    def _dispose_writer(_engine: Engine) -> None:
        writer.sync_engine.dispose()  # runs inside AsyncEngine.dispose, as its own would
        probe.close()

    return readers


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return _InTurn(engine, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False)


# -- SQLite's writers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Writers:
    """A SQLite engine's write side.

    ``turns``: this process's writers queue here, first come first served (the pool's own queue lets
    a newcomer take a connection just handed to one that was waiting); asyncio's lock wakes the
    longest waiter. ``engine``: the one connection writes run on, beginning IMMEDIATE.
    """

    turns: asyncio.Lock
    engine: AsyncEngine
    lock_wait: float
    probe: sqlite3.Connection


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writers] = weakref.WeakKeyDictionary()
_PROBES: weakref.WeakKeyDictionary[Engine, AsyncEngine] = weakref.WeakKeyDictionary()  # PostgreSQL's


def _writers(engine: AsyncEngine) -> _Writers:
    return _WRITERS[engine.sync_engine]  # every SQLite engine comes from create_engine


def _locked(error: OperationalError) -> bool:
    """SQLITE_BUSY: another connection holds the write lock (any of its extended codes)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def _when_unlocked(begin: Callable[[], Awaitable[T]], lock_wait: float) -> T:
    """``begin()`` (which emits BEGIN IMMEDIATE), again after a pause while another process writes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lock_wait
    pause = FIRST_PAUSE
    while True:
        try:
            return await begin()
        except OperationalError as error:
            if not _locked(error) or loop.time() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(2 * pause, LONGEST_PAUSE)


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A write transaction on a connection, without the ORM; on SQLite it waits its turn and the lock."""
    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            yield connection
        return
    writers = _writers(engine)
    async with writers.turns, writers.engine.connect() as connection:
        await _when_unlocked(connection.begin().start, writers.lock_wait)
        try:
            yield connection
        except BaseException:
            await connection.rollback()
            raise
        await connection.commit()


class _InTurn(async_sessionmaker[AsyncSession]):
    """SQLite: ``begin()`` is a write, which waits its turn and the lock; a plain session reads."""

    def __init__(self, engine: AsyncEngine, **options: Any) -> None:
        super().__init__(engine, **options)
        self._writers = _writers(engine)
        self._writing = async_sessionmaker(self._writers.engine, **options)

    def begin(self) -> _AsyncSessionContextManager[AsyncSession]:
        # Used only as ``async with``: _Queued has the two methods that needs.
        queued = _Queued(self._writers, self._writing.begin())
        return cast("_AsyncSessionContextManager[AsyncSession]", queued)


class _Queued:
    def __init__(self, writers: _Writers, transaction: _AsyncSessionContextManager[AsyncSession]) -> None:
        self._writers = writers
        self._transaction = transaction

    async def __aenter__(self) -> AsyncSession:
        await self._writers.turns.acquire()
        try:
            session = await self._transaction.__aenter__()
        except BaseException:
            self._writers.turns.release()
            raise
        try:
            # The lock now, waiting for it here, rather than at the first statement.
            await _when_unlocked(session.connection, self._writers.lock_wait)
        except BaseException as error:
            await self.__aexit__(type(error), error, error.__traceback__)
            raise
        return session

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self._transaction.__aexit__(*exc)
        finally:
            self._writers.turns.release()
