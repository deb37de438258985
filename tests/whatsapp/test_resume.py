"""Resume codes across all three channels: a code from WhatsApp carries on in the web chat and on
Telegram, and theirs on WhatsApp; the chat left behind is told, once, and starts nothing after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import Clock, FixedIds
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi, RunningFake
from tests.fakes.graph_api import FakeGraphApi
from tests.telegram.conftest import TOKEN, WEBHOOK_SECRET, TelegramDriver

from .conftest import WhatsAppDriver, whatsapp_settings
from .test_conversation import start_annual

CARRIED_ON = "This check now goes on somewhere else, with its code."
DETACHED = "This chat is not linked to a check now."


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with RunningFake(FakeBotApi()) as fake:
        yield fake


@pytest.fixture
async def both_app(
    settings: Settings, clock: Clock, graph_api: FakeGraphApi, bot_api: FakeBotApi
) -> AsyncIterator[FastAPI]:
    configured = replace(
        whatsapp_settings(settings, graph_api),
        telegram_token=TOKEN,
        telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_api_url=bot_api.url,
    )
    application = create_app(configured, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def channels(
    both_app: FastAPI, graph_api: FakeGraphApi, bot_api: FakeBotApi
) -> AsyncIterator[tuple[WhatsAppDriver, TelegramDriver]]:
    whatsapp, telegram = WhatsAppDriver(both_app, graph_api), TelegramDriver(both_app, bot_api)
    yield whatsapp, telegram
    await whatsapp.http.aclose()
    await telegram.http.aclose()


def code_in(said: str) -> str:
    return said.split("Your code is ")[1].split(".")[0]


async def paused_on_whatsapp(whatsapp: WhatsAppDriver) -> str:
    await start_annual(whatsapp, organisation="Healthwatch Kirklees")
    assert "Question 2 of 4" in (await whatsapp.tap("Partly"))[-1]
    return code_in((await whatsapp.type("pause"))[-1])


async def test_a_whatsapp_code_carries_on_in_the_web_chat(
    channels: tuple[WhatsAppDriver, TelegramDriver],
) -> None:
    whatsapp, _ = channels
    code = await paused_on_whatsapp(whatsapp)
    resumed = await whatsapp.http.post("/api/resume", json={"code": code})
    assert resumed.status_code == 200, resumed.text
    body = resumed.json()
    assert "Question 2 of 4" in body["replies"][0]["text"]
    await whatsapp.settled()
    assert CARRIED_ON in whatsapp.fake.texts()[-1]  # the chat left behind is told
    headers = {"Authorization": f"Bearer {body['token']}"}
    url = f"/api/conversations/{body['conversation_id']}/messages"
    nxt = await whatsapp.http.post(url, json={"choice": "yes"}, headers=headers)
    assert "Question 3 of 4" in nxt.json()["replies"][-1]["text"]
    assert DETACHED in (await whatsapp.type("Yes"))[-1]  # and changes nothing from there
    history = (await whatsapp.http.get(url, headers=headers)).json()
    assert {"whatsapp", "web"} <= {entry["channel"] for entry in history}
    assert [e["text"] for e in history if e["direction"] == "in"][-1] == "Yes"  # the web's answer, once


async def test_a_whatsapp_code_carries_on_on_telegram(
    channels: tuple[WhatsAppDriver, TelegramDriver],
) -> None:
    whatsapp, telegram = channels
    code = await paused_on_whatsapp(whatsapp)
    shown = await telegram.send(updates.message(f"/resume {code}"))
    assert "Welcome back!" in shown[-1] and "Question 2 of 4" in shown[-1]
    await whatsapp.settled()
    assert CARRIED_ON in whatsapp.fake.texts()[-1]
    assert "Question 3 of 4" in (await telegram.tap("Yes"))[-1]
    assert DETACHED in (await whatsapp.tap("Yes"))[-1]  # its old list is not linked any more
    again = await whatsapp.type(f"/resume {code}")  # a code is used once
    assert again == ["That code did not work. Please check it and try again."]


async def test_a_telegram_code_carries_on_on_whatsapp(
    channels: tuple[WhatsAppDriver, TelegramDriver],
) -> None:
    whatsapp, telegram = channels
    await telegram.send(updates.message("/start"))
    await telegram.tap("English")
    await telegram.tap("Quick check")
    await telegram.send(updates.message("Ravensthorpe Friends"))
    code = code_in((await telegram.send(updates.message("/pause")))[-1])
    shown = await whatsapp.type(f"/resume {code}")
    assert "Welcome back!" in shown[-1] and "What is the activity called?" in shown[-1]
    assert CARRIED_ON in telegram.bot_api.texts()[-1]
    assert "Which ways of working" in (await whatsapp.type("Park walks"))[-1]
    assert "This chat is not linked" in (await telegram.send(updates.message("Park walks")))[-1]


async def test_a_web_code_carries_on_on_whatsapp(channels: tuple[WhatsAppDriver, TelegramDriver]) -> None:
    whatsapp, _ = channels
    http: httpx.AsyncClient = whatsapp.http
    started = (await http.post("/api/conversations", json={})).json()
    headers = {"Authorization": f"Bearer {started['token']}"}
    url = f"/api/conversations/{started['conversation_id']}/messages"
    for body in ({"choice": "en"}, {"choice": "activity"}, {"text": "Locala"}):
        await http.post(url, json=body, headers=headers)
    paused = (await http.post(url, json={"text": "/pause"}, headers=headers)).json()
    # copied from a right-to-left message, the command keeps the marks that held it left to right
    shown = await whatsapp.type(f"\u2066/resume\u2069 {code_in(paused['replies'][0]['text'])}")
    assert "Welcome back!" in shown[-1] and "What is the activity called?" in shown[-1]
    assert "Which ways of working" in (await whatsapp.type("Family fun day"))[-1]
    refused = await http.post(url, json={"text": "Another day"}, headers=headers)
    assert refused.status_code == 404  # the web's old token is let go
