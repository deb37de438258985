"""SQLite's engine: writers in turn, waiting for another process's write lock off SQLite; reads never wait.

Another process holding the write lock is a real one (tests/storage/write_lock.py), as ``icf
retention run`` or ``icf board pull`` beside ``icf serve``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import create_engine, create_sessionmaker, transaction, upgrade_engine
from tests.storage.write_lock import WriteLockHolder


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "icf.db"


@pytest.fixture
async def db(path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def rows(db: AsyncEngine) -> list[str]:
    async with db.connect() as connection:
        return list((await connection.execute(text("SELECT who FROM t ORDER BY id"))).scalars())


async def test_transactions_are_served_in_the_order_they_asked(db: AsyncEngine) -> None:
    sessions = create_sessionmaker(db)
    asked: list[str] = []

    async def turn(number: int) -> None:
        for _ in range(number // 3):
            await asyncio.sleep(0)  # three arrive at a time, while earlier ones wait or are served
        who = f"turn {number:02d}"
        asked.append(who)
        async with sessions.begin() as session:
            await asyncio.sleep(0)
            await session.execute(text("INSERT INTO t (who) VALUES (:who)"), {"who": who})
            await asyncio.sleep(0)

    await asyncio.gather(*(turn(number) for number in range(40)))
    assert await rows(db) == asked  # the pool's own queue would let late arrivals overtake


async def test_a_failed_transaction_is_rolled_back_and_lets_the_next_one_in(db: AsyncEngine) -> None:
    sessions = create_sessionmaker(db)
    async with sessions.begin() as session:
        await session.execute(text("INSERT INTO t (who) VALUES ('first')"))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t (who) VALUES ('second')"))
            await session.execute(text("INSERT INTO t (who) VALUES ('first')"))
    async with sessions.begin() as session:
        await session.execute(text("INSERT INTO t (who) VALUES ('third')"))
    assert await rows(db) == ["first", "third"]


async def test_a_session_closed_without_commit_leaves_nothing_behind(db: AsyncEngine) -> None:
    sessions = create_sessionmaker(db)
    async with sessions() as session:
        await session.execute(text("INSERT INTO t (who) VALUES ('never')"))
    async with db.connect() as connection:
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not None and not raw.driver_connection.in_transaction
    assert await rows(db) == []


async def insert(db: AsyncEngine, who: str, done: list[str]) -> None:
    async with transaction(db) as connection:
        await connection.execute(text("INSERT INTO t (who) VALUES (:who)"), {"who": who})
    done.append(who)


async def test_a_write_waits_for_another_process_while_reads_go_on(db: AsyncEngine, path: Path) -> None:
    await insert(db, "before", [])
    done: list[str] = []
    async with WriteLockHolder(path) as other:
        writing = asyncio.create_task(insert(db, "turn", done))
        session_writing = asyncio.create_task(session_insert(db, "board pull", done))
        for _ in range(20):  # the writers try again and again meanwhile, and the loop keeps turning
            await asyncio.sleep(0.01)
        assert await rows(db) == ["before"]  # a read answers at once, with what was committed
        async with create_sessionmaker(db)() as session:  # so does an ORM read
            assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 1
        done.append("reads")
        assert not writing.done() and not session_writing.done()
        await other.release()
        await asyncio.gather(writing, session_writing)
    assert done == ["reads", "turn", "board pull"]  # in the order they asked, once the lock was free
    assert await rows(db) == ["before", "turn", "board pull"]


async def session_insert(db: AsyncEngine, who: str, done: list[str]) -> None:
    async with create_sessionmaker(db).begin() as session:
        await session.execute(text("INSERT INTO t (who) VALUES (:who)"), {"who": who})
    done.append(who)


async def test_a_write_that_cannot_have_the_lock_in_time_fails_and_leaves_nothing(path: Path) -> None:
    impatient = create_engine(f"sqlite:///{path}", lock_wait=0.2)
    try:
        async with impatient.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT UNIQUE)"))
        async with WriteLockHolder(path) as other:
            with pytest.raises(OperationalError, match="database is locked"):
                await insert(impatient, "too late", [])
            with pytest.raises(OperationalError, match="database is locked"):
                await session_insert(impatient, "too late", [])
            await other.release()
        await insert(impatient, "after", [])  # nothing is stuck: the next write goes through
        assert await rows(impatient) == ["after"]
    finally:
        await impatient.dispose()


async def test_migrations_wait_for_another_process_writing(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    db = create_engine(f"sqlite:///{path}")
    try:
        async with db.connect() as connection:  # the file exists, in WAL mode, before the other process
            await connection.execute(text("SELECT 1"))
        async with WriteLockHolder(path) as other:
            upgrading = asyncio.create_task(upgrade_engine(db))
            await asyncio.sleep(0.2)
            assert not upgrading.done()
            await other.release()
            await upgrading
        async with db.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"evaluations", "transcript_entries", "alembic_version"} <= tables
    finally:
        await db.dispose()


async def test_a_long_read_does_not_hold_up_the_loop(db: AsyncEngine) -> None:
    """Such as the board's collation of a year: it runs in aiosqlite's thread, not the loop's."""
    done: list[str] = []

    async def long_read() -> None:
        async with db.connect() as connection:
            counted = await connection.execute(
                text(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000)"
                    " SELECT count(*) FROM c"
                )
            )
            assert counted.scalar() == 2_000_000  # about a second of SQLite's work
        done.append("long read")

    async def meanwhile() -> None:
        for _ in range(5):
            await asyncio.sleep(0.01)
        await insert(db, "a turn", done)  # a write goes on too

    await asyncio.gather(long_read(), meanwhile())
    assert done == ["a turn", "long read"]
