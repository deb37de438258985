"""Limits: body size, text length, calls per client and per conversation, resume-code guesses.

Each is set by an environment variable; over a rate limit the answer is 429 with Retry-After.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings, SettingsError
from bot.web import create_app
from bot.web.ratelimit import MAX_KEYS, TokenBuckets
from tests.conftest import SECRET, Clock, FixedIds
from tests.web.chat_client import ApiChat

AppMaker = Callable[..., AbstractAsyncContextManager[FastAPI]]


@pytest.fixture
def make_app(tmp_path: Path, clock: Clock) -> AppMaker:
    @asynccontextmanager
    async def make(**changes: object) -> AsyncIterator[FastAPI]:
        settings = replace(
            Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'icf.db'}", secret_key=SECRET),
            **changes,  # type: ignore[arg-type]  # any field of Settings
        )
        app = create_app(settings, clock=clock, ids=FixedIds())
        async with app.router.lifespan_context(app):
            yield app

    return make


def client_from(app: FastAPI, address: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def test_every_limit_is_read_from_the_environment(tmp_path: Path) -> None:
    env = {
        "ICF_DATA_DIR": str(tmp_path),
        "ICF_MAX_BODY_BYTES": "2048",
        "ICF_MAX_TEXT": "500",
        "ICF_RATE_PER_CLIENT": "7",
        "ICF_RATE_PER_CONVERSATION": "0",
        "ICF_RESUME_FAILS_PER_CLIENT": "3",
        "ICF_RESUME_TRIES_PER_CODE": "2",
        "ICF_RETENTION_DAYS": "90",
    }
    settings = Settings.from_env(env)
    assert (settings.max_body_bytes, settings.max_text) == (2048, 500)
    assert (settings.rate_per_client, settings.rate_per_conversation) == (7, 0)
    assert (settings.resume_fails_per_client, settings.resume_tries_per_code) == (3, 2)
    assert settings.retention_days == 90
    defaults = Settings.from_env({"ICF_DATA_DIR": str(tmp_path)})
    assert (defaults.max_body_bytes, defaults.max_text, defaults.resume_fails_per_client) == (65536, 4000, 10)
    for name, bad in [("ICF_MAX_BODY_BYTES", "10"), ("ICF_RATE_PER_CLIENT", "-1"), ("ICF_MAX_TEXT", "lots")]:
        with pytest.raises(SettingsError):
            Settings.from_env({**env, name: bad})


async def test_bodies_and_texts_are_capped_as_configured(make_app: AppMaker) -> None:
    async with make_app(max_body_bytes=2048, max_text=100) as app, client_from(app) as http:
        chat = ApiChat(http)
        await chat.start()
        before = await chat.history()
        too_big = await http.post(
            f"/api/conversations/{chat.id}/messages",
            content=b'{"text": "' + b"x" * 3000 + b'"}',
            headers={**chat.headers, "content-type": "application/json"},
        )
        assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
        too_long = await chat.post({"text": "x" * 101})
        assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "text"]
        not_unicode = await http.post(
            f"/api/conversations/{chat.id}/messages",
            content=b'{"text": "\\ud800 story"}',  # a lone surrogate: valid JSON, not storable text
            headers={**chat.headers, "content-type": "application/json"},
        )
        assert not_unicode.status_code == 422
        assert await chat.history() == before  # none of it was applied
        await chat.say("@activity")
        shown = await chat.say("y" * 100)  # exactly at the limit is fine: taken as the organisation
        assert chat.last["step"] == "activity_name" and "What is the activity called?" in shown
        schema = (await http.get("/openapi.json")).json()
        text = schema["components"]["schemas"]["MessageIn"]["properties"]["text"]
        assert {"type": "string", "maxLength": 100} in text["anyOf"]  # the schema tells the limit


async def test_calls_per_client_are_limited_with_retry_after(make_app: AppMaker) -> None:
    async with make_app(rate_per_client=5) as app:
        async with client_from(app, "10.0.0.1") as http, client_from(app, "10.0.0.2") as neighbour:
            answers = [await http.get("/api/words/en") for _ in range(6)]
            assert [a.status_code for a in answers] == [200] * 5 + [429]
            limited = answers[-1]
            assert limited.json()["error"] == "rate_limited"
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.headers["content-security-policy"]  # hardened like any answer
            assert (await neighbour.get("/api/words/en")).status_code == 200  # another address is fine
            assert (await http.get("/")).status_code == 200  # pages and static files are not counted


async def test_calls_per_conversation_are_limited(make_app: AppMaker) -> None:
    async with make_app(rate_per_client=0, rate_per_conversation=4) as app:
        async with client_from(app) as http:
            busy, calm = ApiChat(http), ApiChat(http)
            await busy.start()  # the start itself is not on a conversation yet; choosing English is 1
            await calm.start()
            for _ in range(3):
                assert (await busy.post({"choice": "help"})).status_code == 200
            limited = await busy.post({"choice": "annual"})
            assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
            assert (await calm.post({"choice": "annual"})).status_code == 200


async def test_resume_code_guesses_are_limited_per_client_and_per_code(
    make_app: AppMaker,
) -> None:
    async with make_app(resume_fails_per_client=10, resume_tries_per_code=3) as app:
        async with client_from(app, "10.0.0.1") as guesser, client_from(app, "10.0.0.9") as owner:
            chat = ApiChat(owner)
            await chat.start()
            await chat.say("/pause")  # issues ABCD-EFGH-JK001
            wrong = [
                await guesser.post("/api/resume", json={"code": f"ZZZZ-ZZZZ-ZZ{n:03d}"}) for n in range(10)
            ]
            assert {w.status_code for w in wrong} == {404}
            blocked = await guesser.post("/api/resume", json={"code": "ABCD-EFGH-JK001"})
            assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1  # even a right one
            # one code from many addresses: at most 3 tries a minute
            tries = []
            for n in range(4):
                async with client_from(app, f"10.0.1.{n}") as somewhere:
                    tries.append(await somewhere.post("/api/resume", json={"code": "QQQQ-QQQQ-QQQQQ"}))
            assert [t.status_code for t in tries] == [404, 404, 404, 429]
            resumed = await owner.post("/api/resume", json={"code": "abcd efgh jk001"})
            assert resumed.status_code == 200  # the owner, from their own address, is not held up


def test_buckets_refill_and_forget_idle_keys() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=6, clock=lambda: now[0])  # one token every 10 s
    assert [buckets.take("a") for _ in range(6)] == [0.0] * 6
    assert buckets.take("a") == pytest.approx(10.0)
    now[0] += 10.0
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    for n in range(1000):
        buckets.take(f"k{n}")
    assert len(buckets) == 1001
    now[0] += 120.0  # all full again: nothing worth keeping
    buckets.take("b")
    assert len(buckets) == 1  # memory does not grow with the number of clients seen
    off = TokenBuckets(per_minute=0)
    assert all(off.take("x") == 0.0 for _ in range(1000)) and len(off) == 0


def test_a_flood_of_busy_addresses_is_capped_and_the_longest_idle_are_forgotten() -> None:
    """Every address still counting (none full again), more of them than the cap: memory stays at
    the cap, the newest keep their limits, and the longest idle start afresh."""
    now = [0.0]
    buckets = TokenBuckets(per_minute=2, clock=lambda: now[0])
    flood = MAX_KEYS + 20
    for n in range(flood):
        buckets.take(f"10.0.{n}")
        now[0] += 10.0 / flood  # all within ten seconds: nobody's bucket has filled up again
    assert len(buckets) <= MAX_KEYS
    newest = f"10.0.{flood - 1}"
    assert buckets.take(newest) == 0.0 and buckets.take(newest) > 0  # still held to its limit
    assert [buckets.take("10.0.0") for _ in range(2)] == [0.0, 0.0]  # forgotten: a full bucket again
