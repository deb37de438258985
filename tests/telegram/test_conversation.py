"""A whole evaluation over Telegram, through python-telegram-bot and a fake Bot API server."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from dialogs import load_default_content
from storage import InboxMessage, Submission, TranscriptEntry
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi

from .conftest import TelegramDriver

# How many plain questions each approach asks, in order, as the content has them.
QUESTIONS = tuple(len(a.questions) for a in load_default_content().approaches)


async def count(app: FastAPI, model: type) -> int:
    async with app.state.service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def start_annual(telegram: TelegramDriver, organisation: str = "Kirklees Youth Trust") -> None:
    shown = await telegram.send(updates.message("/start"))
    assert "Which language would you like to use?" in shown[-1]
    assert "What would you like to do?" in (await telegram.tap("English"))[-1]
    assert "Who are you answering for?" in (await telegram.tap("yearly check"))[-1]
    assert "name of your organisation" in (await telegram.tap("whole organisation"))[-1]
    assert "Next: Connecting." in (await telegram.send(updates.message(organisation)))[-1]


async def test_a_complete_annual_evaluation_over_telegram(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await start_annual(telegram)
    for part, questions in enumerate(QUESTIONS, start=1):
        for question in range(1, questions + 1):
            shown = await telegram.tap("Yes")
            if question < questions:  # where the person is, above the next question
                assert shown[-1].startswith(f"Part {part} of 5 · question {question + 1} of {questions}: ")
        await telegram.tap("5:")
        await telegram.tap("High")
        await telegram.send(updates.message("/skip"))  # what went well
        await telegram.tap("Done")  # what shows it
        await telegram.send(updates.message("We met parents at the school gate every week."))
        assert "✅" not in str(bot_api.last_keyboard())
        await telegram.tap("Training")
        assert "✅ Training or a workshop" in str(
            bot_api.called("editMessageReplyMarkup")[-1]
        )  # toggled in place
        await telegram.tap("Done")
        await telegram.send(updates.message("Invite two new partners."))
        assert len(bot_api.keyboards) == 1  # typed answers retire the buttons before them too
        await telegram.send(updates.message("/skip"))  # who
        shown = await telegram.send(updates.message("/skip"))  # by when
    shown = await telegram.tap("No, thank you")  # the restorative checklist
    assert "Here is what you told me." in shown[-1]
    shown = await telegram.tap("Show my plan")
    assert any("Here is your support plan." in text for text in shown)
    assert any("You can open your plan to print or save it here: http" in text for text in shown)
    documents = bot_api.called("sendDocument")
    assert len(documents) == 1 and b"Kirklees Youth Trust" in documents[0]["document"]["content"]
    shown = await telegram.tap("Send to the board")
    assert "Your reference is ICF-2026-00000001." in shown[0]
    assert await count(telegram.app, Submission) == 1
    # every answered keyboard was taken away, and the last message needs none
    assert bot_api.keyboards == []
    assert len(bot_api.called("answerCallbackQuery")) > 30


async def test_the_same_update_twice_changes_nothing(telegram: TelegramDriver, bot_api: FakeBotApi) -> None:
    await start_annual(telegram)
    message_id, button = bot_api.button("Yes")
    update = updates.callback(button["callback_data"], message_id=message_id)
    first = await telegram.send(update)
    entries = await count(telegram.app, TranscriptEntry)
    calls = len(bot_api.calls)
    again = await telegram.send(update)
    assert "Question 2 of 4" in first[-1] and again == []
    assert await count(telegram.app, TranscriptEntry) == entries and len(bot_api.calls) == calls
    assert await count(telegram.app, InboxMessage) == 5 + 1  # the repeat was not stored again


async def test_a_wrong_or_missing_secret_is_refused(telegram: TelegramDriver, bot_api: FakeBotApi) -> None:
    for secret in (None, "not-the-secret", ""):
        response = await telegram.post(updates.message("/start"), secret=secret)
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert await count(telegram.app, InboxMessage) == 0 and bot_api.calls_to_users() == []


async def test_awkward_messages_get_a_kind_answer_and_lose_nothing(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await start_annual(telegram)
    assert "I can only read text" in (await telegram.send(updates.sticker()))[-1]
    assert "I can only read text" in (await telegram.send(updates.photo()))[-1]
    assert (
        "I keep what you first sent" in (await telegram.send(updates.edited("Kirklees Youth Trust Ltd")))[-1]
    )
    longest = ("word " * 820)[:4096]  # Telegram's longest message, over ICF_MAX_TEXT: not refused as such
    shown = await telegram.send(updates.message(longest))
    assert "Please keep it" not in shown[-1] and "Question 1 of 4" in shown[-1]
    assert "I do not know that command" in (await telegram.send(updates.message("/frobnicate")))[-1]
    stale = updates.callback("1:yes", message_id=1)
    assert await telegram.send(stale) == []
    assert "That button is from an earlier question" in bot_api.called("answerCallbackQuery")[-1]["text"]
    assert "Question 2 of 4" in (await telegram.tap("Yes"))[-1]  # the current keyboard still works
    history = await telegram.app.state.service.linked("telegram", str(updates.CHAT_ID))
    assert history is not None and history.step == "checklist"


async def test_commands_menu_and_help(telegram: TelegramDriver, bot_api: FakeBotApi) -> None:
    from bot.telegram.app import register_commands

    await register_commands(telegram.app.state.telegram.bot, telegram.app.state.catalogs)
    menus = bot_api.called("setMyCommands")
    assert len(menus) == len(telegram.app.state.catalogs.languages)
    english = next(m for m in menus if "language_code" not in m)
    assert [c["command"] for c in english["commands"]] == [
        "start",
        "resume",
        "back",
        "skip",
        "pause",
        "summary",
        "language",
        "help",
        "delete",
        "privacy",
    ]
    await start_annual(telegram)
    shown = await telegram.send(updates.message("/help"))
    assert "Please tap one of the answers" in shown[-1] and "type its number" not in shown[-1]


async def test_resume_a_telegram_evaluation_in_the_web_chat(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await start_annual(telegram, organisation="Healthwatch Kirklees")
    await telegram.tap("Partly")
    shown = await telegram.send(updates.message("/pause"))
    code = shown[-1].split("Your code is ")[1].split(".")[0]
    resumed = await telegram.http.post("/api/resume", json={"code": code})
    assert resumed.status_code == 200, resumed.text
    body = resumed.json()
    assert "Question 2 of 4" in body["replies"][0]["text"]
    headers = {"Authorization": f"Bearer {body['token']}"}
    url = f"/api/conversations/{body['conversation_id']}/messages"
    nxt = await telegram.http.post(url, json={"choice": "yes"}, headers=headers)
    assert "Question 3 of 4" in nxt.json()["replies"][-1]["text"]
    history = (await telegram.http.get(url, headers=headers)).json()
    assert {"telegram", "web"} <= {entry["channel"] for entry in history}


async def test_start_on_the_web_and_finish_on_telegram(telegram: TelegramDriver, bot_api: FakeBotApi) -> None:
    http: httpx.AsyncClient = telegram.http
    started = (await http.post("/api/conversations", json={})).json()
    headers = {"Authorization": f"Bearer {started['token']}"}
    url = f"/api/conversations/{started['conversation_id']}/messages"
    for body in ({"choice": "en"}, {"choice": "activity"}, {"text": "Locala"}):
        await http.post(url, json=body, headers=headers)
    paused = (await http.post(url, json={"text": "/pause"}, headers=headers)).json()
    code = paused["replies"][0]["text"].split("Your code is ")[1].split(".")[0]
    shown = await telegram.send(updates.message(f"/resume {code}", chat_id=555))
    assert "Welcome back!" in shown[-1] and "What is the activity called?" in shown[-1]
    assert (
        "Which ways of working" in (await telegram.send(updates.message("Family fun day", chat_id=555)))[-1]
    )


async def test_guessing_resume_codes_is_slowed_down(telegram: TelegramDriver) -> None:
    fails = telegram.app.state.settings.resume_fails_per_client
    for attempt in range(fails):
        shown = await telegram.send(updates.message(f"/resume ABCD-EFGH-JK{attempt:03d}", chat_id=556))
        assert shown == ["That code did not work. Please check it and try again."]
    shown = await telegram.send(updates.message("/resume ABCD-EFGH-JKMNP", chat_id=556))
    assert shown == ["You are sending messages very fast. Please wait a moment."]
    # another chat is not held back by this one's guesses
    shown = await telegram.send(updates.message("/resume ABCD-EFGH-JKMNP", chat_id=557))
    assert shown == ["That code did not work. Please check it and try again."]
