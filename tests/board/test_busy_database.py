"""A database too busy to answer in time is a 503 with Retry-After on the board and the chat API,
never a 500: SQLite's write lock held by another process past the wait, or PostgreSQL's pool with
no connection free within its timeout. Nothing was changed, so the caller can simply try again."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from .helpers import add_user, signed_in


@asynccontextmanager
async def _database_held(engine: AsyncEngine) -> AsyncIterator[None]:
    """Another process holds SQLite's write lock; on PostgreSQL every pooled connection is taken,
    and the pool waits half a second for one (rather than its thirty) before giving up."""
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(make_url(str(engine.url)).database or "", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    pool = engine.sync_engine.pool
    waited, pool._timeout = pool._timeout, 0.5  # type: ignore[attr-defined]
    async with AsyncExitStack() as taken:
        for _ in range(pool.size()):  # type: ignore[attr-defined]
            await taken.enter_async_context(engine.connect())
        try:
            yield
        finally:
            pool._timeout = waited  # type: ignore[attr-defined]


async def test_a_busy_database_is_a_503_with_retry_after(app: FastAPI) -> None:
    await add_user(app, "board@kirklees.example")
    token = await app.state.board_auth.new_api_token("board@kirklees.example", "script")
    page = await signed_in(app, "board@kirklees.example")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    bearer = {"Authorization": f"Bearer {token}"}
    async with _database_held(app.state.service.db):
        answer = await api.get("/api/board/export?format=json", headers=bearer)
        shown = await page.get("/board/export?format=csv")
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["error"] == "busy"
    assert shown.status_code == 503 and "Please try again in a few seconds." in shown.text
    assert shown.headers["Retry-After"] == "5"
    again = await api.get("/api/board/export?format=json", headers=bearer)  # free again: it works
    assert again.status_code == 200 and again.json() == []
    await api.aclose()
    await page.aclose()


async def test_the_chat_api_says_busy_too_and_nothing_is_half_done(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Starting an evaluation while the database is held answers 503 with Retry-After, as the board
    does (before, PostgreSQL's pool timing out was a 500); sent again once it is free, it starts."""
    async with _database_held(app.state.service.db):
        answer = await client.post("/api/conversations", json={})
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["error"] == "busy"
    again = await client.post("/api/conversations", json={})
    assert again.status_code == 201, again.text
    assert again.json()["step"] == "choose_language"
