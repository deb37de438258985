"""SQLite's engine: statements on the loop's thread, one connection taken in turn, nothing left open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import create_engine, create_sessionmaker


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'icf.db'}")
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
