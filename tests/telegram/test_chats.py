"""Telegram chats as people use them: updates out of order, groups, other bots, photos, long stories,
the privacy notice, and a conversation carried on somewhere else."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from storage import Evaluation, transaction
from tests.conftest import in_language
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi

from .conftest import TelegramDriver
from .test_conversation import start_annual

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}")


async def answers(app: FastAPI, chat_id: int = updates.CHAT_ID) -> dict[str, Any]:
    current = await app.state.service.linked("telegram", str(chat_id))
    assert current is not None
    async with transaction(app.state.db) as connection:
        found = await connection.scalar(
            select(Evaluation.answers).where(Evaluation.id == current.evaluation_id)
        )
    return dict(found or {})


async def evaluations(app: FastAPI) -> int:
    async with transaction(app.state.db) as connection:
        return int(await connection.scalar(select(func.count()).select_from(Evaluation)) or 0)


async def test_a_chats_updates_are_applied_in_update_id_order(telegram: TelegramDriver) -> None:
    await telegram.send(updates.message("/start"))
    await telegram.tap("English")
    await telegram.tap("yearly check")
    await telegram.tap("A team")
    first = updates.next_id() + 10
    # The team's name (the later update) reaches the webhook 20 ms before the organisation's.
    team = updates.message("Blue Team", update_id=first + 1)
    organisation = updates.message("Kirklees Youth Trust", update_id=first)
    assert (await telegram.post(team)).status_code == 200
    await asyncio.sleep(0.02)
    assert (await telegram.post(organisation)).status_code == 200
    await telegram.settled()
    given = await answers(telegram.app)
    assert (given["organisation"], given["unit"]) == ("Kirklees Youth Trust", "Blue Team")


async def test_a_group_gets_a_button_to_a_private_chat_and_starts_nothing(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    assert await telegram.send(updates.in_group("hello everyone")) == []
    assert await telegram.send(updates.in_group("/start@other_bot")) == []
    shown = await telegram.send(updates.in_group("/start", language="pl"))
    polish = telegram.app.state.catalogs.translator("pl")
    from bot.telegram import messages as tm

    assert shown == [in_language(polish, tm.GROUP_PRIVATE)]
    [markup] = [p["reply_markup"] for p in bot_api.called("sendMessage")]
    [[button]] = markup["inline_keyboard"]
    assert button["url"] == "https://t.me/icf_test_bot?start=from-a-group"
    assert len(await telegram.send(updates.in_group("@icf_test_bot can you help?"))) == 1
    assert await telegram.send(updates.in_group("I like @some_other_bot")) == []
    assert await evaluations(telegram.app) == 0  # nothing started in the group, for anyone


async def test_commands_for_another_bot_are_ignored(telegram: TelegramDriver, bot_api: FakeBotApi) -> None:
    assert await telegram.send(updates.message("/start@other_bot")) == []
    assert await evaluations(telegram.app) == 0 and bot_api.calls_to_users() == []
    shown = await telegram.send(updates.message("/start@icf_test_bot"))
    assert "Which language would you like to use?" in shown[-1]
    await telegram.tap("English")
    await telegram.tap("yearly check")
    shown = await telegram.send(updates.message("/back@icf_test_bot"))
    assert "What would you like to do?" in shown[-1]  # our own command, with our name, works


async def test_privacy_links_to_the_notice_in_the_chats_language(telegram: TelegramDriver) -> None:
    shown = await telegram.send(updates.message("/privacy", language="ur"))
    assert len(shown) == 1 and shown[0].endswith("/privacy?lang=ur")
    urdu = telegram.app.state.catalogs.translator("ur")
    from bot.channels import messages as words

    assert shown[0] == in_language(urdu, words.PRIVACY).format(url="http://127.0.0.1:8000/privacy?lang=ur")
    assert await evaluations(telegram.app) == 0  # reading it starts nothing
    await telegram.send(updates.message("/start", language="ur"))
    await telegram.tap("polski")
    shown = await telegram.send(updates.message("/privacy", language="ur"))
    assert shown[0].endswith("http://127.0.0.1:8000/privacy?lang=pl")  # the conversation's language now


async def test_a_photos_caption_is_the_answer_and_a_whole_long_story_is_kept(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await start_annual(telegram)
    for _ in range(4):
        await telegram.tap("Yes")
    await telegram.tap("5:")
    await telegram.tap("High")
    await telegram.send(updates.message("/skip"))  # what went well
    await telegram.tap("Done")  # what shows it
    story = ("We met parents at the school gate every week. " * 90)[:4096]
    shown = await telegram.send(updates.photo(caption=story))
    assert "What would help you" in shown[-1]
    kept = (await answers(telegram.app))["by_approach"]["connecting"]["story"]
    assert kept == story.strip() and len(story) == 4096


async def test_a_chat_is_let_go_when_its_conversation_is_carried_on_on_the_web(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await telegram.send(updates.message("/start", language="pl"))
    await telegram.tap("polski")
    shown = await telegram.send(updates.message("/pause"))
    code = CODE.search(shown[-1])
    assert code is not None, shown
    resumed = await telegram.http.post("/api/resume", json={"code": code.group(0)})
    assert resumed.status_code == 200, resumed.text
    await telegram.settled()
    polish = telegram.app.state.catalogs.translator("pl")
    from bot.channels import messages as words

    told = in_language(polish, words.CARRIED_ON)
    assert bot_api.texts()[-1] == told  # told once, in its language
    before = await evaluations(telegram.app)
    web = resumed.json()
    url = f"/api/conversations/{web['conversation_id']}/messages"
    headers = {"Authorization": f"Bearer {web['token']}"}
    step = web["step"]
    shown = await telegram.send(updates.message("Kirklees Youth Trust"))
    assert shown == [in_language(polish, words.DETACHED)]  # it starts nothing, and changes nothing
    assert await evaluations(telegram.app) == before
    conversation = (await telegram.http.get(url, headers=headers)).json()
    assert all(entry["text"] != "Kirklees Youth Trust" for entry in conversation)
    assert (await telegram.app.state.service.linked("telegram", str(updates.CHAT_ID))) is None
    nxt = await telegram.http.post(url, json={"choice": "annual"}, headers=headers)
    assert nxt.status_code == 200 and step == "choose_scope"
    assert bot_api.texts().count(told) == 1
    shown = await telegram.send(updates.message("/start"))
    assert len(shown) == 1 and await evaluations(telegram.app) == before + 1  # starting anew works


async def test_one_conversation_answers_one_telegram_account(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    await start_annual(telegram, organisation="Healthwatch Kirklees")
    shown = await telegram.send(updates.message("/pause"))
    code = shown[-1].split("Your code is ")[1].split(".")[0]
    other = 778_002
    await telegram.send(updates.message(f"/resume {code}", chat_id=other))
    assert "Welcome back!" in bot_api.texts(other)[-1]
    assert bot_api.texts(updates.CHAT_ID)[-1].startswith("This check now goes on somewhere else")
    first = await telegram.app.state.service.linked("telegram", str(updates.CHAT_ID))
    second = await telegram.app.state.service.linked("telegram", str(other))
    assert first is None and second is not None  # the first account is let go; one link, not two
    shown = await telegram.send(updates.message("/resume ABCD-EFGH-JKMNP"))
    assert shown == ["That code did not work. Please check it and try again."]


async def test_the_web_is_let_go_when_its_conversation_goes_on_in_telegram(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    http: httpx.AsyncClient = telegram.http
    started = (await http.post("/api/conversations", json={})).json()
    headers = {"Authorization": f"Bearer {started['token']}"}
    url = f"/api/conversations/{started['conversation_id']}/messages"
    await http.post(url, json={"choice": "en"}, headers=headers)
    handoff = await http.post(f"/api/conversations/{started['conversation_id']}/handoff", headers=headers)
    shown = await telegram.send(updates.message(f"/resume {handoff.json()['code']}"))
    assert "Welcome back!" in shown[-1]
    assert (await http.post(url, json={"choice": "annual"}, headers=headers)).status_code == 404


@pytest.mark.slow
async def test_an_update_that_cannot_be_applied_holds_its_chat_only_a_while(
    telegram: TelegramDriver, bot_api: FakeBotApi
) -> None:
    """Tried a few times over about ten seconds, then the person is told to send it again, and the chat
    goes on; the updates behind it wait their turn and are applied in order."""
    await telegram.send(updates.message("/start"))
    broken = updates.message("Locala")
    del broken["message"]["date"]  # python-telegram-bot cannot read it
    assert (await telegram.post(broken)).status_code == 200
    assert (await telegram.post(updates.message("/help"))).status_code == 200
    await telegram.settled(within=30)
    shown = bot_api.texts()
    assert shown[-2] == "Sorry, something went wrong with your last message. Please send it again."
    assert "You can type these words at any time" in shown[-1]  # the update behind it, after it
