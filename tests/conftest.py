"""Shared fixtures: fixed ids and clock, a real SQLite file (and PostgreSQL when configured), the app."""

from __future__ import annotations

import gettext
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from bot.settings import Settings
from bot.web import create_app
from dialogs import Content, Context, Engine, load_default_content
from storage import create_engine

pytest_plugins = ["tests.stalls", "pytester"]

PG_URL = os.environ.get("ICF_TEST_DATABASE_URL", "").strip()
SECRET = b"test-secret-key-that-is-long-enough-000000"


def in_language(translator: gettext.NullTranslations, message: str) -> str:
    """What a reader of that language sees: a message with no translation fails here, rather than
    passing a test in English because both sides fell back to the same words."""
    said = translator.gettext(message)
    assert said != message, f"no translation of {message!r}"
    return said


class FixedIds:
    """Predictable codes, so tests can type them back."""

    def __init__(self) -> None:
        self._codes = itertools.count(1)
        self._returns = itertools.count(1)
        self._refs = itertools.count(1)

    def resume_code(self) -> str:
        return f"ABCD-EFGH-JK{next(self._codes):03d}"

    def return_code(self) -> str:
        return f"RTRN-CODE-NX{next(self._returns):03d}"

    def reference(self) -> str:
        return f"ICF-2026-{next(self._refs):08d}"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_default_content()


@pytest.fixture
def engine(content: Content) -> Engine:
    return Engine(content, FixedIds())


@pytest.fixture
def context() -> Context:
    return Context(translator=gettext.NullTranslations())


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _reset_postgres(url: str) -> None:
    db = create_engine(url)
    try:
        async with db.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


DATABASES = ["sqlite", *([pytest.param("postgres", marks=pytest.mark.postgres)] if PG_URL else [])]


def postgres_only(value: str) -> list[object]:
    """Parameters for a test that means PostgreSQL: skipped, saying why, when none is configured."""
    if PG_URL:
        return [pytest.param(value, marks=pytest.mark.postgres, id="postgres")]
    reason = "needs PostgreSQL: set ICF_TEST_DATABASE_URL (such as postgresql://postgres@127.0.0.1/test)"
    return [pytest.param(value, marks=pytest.mark.skip(reason=reason), id="postgres")]


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, and PostgreSQL too when ICF_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'icf.db'}"
        return
    await _reset_postgres(PG_URL)
    yield PG_URL


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET)


@pytest.fixture
async def app(settings: Settings, clock: Clock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("DATABASE_URL", "ICF_SECRET_KEY", "ICF_PORT", "ICF_HOST", "ICF_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    yield
