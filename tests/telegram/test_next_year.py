"""Over Telegram: the same account starts next year from this year's answers; a return code works after
/start; a reminder asked for is sent once on its day, after a restart too."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from fastapi import FastAPI

from bot.web import create_app
from tests.conftest import Clock, FixedIds
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi

from .conftest import TelegramDriver

REMINDER = "It is time for a quick check of these parts: Trusting."


async def low_scored_check(telegram: TelegramDriver, chat_id: int = updates.CHAT_ID) -> list[str]:
    """A quick check of Trusting scored 1, kept: what the bot said at the end."""
    await telegram.send(updates.message("/start", chat_id=chat_id))
    for label in ["English", "Quick check"]:
        await telegram.tap(label, chat_id)
    for typed in ["Ravensthorpe Friends", "Park walks"]:
        await telegram.send(updates.message(typed, chat_id=chat_id))
    for label in ["Trusting", "Done", "1:"]:
        await telegram.tap(label, chat_id)
    await telegram.send(updates.message("/skip", chat_id=chat_id))  # the story
    await telegram.tap("Done", chat_id)  # no support
    await telegram.send(updates.message("/skip", chat_id=chat_id))  # no action
    await telegram.tap("Show my plan", chat_id)
    return await telegram.tap("Keep it to myself", chat_id)


async def test_the_same_account_starts_from_last_years_answers(
    telegram: TelegramDriver, clock: Clock
) -> None:
    await low_scored_check(telegram)
    clock.advance(days=365)
    await telegram.send(updates.message("/start"))
    await telegram.tap("English")
    await telegram.tap("Quick check")
    shown = await telegram.tap("Still the same (Ravensthorpe Friends)")
    assert "What is the activity called?" in shown[-1]


async def test_a_return_code_after_start(telegram: TelegramDriver, bot_api: FakeBotApi) -> None:
    await low_scored_check(telegram, chat_id=701)
    shown = "\n".join(bot_api.texts(701))
    code = shown.split("return code to begin from this year's answers: ")[1].split(".")[0]
    await telegram.send(updates.message(f"/start {code}", chat_id=702))  # another account, with the code
    await telegram.tap("English", 702)
    await telegram.tap("Quick check", 702)
    assert any("Still the same (Ravensthorpe Friends)" in str(row) for row in bot_api.last_keyboard())
    shown = await telegram.send(updates.message("/start ZZZZ-ZZZZ-ZZZZZ", chat_id=703))
    assert shown == ["That code did not work. Please check it and try again."]


async def test_a_reminder_goes_once_on_its_day_after_a_restart_too(
    telegram: TelegramDriver, telegram_app: FastAPI, bot_api: FakeBotApi, clock: Clock
) -> None:
    await low_scored_check(telegram)
    shown = await telegram.tap("Remind me on 23 May 2027")
    assert "I will send you a reminder here on 23 May 2027" in shown[-1]
    assert "Remind me" not in str(bot_api.last_keyboard()), "asked once, it is not offered again"
    service = telegram_app.state.service
    clock.now = datetime(2027, 5, 22, 23, 0, tzinfo=UTC)
    assert await service.send_due_reminders() == 0  # not yet
    clock.now = datetime(2027, 5, 23, 9, 0, tzinfo=UTC)
    assert await service.send_due_reminders() == 1
    await telegram.settled()
    assert [t for t in bot_api.texts() if REMINDER in t] != []
    assert await service.send_due_reminders() == 0  # once

    settings = replace(telegram_app.state.settings)
    again = create_app(settings, clock=clock, ids=FixedIds())  # another process, the same database
    async with again.router.lifespan_context(again):
        assert await again.state.service.send_due_reminders() == 0
    assert len([t for t in bot_api.texts() if REMINDER in t]) == 1


async def test_a_reminder_due_while_no_process_ran_is_sent_by_the_next_one_to_start(
    telegram: TelegramDriver, telegram_app: FastAPI, bot_api: FakeBotApi, clock: Clock
) -> None:
    await low_scored_check(telegram)
    await telegram.tap("Remind me on 23 May 2027")
    clock.now = datetime(2027, 6, 2, 8, 0, tzinfo=UTC)  # the day passed with the bot down
    again = create_app(replace(telegram_app.state.settings), clock=clock, ids=FixedIds())
    async with again.router.lifespan_context(again):
        assert await again.state.service.send_due_reminders() == 1
        for _ in range(250):
            if any(REMINDER in t for t in bot_api.texts()):
                break
            await asyncio.sleep(0.02)
    assert len([t for t in bot_api.texts() if REMINDER in t]) == 1
    assert await telegram_app.state.service.send_due_reminders() == 0  # and not again from the first
