"""The daily digest against a local SMTP server (aiosmtpd on loopback) and a local webhook receiver,
both able to fail: each day's digest goes once, across a restart, and each person gets what they may see."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import re
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import select

from bot.board.digest import DigestService, sign
from bot.settings import Settings
from bot.web import create_app
from storage.models import AuditEntry
from tests.conftest import SECRET, Clock, FixedIds

from .helpers import add_user, annual_to_lead, list_organisations, send_activity_check

WEBHOOK_SECRET = "a-webhook-signing-key-that-is-long-enough"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received; ``refuse`` messages are turned away first (451, try later)."""

    messages: list[email.message.Message] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Please try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[str]:
        return [m.get_content().replace("\r\n", "\n") for m in self.messages if m["To"] == address]  # type: ignore[attr-defined]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A webhook receiver on loopback: answers each POST with the next status (then 200)."""

    statuses: list[int]
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            self.received.append((headers, body))
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(statuses=[500])
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def mailing_app(
    database_url: str, clock: Clock, mailbox: tuple[Mailbox, int], receiver: Receiver
) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        rate_per_client=0,
        rate_per_conversation=0,
        smtp_url=f"smtp://127.0.0.1:{mailbox[1]}",
        smtp_from="icf@kirklees.example",
        webhook_url=f"http://127.0.0.1:{receiver.port}/hook",
        webhook_secret=WEBHOOK_SECRET,
        digest_hour=23,  # the app's own daily run stays out of the way: the test runs it by hand
    )
    app = create_app(settings, clock=clock, ids=FixedIds())
    async with app.router.lifespan_context(app):
        yield app


async def test_the_digest_goes_once_to_each_person_across_a_restart(
    mailing_app: FastAPI, clock: Clock, mailbox: tuple[Mailbox, int], receiver: Receiver
) -> None:
    app, box = mailing_app, mailbox[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        await list_organisations(app, "Locala")
        for_board = await send_activity_check(client, "Locala", "For the board.")
        typed = await send_activity_check(client, "Batley Food Bank", "A new partner.")
        await annual_to_lead(app, client, "Locala", "Nursing", 3)
    await add_user(app, "board@kirklees.example")
    await add_user(app, "lead@locala.example", "org-lead", "Locala")
    await add_user(app, "quiet@kirklees.example")  # did not ask for it
    for address in ("board@kirklees.example", "lead@locala.example"):
        await app.state.board_auth.want_digest(address, True)

    clock.now = datetime(2026, 11, 24, 8, tzinfo=UTC)
    box.refuse = 1  # the SMTP server turns the first message away
    first = await app.state.digests.run()
    assert first == ["email lead@locala.example"]  # the board's mail waits; the webhook got a 500
    (lead_mail,) = box.to("lead@locala.example")
    assert re.search(r"ICF-2026-\d{8} · Locala · Nursing", lead_mail) and "For the board" not in lead_mail
    assert box.to("board@kirklees.example") == [] and receiver.received == []

    restarted = DigestService(
        app.state.service.sessions, app.state.settings, app.state.board_templates, clock
    )
    second = await restarted.run()
    assert sorted(second) == ["email board@kirklees.example", "webhook webhook"]
    (board_mail,) = box.to("board@kirklees.example")
    assert "2 evaluations were sent to you" in board_mail and "ICF-2026-00000001" in board_mail
    assert (
        "New organisation names to check:\n- Batley Food Bank" in board_mail and "Nursing" not in board_mail
    )
    assert f"/board/evaluations/{for_board}" in board_mail and f"/board/evaluations/{typed}" in board_mail
    assert box.to("quiet@kirklees.example") == []
    ((headers, body),) = receiver.received
    assert headers["x-icf-signature"] == "sha256=" + sign(WEBHOOK_SECRET, headers["x-icf-timestamp"], body)
    payload = json.loads(body)
    assert {s["evaluation_id"] for s in payload["submissions"]} == {for_board, typed}
    assert payload["new_organisations"] == ["Batley Food Bank"]

    assert await restarted.run() == [] and await app.state.digests.run() == []  # once a day, whoever runs it
    assert len(box.messages) == 2 and len(receiver.received) == 1

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        later = await send_activity_check(client, "Locala", "The next day.")
    clock.now = datetime(2026, 11, 25, 8, tzinfo=UTC)
    assert sorted(await app.state.digests.run()) == [
        "email board@kirklees.example",
        "webhook webhook",
    ]
    newest = box.to("board@kirklees.example")[-1]
    assert "1 evaluation was sent to you" in newest and f"/board/evaluations/{later}" in newest
    assert len(box.to("lead@locala.example")) == 1  # nothing new for the lead: no message at all
    async with app.state.service.sessions() as session:
        logged = [
            e.target for e in await session.scalars(select(AuditEntry).where(AuditEntry.action == "digest"))
        ]
    assert [json.loads(b)["total"] for _, b in receiver.received] == [2, 1]
    assert len(logged) == 5 and all("digest 2026-11-2" in t for t in logged)


async def test_two_processes_running_the_digest_at_once_send_it_once(
    mailing_app: FastAPI, clock: Clock, mailbox: tuple[Mailbox, int], receiver: Receiver
) -> None:
    app, box = mailing_app, mailbox[0]
    receiver.statuses = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        await list_organisations(app, "Locala")
        await send_activity_check(client, "Locala", "For the board.")
    await add_user(app, "board@kirklees.example")
    await app.state.board_auth.want_digest("board@kirklees.example", True)
    clock.now = datetime(2026, 11, 24, 8, tzinfo=UTC)
    here = app.state.digests
    there = DigestService(app.state.service.sessions, app.state.settings, app.state.board_templates, clock)
    done = await asyncio.gather(here.run(), there.run(), here.run())
    assert sorted(line for lines in done for line in lines) == [
        "email board@kirklees.example",
        "webhook webhook",
    ]
    assert len(box.messages) == 1 and len(receiver.received) == 1
