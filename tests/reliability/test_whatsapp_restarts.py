"""WhatsApp through restarts: a real server process killed (SIGKILL) in the middle of delivering a
reply, and stopped (SIGTERM) while a call is on its way.

The fake Graph API runs in this process; the app runs as ``icf serve`` runs it, in its own process,
on a SQLite file or PostgreSQL. Every reply owed must reach the fake exactly once: a call the fake
was still holding when the process died was not done (the fake drops it), so the next process
must send it, within ten seconds of starting.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes import graph_api as graph
from tests.fakes.graph_api import FakeGraphApi, RunningGraph

from .servers import Server, server_env
from .test_telegram_restarts import owed, until

pytestmark = pytest.mark.slow

NUMBER = "447700900930"
QUICK_CHECK: list[tuple[str, str]] = [
    ("type", "/start"),
    ("tap", "English"),
    ("tap", "Quick check"),
    ("type", "Ravensthorpe Friends"),
    ("type", "Park walks"),
    ("tap", "Celebrating"),
    ("tap", "Done"),
    ("tap", "4:"),
    ("type", "We opened the park together."),
    ("tap", "Time"),
    ("tap", "Done"),
    ("tap", "Skip"),  # no action
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphApi]:
    async with RunningGraph(FakeGraphApi()) as running:
        yield running


def whatsapp_env(database_url: str, data: Path, fake: FakeGraphApi) -> dict[str, str]:
    return server_env(
        database_url,
        data,
        WHATSAPP_TOKEN=graph.TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=graph.PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=graph.APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=graph.VERIFY_TOKEN,
        WHATSAPP_API_URL=fake.url,
        WHATSAPP_TIMEOUT="5",
    )


def once_each(fake: FakeGraphApi) -> None:
    """No message reached the person twice: the same words with the same options. (A question of
    several answers comes again after each pick, its picks ticked: not the same message.)"""
    shown = [str({k: v for k, v in m.items() if k != "to"}) for m in fake.shown(NUMBER)]
    repeated = {text[:200] for text in shown if shown.count(text) > 1}
    assert repeated == set(), repeated


class Chat:
    """A person's WhatsApp chat, whose messages Meta posts, signed, to a server's webhook."""

    def __init__(self, fake: FakeGraphApi) -> None:
        self.fake = fake
        self.url = ""

    def answers(self) -> int:
        return len(self.fake.shown(NUMBER))

    async def deliver(self, payload: dict[str, Any]) -> None:
        body = graph.raw(payload)
        headers = {"X-Hub-Signature-256": graph.signature(body), "Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(f"{self.url}/whatsapp/webhook", content=body, headers=headers)
        assert answer.status_code == 200, answer.text

    async def do(self, action: str, said: str, *, wait: bool = True) -> None:
        before = self.answers()
        if action == "type":
            await self.deliver(graph.text(said, wa_id=NUMBER))
        else:
            kind, option, title = self.fake.option(said, NUMBER)
            await self.deliver(graph.tapped(kind, option, title, wa_id=NUMBER))
        if wait:
            await until(lambda: self.answers() > before and not self.fake.held, 30, f"an answer to {said!r}")
            await asyncio.sleep(0.2)  # the rest of that answer


async def test_sigkill_in_the_middle_of_a_reply_delivers_the_rest_once_after_a_restart(
    database_url: str, tmp_path: Path, fake: FakeGraphApi
) -> None:
    env = whatsapp_env(database_url, tmp_path, fake)
    servers = [await Server(env, tmp_path / "first.log").start()]
    chat = Chat(fake)
    chat.url = servers[0].url
    try:
        for action, said in QUICK_CHECK:
            await chat.do(action, said)
        fake.hold[NUMBER] = asyncio.Event()
        fake.let_through[NUMBER] = 1  # the plan's words go; its link is on its way when the process is killed
        await chat.do("tap", "Show my plan", wait=False)
        await until(lambda: bool(fake.held), 20, "the plan's link on its way")
        servers[0].kill()
        await until(lambda: any(c.method.endswith("#abandoned") for c in fake.calls), 10, "the call dropped")
        del fake.hold[NUMBER]
        before = fake.texts(NUMBER)
        assert before[-1].startswith("Here is your support plan.") and not fake.called("document")
        restarted = await Server(env, tmp_path / "second.log").start()
        servers.append(restarted)
        took = await until(lambda: len(fake.texts(NUMBER)) == len(before) + 3, 10, "the rest of the reply")
        assert took <= 10
        rest = fake.texts(NUMBER)[len(before) :]
        assert rest[0].startswith("You can open your plan to print or save it here: http")
        assert rest[1] == "Your support plan"  # the document's caption
        assert "Who should get your answers and plan?" in rest[2]  # and then the next question
        assert len(fake.called("document")) == 1
        once_each(fake)
        chat.url = restarted.url
        await chat.do("tap", "Send to the board")  # and the chat goes on
        assert "Your reference is" in fake.texts(NUMBER)[-1]
        assert await owed(database_url) == []
    finally:
        for event in fake.hold.values():
            event.set()
        for each in servers:
            each.kill()


async def test_sigterm_finishes_the_message_in_hand_and_leaves_nothing_owed(
    database_url: str, tmp_path: Path, fake: FakeGraphApi
) -> None:
    env = whatsapp_env(database_url, tmp_path, fake)
    servers = [await Server(env, tmp_path / "first.log").start()]
    server = servers[0]
    chat = Chat(fake)
    chat.url = server.url
    try:
        await chat.do("type", "/start")
        fake.fail("interactive", "slow", seconds=2.0, to=NUMBER)  # the Graph API takes its time
        await chat.do("tap", "English", wait=False)
        await until(lambda: bool(fake.slowed), 20, "the reply on its way")
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.process.wait, 30)
        assert code in {0, -signal.SIGTERM} and "Application shutdown complete." in server.tail(), (
            server.tail()
        )
        assert "What would you like to do?" in fake.texts(NUMBER)[-1]  # delivered before it stopped
        assert await owed(database_url) == []
        calls = chat.answers()
        servers.append(await Server(env, tmp_path / "second.log").start())
        await asyncio.sleep(6)  # longer than a lease: anything owed would have gone by now
        assert chat.answers() == calls  # nothing was sent twice
        once_each(fake)
    finally:
        for each in servers:
            each.kill()
