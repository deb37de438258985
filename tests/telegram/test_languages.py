"""A whole evaluation over Telegram in Urdu, answered as an Urdu speaker would (tapping buttons, typing
Urdu words where words are wanted), with every message and every button read back for English."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from storage import Submission
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi
from tests.i18n.test_read_back import english_in, english_sources, framework_names

from .conftest import TelegramDriver

STORY = "ہم نے ہر ہفتے والدین سے ملاقات کی۔"
LANGUAGE_IDS = {"en", "ur", "pa", "pl", "gu", "ar", "ro"}
PREFERRED = ("board", "keep", "ur")  # send to the board; keep what was typed; Urdu


def buttons(bot_api: FakeBotApi) -> tuple[int, list[dict[str, Any]]]:
    if not bot_api.keyboards:
        return 0, []
    message_id, markup = bot_api.keyboards[-1]
    return message_id, [button for row in markup["inline_keyboard"] for button in row]


def choice_id(button: dict[str, Any]) -> str:
    return str(button["callback_data"]).partition(":")[2]


@pytest.mark.parametrize("scope", ["annual", "activity"])
async def test_a_whole_evaluation_over_telegram_reads_in_urdu(
    telegram: TelegramDriver, bot_api: FakeBotApi, scope: str
) -> None:
    typed: set[str] = set()
    await telegram.send(updates.message("/start", language="ur"))
    for turn in range(300):
        async with telegram.app.state.service.sessions() as session:
            if await session.scalar(select(func.count()).select_from(Submission)):
                break
        message_id, shown = buttons(bot_api)
        answers = [b for b in shown if not choice_id(b).startswith("/")]
        ids = [choice_id(b) for b in answers]
        wanted = next((i for i in PREFERRED if i in ids), None)
        if turn == 1:
            wanted = scope
        elif "done" in ids:  # several may be chosen: one, then done
            wanted = (
                "done" if any(b["text"].startswith("✅") for b in answers) or ids[0] == "done" else ids[0]
            )
        if wanted is None and answers:
            wanted = ids[0]
        if wanted is not None:
            data = next(b["callback_data"] for b in answers if choice_id(b) == wanted)
            await telegram.send(updates.callback(data, message_id=message_id, language="ur"))
        else:  # words are wanted
            said = f"{STORY} {turn}"
            typed.add(said)
            await telegram.send(updates.message(said, language="ur"))
    else:
        raise AssertionError(f"not sent after 300 turns; the last calls: {bot_api.calls[-6:]!r}")

    names, name_words = framework_names()
    sources = english_sources()
    keyboards = [markup for _, markup in bot_api.keyboards]
    keyboards += [call["reply_markup"] for call in bot_api.called("sendMessage") if call.get("reply_markup")]
    labels = [
        b["text"]
        for markup in keyboards
        for row in markup["inline_keyboard"]
        for b in row
        if choice_id(b) not in LANGUAGE_IDS  # each language is offered in its own name
    ]
    read = [*bot_api.texts(), *labels]
    english = {
        w for text in read for w in english_in(text, typed | names, "ur", sources) if w not in name_words
    }
    assert english == set(), f"English in the Urdu conversation over Telegram: {sorted(english)}"
