"""PostgreSQL's /healthz check (``storage.database.ping``): it answers on a connection of its own,
so turns holding every pooled connection never make a health check wait, and a connection the
server dropped (PostgreSQL restarted, an administrator ending backends) is replaced at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import create_engine
from storage.database import ping
from tests.conftest import PG_URL, postgres_only


@pytest.fixture(params=postgres_only("postgres"))
async def db(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(PG_URL)
    yield engine
    await engine.dispose()


async def test_a_health_check_answers_while_turns_hold_every_pooled_connection(db: AsyncEngine) -> None:
    held: list[AsyncConnection] = []
    try:
        for _ in range(10):  # the pool's size, and no overflow
            connection = await db.connect()
            await connection.execute(text("SELECT 1"))
            held.append(connection)
        async with asyncio.timeout(2):  # the pool has nothing to give: this did not wait for it
            await ping(db)
    finally:
        for connection in held:
            await connection.close()


async def test_a_health_check_survives_its_connection_being_dropped(db: AsyncEngine) -> None:
    await ping(db)
    admin = create_engine(PG_URL)
    try:
        async with admin.connect() as connection:
            ended = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                )
            )
            assert ended.scalar_one() >= 1  # the health check's own connection among them
        await asyncio.sleep(0.2)
        await ping(db)  # no error: the dropped connection was replaced
    finally:
        await admin.dispose()
