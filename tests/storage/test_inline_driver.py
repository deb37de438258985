"""The inline SQLite driver does everything SQLAlchemy's aiosqlite dialect asks of a connection.

storage/inline_sqlite.py stands in for aiosqlite behind ``create_async_engine(async_creator=...)``
for SQLite's writes (``storage.transaction``); the calls the dialect makes on it are not a documented
contract, so every kind is made here, through SQLAlchemy's public API only: plain and many-row
statements, results fetched whole, in parts and streamed, the row counts and ids, savepoints, the
dialect's own SQL function, its errors, and connections closed, invalidated and thrown away.
pyproject.toml allows only the SQLAlchemy releases this file passed with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import create_engine, transaction
from storage.inline_sqlite import InlineConnection
from tests.storage.write_lock import WriteLockHolder

metadata = MetaData()
people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), unique=True, nullable=False),
    Column("town", String(40)),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'driver.db'}")
    async with transaction(engine) as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def names(db: AsyncEngine) -> list[str]:
    async with transaction(db) as connection:
        return list((await connection.execute(select(people.c.name).order_by(people.c.id))).scalars())


async def test_writes_get_the_inline_connection_and_reads_aiosqlites(db: AsyncEngine) -> None:
    async with transaction(db) as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)
        assert raw.driver_connection.isolation_level is None  # set through the dialect: we BEGIN
        assert raw.driver_connection.in_transaction
        assert await connection.get_isolation_level() == "SERIALIZABLE"
    async with db.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, aiosqlite.Connection)


async def test_statements_rows_counts_and_ids(db: AsyncEngine) -> None:
    async with transaction(db) as connection:
        first = await connection.execute(insert(people).values(name="Asha", town="Batley"))
        assert first.inserted_primary_key == (1,)  # the cursor's lastrowid
        many = await connection.execute(
            insert(people), [{"name": f"P{n}", "town": "Dewsbury"} for n in range(5)]
        )
        assert many.rowcount == 5  # executemany
        changed = await connection.execute(
            update(people).where(people.c.town == "Dewsbury").values(town="Mirfield")
        )
        assert changed.rowcount == 5
    async with transaction(db) as connection:
        result = await connection.execute(select(people).order_by(people.c.id))
        assert result.keys() == ["id", "name", "town"]  # the cursor's description
        assert [tuple(row) for row in result.fetchmany(2)] == [(1, "Asha", "Batley"), (2, "P0", "Mirfield")]
        assert len(result.fetchall()) == 4
        one = await connection.execute(text("SELECT name FROM people WHERE id = :id"), {"id": 3})
        assert one.scalar_one() == "P1"


async def test_results_streamed_through_a_server_side_cursor(db: AsyncEngine) -> None:
    async with transaction(db) as connection:
        await connection.execute(insert(people), [{"name": f"P{n:02d}"} for n in range(25)])
    async with transaction(db) as connection:
        streamed = await connection.stream(select(people.c.name).order_by(people.c.id))
        first = [row.name for row in await streamed.fetchmany(10)]
        rest = [row.name async for row in streamed]
        assert first == [f"P{n:02d}" for n in range(10)]
        assert rest == [f"P{n:02d}" for n in range(10, 25)]
        again = await connection.stream(select(people.c.name).order_by(people.c.id.desc()).limit(3))
        assert await again.first() is not None


async def test_savepoints_and_rollbacks(db: AsyncEngine) -> None:
    async with transaction(db) as connection:
        await connection.execute(insert(people).values(name="kept"))
        nested = await connection.begin_nested()
        await connection.execute(insert(people).values(name="undone"))
        await nested.rollback()
    with pytest.raises(RuntimeError):
        async with transaction(db) as connection:
            await connection.execute(insert(people).values(name="never"))
            raise RuntimeError("the turn failed")
    assert await names(db) == ["kept"]


async def test_the_dialects_regexp_function(db: AsyncEngine) -> None:
    async with transaction(db) as connection:
        await connection.execute(insert(people), [{"name": "Holmfirth"}, {"name": "Marsden"}])
    async with transaction(db) as connection:
        found = await connection.execute(select(people.c.name).where(people.c.name.regexp_match("^Holm")))
        assert found.scalars().all() == ["Holmfirth"]  # registered by the dialect with create_function


async def test_errors_come_as_sqlalchemys_with_sqlites_codes(db: AsyncEngine, tmp_path: Path) -> None:
    async with transaction(db) as connection:
        await connection.execute(insert(people).values(name="Asha"))
    with pytest.raises(IntegrityError) as duplicate:
        async with transaction(db) as connection:
            await connection.execute(insert(people).values(name="Asha"))
    assert isinstance(duplicate.value.orig, sqlite3.IntegrityError)
    impatient = create_engine(f"sqlite:///{tmp_path / 'driver.db'}", lock_wait=0)
    try:
        async with WriteLockHolder(tmp_path / "driver.db"):
            with pytest.raises(OperationalError) as locked:
                async with transaction(impatient) as connection:
                    await connection.execute(insert(people).values(name="Bea"))
        assert isinstance(locked.value.orig, sqlite3.OperationalError)
        assert locked.value.orig.sqlite_errorcode == sqlite3.SQLITE_BUSY
    finally:
        await impatient.dispose()
    assert await names(db) == ["Asha"]


async def test_connections_closed_invalidated_and_thrown_away(db: AsyncEngine, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(db) as connection:
            await connection.execute(insert(people).values(name="lost with its connection"))
            await connection.invalidate()  # as after a disconnect: the pool terminates it
            raise RuntimeError("the turn failed")
    async with transaction(db) as connection:  # on a new connection
        await connection.execute(insert(people).values(name="after"))
    await db.dispose()  # closes every pooled connection, the writer's too
    assert not (tmp_path / "driver.db-wal").exists()  # SQLite removes it when the last one closes
    assert await names(db) == ["after"]  # and opens new ones
