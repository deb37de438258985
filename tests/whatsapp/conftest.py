"""WhatsApp fixtures: the real app with WhatsApp on, talking to a fake Graph API on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import create_app
from storage import inbox, outbox, transaction
from tests.conftest import Clock, FixedIds
from tests.fakes import graph_api as graph
from tests.fakes.graph_api import FakeGraphApi, RunningGraph

TIMEOUT = 1  # seconds the channel waits for the Graph API, so a lost call is found out fast


def whatsapp_settings(settings: Settings, fake: FakeGraphApi, **more: Any) -> Settings:
    return replace(
        settings,
        whatsapp_token=graph.TOKEN,
        whatsapp_phone_number_id=graph.PHONE_NUMBER_ID,
        whatsapp_app_secret=graph.APP_SECRET,
        whatsapp_verify_token=graph.VERIFY_TOKEN,
        whatsapp_api_url=fake.url,
        whatsapp_timeout=TIMEOUT,
        **more,
    )


@pytest.fixture
async def graph_api() -> AsyncIterator[FakeGraphApi]:
    async with RunningGraph(FakeGraphApi()) as fake:
        yield fake


@pytest.fixture
async def whatsapp_app(settings: Settings, clock: Clock, graph_api: FakeGraphApi) -> AsyncIterator[FastAPI]:
    application = create_app(whatsapp_settings(settings, graph_api), clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


class WhatsAppDriver:
    """Posts webhooks as Meta would (signed), and waits until the inbox has applied them."""

    def __init__(self, app: FastAPI, fake: FakeGraphApi) -> None:
        self.app = app
        self.fake = fake
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async def post(self, payload: dict[str, Any], secret: str | None = graph.APP_SECRET) -> httpx.Response:
        body = graph.raw(payload)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Hub-Signature-256"] = graph.signature(body, secret)
        return await self.http.post("/whatsapp/webhook", content=body, headers=headers)

    async def send(self, payload: dict[str, Any]) -> list[str]:
        """Deliver one webhook; return the words of what the person got because of it."""
        before = len(self.fake.texts())
        response = await self.post(payload)
        assert response.status_code == 200, response.text
        await self.settled()
        return self.fake.texts()[before:]

    async def type(self, said: str, wa_id: str = graph.WA_ID) -> list[str]:
        return await self.send(graph.text(said, wa_id=wa_id))

    async def tap(self, label_part: str, wa_id: str = graph.WA_ID) -> list[str]:
        """Tap the button, or pick the list row, of the newest buttons or list sent to ``wa_id``."""
        kind, option, title = self.fake.option(label_part, wa_id)
        return await self.send(graph.tapped(kind, option, title, wa_id=wa_id))

    async def settled(self, within: float = 15.0, *, holding: bool = True) -> None:
        """Wait until every message stored is applied and every reply owed has reached the Graph API
        (``holding=False``: also every mark-as-read)."""
        worker = self.app.state.whatsapp.worker
        for _ in range(int(within / 0.01)):
            async with transaction(self.app.state.db) as connection:
                waiting = await inbox.pending_count(connection) + await outbox.unsent_count(
                    connection, holding=holding
                )
            if waiting == 0 and await worker.settled():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the inbox or the outbox did not empty")


@pytest.fixture
async def whatsapp(whatsapp_app: FastAPI, graph_api: FakeGraphApi) -> AsyncIterator[WhatsAppDriver]:
    driver = WhatsAppDriver(whatsapp_app, graph_api)
    yield driver
    await driver.http.aclose()
