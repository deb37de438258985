"""Telegram through restarts: a real server process killed (SIGKILL) in the middle of delivering a reply,
stopped (SIGTERM) while a call is on its way, and the same in polling mode.

The fake Bot API runs in this process; the app runs as ``icf serve`` runs it (or ``icf telegram
--polling``), in its own process, on a SQLite file or PostgreSQL. Every reply owed must reach the
fake exactly once: a call the fake was still holding when the process died was not done (the fake
drops it), so it must be sent again by the next process, within ten seconds of it starting.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from storage import InboxMessage, OutboxMessage, create_engine, transaction
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi, RunningFake

from .servers import ROOT, Server, server_env

pytestmark = pytest.mark.slow

TOKEN = "123456:restart-test-token"
SECRET = "restart-webhook-secret-0123456789"
CHAT = 930_001
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


async def until(check: Callable[[], bool], within: float, what: str) -> float:
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > within:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - began


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with RunningFake(FakeBotApi()) as running:
        yield running


def telegram_env(database_url: str, data: Path, fake: FakeBotApi, *, webhook: bool = True) -> dict[str, str]:
    """Telegram on, talking to the fake; by webhook (``icf serve``) or not (for polling)."""
    return server_env(
        database_url,
        data,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET if webhook else "",
        TELEGRAM_API_URL=fake.url,
        TELEGRAM_MESSAGES_PER_SECOND="0",
    )


class Chat:
    """A person's Telegram chat, sending updates to a server's webhook (or to the fake's getUpdates)."""

    def __init__(self, fake: FakeBotApi, chat_id: int = CHAT) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.url = ""
        self.polling = False

    def calls(self) -> int:
        return len([c for c in self.fake.calls if int(c.params.get("chat_id") or 0) == self.chat_id])

    def answers(self) -> int:
        """Messages sent to the chat, and keyboards changed in place: what answers an update."""
        edits = [p for p in self.fake.called("editMessageReplyMarkup") if p.get("reply_markup")]
        return len(self.fake.texts(self.chat_id)) + len(edits)

    async def deliver(self, update: dict[str, Any]) -> None:
        query = update.get("callback_query")
        if query is not None:
            self.fake.queries[query["id"]] = self.chat_id
        if self.polling:
            self.fake.updates.append(update)
            return
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(
                f"{self.url}/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert answer.status_code == 200, answer.text

    async def do(self, action: str, said: str, *, wait: bool = True) -> None:
        before = self.answers()
        if action == "type":
            await self.deliver(updates.message(said, chat_id=self.chat_id))
        else:
            message_id, button = self.fake.button(said, self.chat_id)
            await self.deliver(
                updates.callback(button["callback_data"], message_id=message_id, chat_id=self.chat_id)
            )
        if wait:
            await until(
                lambda: self.answers() > before and not self.fake.held, 30, f"an answer to {said[:30]!r}"
            )
            await asyncio.sleep(0.2)  # the rest of that answer (an old keyboard taken away)


async def owed(database_url: str) -> list[Any]:
    """Replies and notices stored and not sent (nor given up)."""
    db = create_engine(database_url)
    try:
        async with transaction(db) as connection:
            query = select(OutboxMessage.id, OutboxMessage.kind).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.holds
            )
            return list((await connection.execute(query)).all())
    finally:
        await db.dispose()


def once_each(texts: list[str]) -> None:
    repeated = {text[:60] for text in texts if texts.count(text) > 1}
    assert repeated == set(), repeated


async def test_sigkill_in_the_middle_of_a_reply_delivers_the_rest_once_after_a_restart(
    database_url: str, tmp_path: Path, fake: FakeBotApi
) -> None:
    env = telegram_env(database_url, tmp_path, fake)
    servers = [await Server(env, tmp_path / "first.log").start()]
    server = servers[0]
    chat = Chat(fake)
    chat.url = server.url
    try:
        for action, said in QUICK_CHECK:
            await chat.do(action, said)
        fake.hold[CHAT] = asyncio.Event()
        fake.let_through[CHAT] = 1  # the plan's words go; its link is on its way when the process is killed
        await chat.do("tap", "Show my plan", wait=False)
        await until(lambda: bool(fake.held), 20, "the plan's link on its way")
        server.kill()
        await until(lambda: any(c.method.endswith("#abandoned") for c in fake.calls), 10, "the call dropped")
        del fake.hold[CHAT]
        before = fake.texts(CHAT)
        assert before[-1].startswith("Here is your support plan.") and not fake.called("sendDocument")
        restarted = await Server(env, tmp_path / "second.log").start()
        servers.append(restarted)
        took = await until(lambda: len(fake.texts(CHAT)) == len(before) + 2, 10, "the rest of the reply")
        assert took <= 10
        rest = fake.texts(CHAT)[len(before) :]
        assert rest[0].startswith("You can open your plan to print or save it here: http")
        assert (
            len(rest) == 2 and "Who should get your answers and plan?" in rest[1]
        )  # and then the next question
        assert len(fake.called("sendDocument")) == 1
        once_each(fake.texts(CHAT))
        chat.url = restarted.url
        await chat.do("tap", "Send to the board")  # and the chat goes on
        assert "Your reference is" in fake.texts(CHAT)[-1]
        assert await owed(database_url) == []
    finally:
        for event in fake.hold.values():
            event.set()
        for each in servers:
            each.kill()


async def test_sigterm_finishes_the_update_in_hand_and_leaves_nothing_owed(
    database_url: str, tmp_path: Path, fake: FakeBotApi
) -> None:
    env = telegram_env(database_url, tmp_path, fake)
    servers = [await Server(env, tmp_path / "first.log").start()]
    server = servers[0]
    chat = Chat(fake)
    chat.url = server.url
    try:
        await chat.do("type", "/start")
        fake.fail("sendMessage", "slow", seconds=2.0, chat_id=CHAT)  # Telegram takes its time
        await chat.do("tap", "English", wait=False)
        await until(lambda: bool(fake.slowed), 20, "the reply on its way")
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.process.wait, 30)
        # uvicorn ends by raising the signal again, once its shutdown (and ours) is complete
        assert code in {0, -signal.SIGTERM} and "Application shutdown complete." in server.tail(), (
            server.tail()
        )
        assert "What would you like to do?" in fake.texts(CHAT)[-1]  # delivered before it stopped
        assert await owed(database_url) == []
        calls = chat.calls()
        servers.append(await Server(env, tmp_path / "second.log").start())
        await asyncio.sleep(6)  # longer than a lease: anything owed would have gone by now
        assert chat.calls() == calls, fake.calls[-3:]  # nothing was sent twice
        once_each(fake.texts(CHAT))
    finally:
        for each in servers:
            each.kill()


