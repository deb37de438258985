"""Nothing stalls a conversation: a lock held elsewhere or a sign-in delays only what needs it.

The app runs whole, through its ASGI interface, on a real SQLite file; the other process holding the
file's write lock is a real one (tests/storage/write_lock.py), as ``icf board pull`` or ``icf
retention run`` beside ``icf serve``. Order of completion is what is checked, never durations.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.board import auth
from bot.settings import Settings
from bot.web import create_app
from tests.board.helpers import PASSWORD
from tests.conftest import SECRET, Clock, FixedIds
from tests.storage.write_lock import WriteLockHolder
from tests.web.chat_client import ApiChat


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "icf.db"


@pytest.fixture
async def sqlite_app(path: Path, clock: Clock) -> AsyncIterator[FastAPI]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", secret_key=SECRET)
    application = create_app(settings, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(sqlite_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sqlite_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def answers(history: list[dict[str, object]]) -> list[object]:
    return [entry["choice"] or entry["text"] for entry in history if entry["direction"] == "in"]


async def test_while_another_process_holds_the_write_lock_health_reads_and_the_page_answer(
    http: httpx.AsyncClient, path: Path
) -> None:
    chat = ApiChat(http)
    await chat.start()  # English chosen
    done: list[str] = []

    async def turn() -> httpx.Response:
        response = await chat.post({"choice": "activity", "client_message_id": "tap-1"})
        done.append("turn")
        return response

    async with WriteLockHolder(path) as other:
        turning = asyncio.create_task(turn())
        await asyncio.sleep(0.2)  # the turn is waiting for the lock by now
        health = await http.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert answers(await chat.history()) == ["en"]  # a read: what was committed, at once
        assert (await http.get("/")).status_code == 200  # the chat page
        done.append("health, reads and the page")
        assert not turning.done()
        await other.release()
        turned = await turning
    assert done == ["health, reads and the page", "turn"]
    assert turned.status_code == 200, turned.text  # no error: it waited for the lock
    assert turned.json()["step"] == "organisation"
    assert answers(await chat.history()) == ["en", "activity"]  # nothing lost, nothing twice


@pytest.mark.parametrize("password", [PASSWORD, "a wrong password, twelve+"], ids=["right", "wrong"])
async def test_a_sign_in_does_not_hold_up_a_turn_that_comes_after_it(
    http: httpx.AsyncClient, sqlite_app: FastAPI, password: str
) -> None:
    await sqlite_app.state.board_auth.add_user("board@kirklees.example", PASSWORD, "board", None)
    chat = ApiChat(http)
    await chat.start()
    done: list[str] = []

    assert (await http.get("/board/login")).status_code == 200  # the sign-in page sets its cookie

    async def sign_in() -> None:
        form = {"email": "board@kirklees.example", "password": password, "next": "/board"}
        response = await http.post("/board/login", data=form)
        assert response.status_code == (303 if password == PASSWORD else 401)
        done.append("sign-in")

    async def turn() -> None:
        assert "organisation" in await chat.say("@activity")
        done.append("turn")

    signing_in = asyncio.create_task(sign_in())
    await asyncio.sleep(0.03)  # the sign-in is hashing by now (Argon2 takes a few hundred ms here)
    await asyncio.gather(signing_in, turn())
    assert done == ["turn", "sign-in"]


async def test_password_hashing_gives_way_to_the_conversations() -> None:
    """A hash keeps both cores busy for a fifth of a second: it runs below the server's priority
    (and so do the threads Argon2 starts for it), so a turn that wants a core gets it first."""
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def priority(*_: str) -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert await auth._hashing(priority) == min(own + auth.HASHING_NICENESS, 19)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # the loop's thread is as it was


STARTED = """
import asyncio, gc, json, sys
from bot.settings import Settings
from bot.web import create_app

async def main() -> None:
    settings = Settings(database_url=sys.argv[1], secret_key=b"x" * 32)
    application = create_app(settings, freeze_heap=sys.argv[2] == "freeze")
    async with application.router.lifespan_context(application):
        print(json.dumps({"walked": len(gc.get_objects(generation=2)), "frozen": gc.get_freeze_count()}))

asyncio.run(main())
"""


def test_a_full_collection_in_the_server_does_not_walk_what_start_up_made(tmp_path: Path) -> None:
    """``icf serve`` freezes its start-up objects, so the collector's full passes, each of which stops
    the loop, walk only what came after (a pass over them took up to 137 ms)."""

    def started(mode: str) -> dict[str, int]:
        url = f"sqlite+aiosqlite:///{tmp_path / f'{mode}.db'}"
        done = subprocess.run(  # noqa: S603 - this interpreter, this script
            [sys.executable, "-c", STARTED, url, mode],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        found: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
        return found

    frozen, as_made = started("freeze"), started("as-made")
    assert as_made["frozen"] == 0
    assert frozen["frozen"] > as_made["walked"] // 2  # most of what start-up made is frozen
    assert frozen["walked"] < as_made["walked"] // 10
