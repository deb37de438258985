"""Running Telegram: polling, registering the webhook, 429s, long messages, and inbox order."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.settings import Settings, SettingsError
from bot.telegram import cli
from bot.telegram.text import split_message
from bot.translations import Catalogs
from dialogs import messages
from storage import create_engine, inbox, transaction, upgrade_engine
from storage.inbox import Arrived
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi

from .conftest import TOKEN, WEBHOOK_SECRET, TelegramDriver


async def test_polling_answers_without_a_public_address(settings: Settings, bot_api: FakeBotApi) -> None:
    configured = replace(settings, telegram_token=TOKEN, telegram_api_url=bot_api.url)
    bot_api.updates.append(updates.message("/start", language="pl"))
    stop = asyncio.Event()
    polling = asyncio.create_task(cli.poll(configured, stop))
    for _ in range(300):
        if bot_api.texts():
            break
        await asyncio.sleep(0.02)
    stop.set()
    async with asyncio.timeout(10):
        await polling
    assert bot_api.called("deleteWebhook")
    polish = Catalogs().translator("pl").gettext(messages.CHOOSE_LANGUAGE)
    assert polish != messages.CHOOSE_LANGUAGE and polish in bot_api.texts()[0]  # Telegram's language_code
    assert len(bot_api.called("setMyCommands")) == 7


async def test_set_webhook_registers_the_secret_and_the_menu(settings: Settings, bot_api: FakeBotApi) -> None:
    configured = replace(
        settings,
        telegram_token=TOKEN,
        telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_api_url=bot_api.url,
        public_url="https://icf.example.org",
    )
    await cli.set_webhook(configured)
    [hook] = bot_api.called("setWebhook")
    assert hook["url"] == "https://icf.example.org/telegram/webhook"
    assert hook["secret_token"] == WEBHOOK_SECRET
    assert set(hook["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    polish = next(m for m in bot_api.called("setMyCommands") if m.get("language_code") == "pl")
    assert polish["commands"][0]["command"] == "start" and polish["commands"][0]["description"] != ""
    with pytest.raises(SettingsError):
        await cli.set_webhook(replace(configured, telegram_webhook_secret=""))


async def test_a_429_waits_for_its_retry_after_and_the_input_is_applied_once(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    bot_api.fail("sendMessage", "429", seconds=1)
    shown = await telegram.send(updates.message("/start"))
    assert len(shown) == 1 and "Which language" in shown[0]
    tries = [c for c in bot_api.calls if c.method.startswith("sendMessage")]
    assert [c.method for c in tries] == ["sendMessage#429", "sendMessage"]
    assert tries[1].at - tries[0].at >= 0.95  # Telegram's retry_after, honoured
    history = await telegram.app.state.service.linked("telegram", str(updates.CHAT_ID))
    assert history is not None and history.step == "choose_language"


def test_long_messages_split_between_words() -> None:
    text = " ".join(f"word{i}" for i in range(1750))
    pieces = split_message(text)
    assert len(pieces) == 4 and all(len(p) <= 4096 for p in pieces)  # 14,639 characters
    assert " ".join(pieces) == text  # nothing lost, no word cut in two
    paragraphs = "\n\n".join(["a" * 3000, "b" * 3000])
    assert split_message(paragraphs) == ["a" * 3000, "b" * 3000]


async def test_the_inbox_drops_repeats_and_keeps_each_chats_order(database_url: str) -> None:
    db = create_engine(database_url)
    await upgrade_engine(db)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    try:
        async with transaction(db) as connection:
            stored = [
                Arrived("telegram", str(update_id), str(chat_id), {"update_id": update_id}, update_id)
                for update_id, chat_id in [(3, 10), (2, 20), (1, 10)]
            ]
            assert await inbox.store(connection, stored, now) == 3
            assert await inbox.store(connection, stored[:1], now) == 0  # a repeat is dropped
            first = [m.message_key for m in await inbox.pending(connection, "telegram", "10")]
            assert first == ["1", "3"]  # update_id order, whatever the order they came in
            waiting = await inbox.pending(connection, "telegram", "10")
            await inbox.hold_back(connection, "telegram", "10", now + timedelta(seconds=2))
            await inbox.mark_processed(connection, waiting[0].id, now)
            later = await inbox.pending(connection, "telegram", "10")
        assert [m.message_key for m in later] == ["3"] and later[0].not_before == now + timedelta(seconds=2)
        assert later[0].payload == {"update_id": 3}
    finally:
        await db.dispose()


async def test_a_chat_waiting_on_telegram_does_not_hold_up_the_others(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    slow, quick = 610_001, 610_002
    bot_api.hold[slow] = release = asyncio.Event()
    assert (await telegram.post(updates.message("/start", chat_id=slow))).status_code == 200
    assert (await telegram.post(updates.message("/start", chat_id=quick))).status_code == 200
    for _ in range(500):
        if bot_api.texts(quick):
            break
        await asyncio.sleep(0.01)
    assert bot_api.texts(quick), "the second chat waited for Telegram to answer the first"
    assert not bot_api.texts(slow)
    release.set()
    await telegram.settled()
    assert bot_api.texts(slow) == bot_api.texts(quick)  # the same welcome, only later


async def test_retention_keeps_what_telegram_sent_only_a_while(
    telegram: TelegramDriver, settings: Settings
) -> None:
    from bot.retention import run_retention
    from storage import InboxMessage, Lane, OutboxMessage, utcnow

    await telegram.send(updates.message("/start"))
    await telegram.send(updates.in_group("hello everyone"))  # a lane for the group, nothing linked to it
    sessions = telegram.app.state.service.sessions

    async def rows(model: type) -> int:
        async with transaction(telegram.app.state.db) as connection:
            return len((await connection.execute(select(model))).all())

    assert (await rows(OutboxMessage), await rows(InboxMessage), await rows(Lane)) == (1, 2, 2)
    now = utcnow()
    report = await run_retention(sessions, settings, now + timedelta(days=1))
    assert report.outbox_messages == 0 and await rows(OutboxMessage) == 1  # kept for the channel's reports
    report = await run_retention(sessions, settings, now + timedelta(days=3))
    assert report.outbox_messages == 1 and await rows(OutboxMessage) == 0
    assert await rows(InboxMessage) == 2  # repeats are still dropped for a week
    report = await run_retention(sessions, settings, now + timedelta(days=8))
    assert report.telegram_updates == 2 and await rows(InboxMessage) == 0
    assert await rows(Lane) == 1  # the private chat's, linked to its conversation; the group's went
