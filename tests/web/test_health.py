"""``/healthz`` from the background check: it answers at once, and says so when the database stops.

The unreachable database is a real one: PostgreSQL's driver connecting to a port nobody listens on.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import create_app
from bot.web.health import Health, health_running
from storage import create_engine
from tests.conftest import SECRET


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: a connection to it is refused


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'icf.db'}", secret_key=SECRET)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_healthz_is_ok_from_the_first_request_and_is_503_once_the_database_stops(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}  # checked before serving
        dead = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/icf")
        try:
            app.state.health.engine = dead  # as if the database went away
            await app.state.health.check()
            answer = await client.get("/healthz")
        finally:
            await dead.dispose()
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"


async def test_a_database_that_stops_answering_shows_within_a_check_and_recovers(tmp_path: Path) -> None:
    good = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'icf.db'}")
    dead = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/icf")
    health = Health(good, every=0.02, limit=0.5)
    seen: list[bool] = []
    try:
        async with health_running(health):
            seen.append(health.healthy())
            health.engine = dead
            for _ in range(200):  # until the background check has seen it (a few checks at most)
                await asyncio.sleep(0.02)
                if not health.healthy():
                    break
            seen.append(health.healthy())
            health.engine = good
            for _ in range(200):
                await asyncio.sleep(0.02)
                if health.healthy():
                    break
            seen.append(health.healthy())
    finally:
        await dead.dispose()
        await good.dispose()
    assert seen == [True, False, True]


async def test_the_checks_stop_when_asked_even_as_a_check_finishes(tmp_path: Path) -> None:
    """Stopping the server cancels the checks; a cancel that lands as a check finishes must still
    end them (Python 3.11's ``asyncio.wait_for`` returned the check's result there and dropped the
    cancel, so the checks went on and shutdown waited for ever: CI's stalls in app teardown)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'icf.db'}")
    stuck: list[int] = []
    try:
        for steps in [n for n in range(12) for _ in range(5)]:  # stopped after each number of the
            running = health_running(Health(engine, every=0.0))  # loop's turns, so at that moment too
            await running.__aenter__()
            for _ in range(steps):
                await asyncio.sleep(0)
            stopping = asyncio.ensure_future(running.__aexit__(None, None, None))
            await asyncio.wait([stopping], timeout=5)
            if not stopping.done() or [t for t in asyncio.all_tasks() if t.get_name() == "health checks"]:
                stuck.append(steps)
                break
    finally:
        await engine.dispose()
    assert stuck == []
