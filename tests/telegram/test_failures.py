"""Telegram failing as the real one does: every reply still arrives, once, in order, and the chat moves
on within seconds of the failure ending.

Each test runs a whole quick check in two chats of one app: one whose Bot API calls fail as asked,
one that never fails. What each person sees (every message's words and buttons, every keyboard
changed in place) must be the same in both, and every reply a turn stored must have reached the
fake once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from bot.settings import Settings
from bot.web import create_app
from storage import InboxMessage, OutboxMessage, TranscriptEntry, transaction
from tests.conftest import Clock, FixedIds
from tests.fakes import updates
from tests.fakes.bot_api import Call, FakeBotApi

from .conftest import TOKEN, WEBHOOK_SECRET, TelegramDriver

FAILING, CLEAN = 620_001, 620_002
TIMEOUT = 1  # seconds the bot waits for the Bot API (TELEGRAM_TIMEOUT), so a lost call is found out fast
SCRIPT: list[tuple[str, str]] = [
    ("type", "/start"),
    ("tap", "English"),
    ("tap", "Quick check"),
    ("type", "Ravensthorpe Friends"),
    ("type", "Park walks"),
    ("tap", "Celebrating"),  # a toggle: its keyboard changes in place
    ("tap", "Done"),
    ("tap", "4:"),
    ("type", "We opened the park together."),
    ("tap", "Time"),
    ("tap", "Done"),
    ("tap", "Skip"),  # no action
    ("tap", "Show my plan"),  # the plan: its link, then the document
    ("tap", "Send to the board"),
]


@pytest.fixture
async def quick_app(settings: Settings, clock: Clock, bot_api: FakeBotApi) -> AsyncIterator[FastAPI]:
    configured = replace(
        settings,
        telegram_token=TOKEN,
        telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_api_url=bot_api.url,
        telegram_timeout=TIMEOUT,
    )
    application = create_app(configured, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def driver(quick_app: FastAPI, bot_api: FakeBotApi) -> AsyncIterator[TelegramDriver]:
    telegram = TelegramDriver(quick_app, bot_api)
    yield telegram
    await telegram.http.aclose()


async def step(telegram: TelegramDriver, chat_id: int, action: str, said: str) -> None:
    if action == "type":
        await telegram.send(updates.message(said, chat_id=chat_id))
        return
    message_id, button = telegram.bot_api.button(said, chat_id)
    await telegram.send(updates.callback(button["callback_data"], message_id=message_id, chat_id=chat_id))


async def side_by_side(telegram: TelegramDriver, script: list[tuple[str, str]] = SCRIPT) -> None:
    """Both chats through the script, a step each in turn: each sees the same as the other would."""
    for action, said in script:
        await step(telegram, CLEAN, action, said)
        await step(telegram, FAILING, action, said)


def seen(fake: FakeBotApi, chat_id: int) -> tuple[list[str], list[str]]:
    """What the person saw, call by call: the messages and keyboards changed in place, in order; and,
    apart, the old keyboards taken away (those go when they can, holding nothing up). The ids that
    differ between chats (message ids, the submission's reference) are left out."""
    shown, cleared = [], []
    for call in fake.calls:
        if "#" in call.method or int(call.params.get("chat_id") or 0) != chat_id:
            continue
        if call.method == "sendMessage":
            # the reference, the plan's link and the return code differ between the two chats
            text = re.sub(
                r"ICF-2026-\d+|/plan/\S+|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", "…", call.params["text"]
            )
            shown.append(f"message: {text} {_buttons(call.params.get('reply_markup'))}")
        elif call.method == "editMessageReplyMarkup" and call.params.get("reply_markup"):
            shown.append(f"buttons changed: {_buttons(call.params.get('reply_markup'))}")
        elif call.method == "editMessageReplyMarkup":
            cleared.append("buttons taken away")
        elif call.method == "sendDocument":
            shown.append(f"document: {call.params['caption']}")
    return shown, cleared


def _buttons(markup: dict[str, Any] | None) -> list[str]:
    return [b["text"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def nothing_owed(app: FastAPI) -> None:
    async with transaction(app.state.db) as connection:
        rows = (
            await connection.execute(select(OutboxMessage.kind, OutboxMessage.sent_at, OutboxMessage.error))
        ).all()
    unsent = [row for row in rows if row.sent_at is None and row.kind in {"reply", "notice"}]
    assert unsent == [], unsent  # every reply and notice a turn stored went out


def recovered_within(fake: FakeBotApi, method: str, seconds: float, waited: float = 0.0) -> None:
    """After each failed call of ``method``, the next call of it came within ``seconds`` of the failure
    ending (``waited``: how long a lost call leaves the bot waiting)."""
    calls: list[Call] = [c for c in fake.calls if c.method.split("#")[0] == method]
    for index, call in enumerate(calls):
        if "#" not in call.method or call.method.endswith(("#refused", "#too_old")):
            continue
        following = calls[index + 1 : index + 2]
        assert following, f"{method} was never tried again after {call.method}"
        assert following[0].at - (call.at + waited) <= seconds, (call, following[0])


async def test_a_quick_check_goes_through_with_nothing_failing(
    driver: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await side_by_side(driver)
    shown, _ = seen(bot_api, CLEAN)
    assert any("Your reference is …" in line for line in shown)
    assert "document: Your support plan" in shown and any("buttons changed:" in line for line in shown)
    assert seen(bot_api, FAILING) == seen(bot_api, CLEAN)
    await nothing_owed(driver.app)


CASES = [
    (method, kind)
    for method in ("sendMessage", "editMessageReplyMarkup", "answerCallbackQuery", "sendDocument")
    for kind in ("500", "timeout", "slow", "429")
] + [("answerCallbackQuery", "too_old")]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "kind"), CASES, ids=[f"{m}-{k}" for m, k in CASES])
async def test_every_reply_arrives_once_in_order_whatever_fails(
    driver: TelegramDriver, bot_api: FakeBotApi, method: str, kind: str
) -> None:
    times = 1 if kind in {"429", "slow"} else 2  # two in a row: the second try fails too
    bot_api.fail(method, kind, times=times, seconds=1 if kind == "429" else 0.5, chat_id=FAILING)
    await side_by_side(driver)
    await driver.settled(holding=False)  # the old keyboards too
    failed = bot_api.slowed if kind == "slow" else bot_api.failed_calls()
    assert [c for c in failed if c.method.startswith(method)], "the failure never happened"
    assert seen(bot_api, FAILING) == seen(bot_api, CLEAN)
    await nothing_owed(driver.app)
    waited = {"timeout": TIMEOUT if method != "answerCallbackQuery" else 3.0}.get(kind, 0.0)
    recovered_within(bot_api, method, 5.0, waited)


async def test_a_failure_that_is_not_the_next_question_holds_nothing(
    driver: TelegramDriver, bot_api: FakeBotApi
) -> None:
    """The issue's case: 500s on taking old keyboards away, and Telegram refusing late answers to button
    presses. Every next question still comes at once."""
    await side_by_side(driver, SCRIPT[:2])
    for _ in range(20):
        bot_api.fail("answerCallbackQuery", "too_old", chat_id=FAILING)
    began = time.monotonic()
    await side_by_side(driver, SCRIPT[2:5])  # each answer's reply takes the buttons before it away
    assert time.monotonic() - began < 10
    assert seen(bot_api, FAILING) == seen(bot_api, CLEAN)
    assert "Which ways of working" in bot_api.texts(FAILING)[-1]


async def test_old_buttons_that_cannot_be_taken_away_hold_nothing(
    driver: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await side_by_side(driver, SCRIPT[:2])
    bot_api.fail("editMessageReplyMarkup", "500", times=50, chat_id=FAILING)
    began = time.monotonic()
    for action, said in SCRIPT[2:5]:
        await step(driver, FAILING, action, said)
    took = time.monotonic() - began
    assert "Which ways of working" in bot_api.texts(FAILING)[-1]
    assert took < 6, took  # three updates answered, while every edit failed and is tried on its own
    await nothing_owed(driver.app)


async def test_an_update_sent_again_is_applied_once_and_its_reply_sent_once(
    driver: TelegramDriver, bot_api: FakeBotApi
) -> None:
    """Telegram sends an update again when it saw no answer: the turn is not run again, and the
    reply it stored, still unsent, goes once the Bot API answers again."""
    await side_by_side(driver, SCRIPT[:1])
    bot_api.fail("sendMessage", "500", times=3, chat_id=FAILING)
    message_id, button = bot_api.button("English", FAILING)
    update = updates.callback(button["callback_data"], message_id=message_id, chat_id=FAILING)
    assert (await driver.post(update)).status_code == 200
    await asyncio.sleep(0.3)
    assert (await driver.post(update)).status_code == 200  # again, while its reply is still owed
    await driver.settled()
    assert bot_api.texts(FAILING).count(bot_api.texts(FAILING)[-1]) == 1
    assert "What would you like to do?" in bot_api.texts(FAILING)[-1]
    failing = await driver.app.state.service.linked("telegram", str(FAILING))
    async with transaction(driver.app.state.db) as connection:
        stored = (await connection.execute(select(InboxMessage.message_key))).scalars().all()
        typed = TranscriptEntry.direction == "in", TranscriptEntry.evaluation_id == failing.evaluation_id
        turns = await connection.scalar(select(func.count()).select_from(TranscriptEntry).where(*typed))
    assert stored.count(str(update["update_id"])) == 1 and turns == 1  # the press, applied once


async def test_a_press_whose_answer_hangs_still_gets_its_next_question_at_once(
    driver: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await side_by_side(driver, SCRIPT[:1])
    bot_api.fail("answerCallbackQuery", "timeout", chat_id=FAILING)  # no answer for three seconds
    message_id, button = bot_api.button("English", FAILING)
    began = time.monotonic()
    await driver.post(updates.callback(button["callback_data"], message_id=message_id, chat_id=FAILING))
    while "What would you like to do?" not in bot_api.texts(FAILING)[-1]:
        assert time.monotonic() - began < 1.5, "the next question waited for the answer to the press"
        await asyncio.sleep(0.02)
    await driver.settled(holding=False)
    assert len(bot_api.called("answerCallbackQuery")) == 1  # answered after all, once
