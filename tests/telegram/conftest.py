"""Telegram fixtures: the real app with Telegram on, talking to a fake Bot API on loopback."""

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
from tests.fakes.bot_api import FakeBotApi, RunningFake

TOKEN = "123456:TEST-token-for-the-fake-api"
WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with RunningFake(FakeBotApi()) as fake:
        yield fake


@pytest.fixture
async def telegram_app(settings: Settings, clock: Clock, bot_api: FakeBotApi) -> AsyncIterator[FastAPI]:
    configured = replace(
        settings, telegram_token=TOKEN, telegram_webhook_secret=WEBHOOK_SECRET, telegram_api_url=bot_api.url
    )
    application = create_app(configured, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


class TelegramDriver:
    """Posts updates to the webhook as Telegram would, and waits until the inbox has applied them."""

    def __init__(self, app: FastAPI, bot_api: FakeBotApi) -> None:
        self.app = app
        self.bot_api = bot_api
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async def post(self, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> httpx.Response:
        query = update.get("callback_query")
        if query is not None:  # the fake can then tell whose button press an answer is about
            self.bot_api.queries[query["id"]] = int(query["message"]["chat"]["id"])
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.http.post("/telegram/webhook", json=update, headers=headers)

    async def send(self, update: dict[str, Any]) -> list[str]:
        """Deliver one update; return the texts the bot sent because of it."""
        before = len(self.bot_api.texts())
        response = await self.post(update)
        assert response.status_code == 200, response.text
        await self.settled()
        return self.bot_api.texts()[before:]

    async def settled(self, within: float = 15.0, *, holding: bool = True) -> None:
        """Wait until every update stored is applied and every reply owed has reached the Bot API
        (``holding=False``: also every answer to a button press and every old keyboard taken away)."""
        worker = self.app.state.telegram.worker
        for _ in range(int(within / 0.01)):
            async with transaction(self.app.state.db) as connection:
                waiting = await inbox.pending_count(connection) + await outbox.unsent_count(
                    connection, holding=holding
                )
            if waiting == 0 and await worker.settled():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the inbox or the outbox did not empty")

    async def tap(self, label_part: str, chat_id: int | None = None) -> list[str]:
        """Press the button of the newest keyboard (in ``chat_id``'s chat, when given)."""
        from tests.fakes.updates import CHAT_ID, callback

        message_id, button = self.bot_api.button(label_part, chat_id)
        chat = chat_id if chat_id is not None else CHAT_ID
        return await self.send(callback(button["callback_data"], message_id=message_id, chat_id=chat))


@pytest.fixture
async def telegram(telegram_app: FastAPI, bot_api: FakeBotApi) -> AsyncIterator[TelegramDriver]:
    driver = TelegramDriver(telegram_app, bot_api)
    yield driver
    await driver.http.aclose()