class Poller:
    """``icf telegram --polling`` as its own process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> Poller:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "bot.cli.main", "telegram", "--polling"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


async def test_polling_sigkill_mid_delivery_delivers_once_after_a_restart(
    database_url: str, tmp_path: Path, fake: FakeBotApi
) -> None:
    env = telegram_env(database_url, tmp_path, fake, webhook=False)
    chat = Chat(fake)
    chat.polling = True
    first = Poller(env, tmp_path / "first.log").spawn()
    pollers = [first]
    try:
        await until(lambda: bool(fake.called("getUpdates")), 60, "the first process polling")
        await chat.do("type", "/start")
        fake.hold[CHAT] = asyncio.Event()
        await chat.do("tap", "English", wait=False)
        await until(lambda: bool(fake.held), 20, "the reply on its way")
        first.kill()
        await until(lambda: any(c.method.endswith("#abandoned") for c in fake.calls), 10, "the call dropped")
        del fake.hold[CHAT]
        polls = len(fake.called("getUpdates"))
        second = Poller(env, tmp_path / "second.log").spawn()
        pollers.append(second)
        await until(lambda: len(fake.called("getUpdates")) > polls, 60, "the second process polling")
        took = await until(lambda: len(fake.texts(CHAT)) == 2, 10, "the reply owed")
        assert took <= 10 and "What would you like to do?" in fake.texts(CHAT)[-1]
        await chat.do("tap", "Quick check")
        assert "name of your organisation" in fake.texts(CHAT)[-1]
        once_each(fake.texts(CHAT))
    finally:
        for poller in pollers:
            poller.kill()


async def test_polling_confirms_an_update_only_once_it_is_stored(
    database_url: str, tmp_path: Path, fake: FakeBotApi
) -> None:
    """Each getUpdates confirms the updates before its offset: every one of them is in the inbox by then."""
    env = telegram_env(database_url, tmp_path, fake, webhook=False)
    db = create_engine(database_url)
    unstored: list[int] = []
    checking = asyncio.Lock()  # held while a check reads; the engine is disposed only once none is
    done = False

    async def check(offset: int) -> None:
        async with checking:
            if done:  # a poll that began as the test ended: a connection opened now would leak
                return
            async with transaction(db) as connection:
                keys = (await connection.execute(select(InboxMessage.message_key))).scalars()
                stored = {int(key) for key in keys}
        unstored.extend(
            u["update_id"] for u in fake.updates if u["update_id"] < offset and u["update_id"] not in stored
        )

    chat = Chat(fake)
    chat.polling = True
    poller = Poller(env, tmp_path / "poll.log").spawn()
    try:
        await until(lambda: bool(fake.called("getUpdates")), 60, "polling")
        fake.on_get_updates = check
        for said in ["/start", "/help", "/privacy"]:
            await chat.do("type", said)
        offsets = [int(p["offset"]) for p in fake.called("getUpdates") if p.get("offset")]
        assert offsets and max(offsets) > max(u["update_id"] for u in fake.updates)  # all were confirmed
        assert unstored == []
    finally:
        fake.on_get_updates = None
        poller.kill()
        async with checking:
            done = True
            await db.dispose()
