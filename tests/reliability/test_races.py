"""Races: the same message sent many times at once is applied once; conversations do not block each other."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from storage import create_engine
from tests.conftest import postgres_only
from tests.web.chat_client import ApiChat

# Row locks let turns of different conversations run side by side on PostgreSQL. SQLite has one
# writer for the whole file, so there turns take their turn (each a few milliseconds).
ON_POSTGRES = postgres_only("postgres")


async def test_twenty_identical_sends_at_once_record_one_answer(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    body = {"choice": "annual", "client_message_id": "tap-1"}
    responses = await asyncio.gather(*(chat.post(body) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    answers = [r.json() for r in responses]
    assert sum(not a["repeated"] for a in answers) == 1  # applied once; the others are told so
    assert len({str(a["replies"]) for a in answers}) == 1  # and all see the same replies
    ins = [e["choice"] for e in await chat.history() if e["direction"] == "in"]
    assert ins == ["en", "annual"]
    assert "name of your organisation" in await chat.say("@team")  # and the conversation goes on


async def test_conversations_racing_side_by_side_each_keep_their_own(client: httpx.AsyncClient) -> None:
    chats = [ApiChat(client) for _ in range(6)]
    await asyncio.gather(*(chat.start() for chat in chats))

    async def run(chat: ApiChat, number: int) -> None:
        for said in ["@activity", f"Group {number}", f"Activity {number}", "@trusting", "@done"]:
            await chat.say(said)

    await asyncio.gather(*(run(chat, n) for n, chat in enumerate(chats)))
    for number, chat in enumerate(chats):
        ins = [e["text"] for e in await chat.history() if e["direction"] == "in"]
        assert ins[2:4] == [f"Group {number}", f"Activity {number}"]
        assert chat.last["step"] == "score"


@pytest.mark.parametrize("database_url", ON_POSTGRES, indirect=True)
async def test_a_turn_held_up_in_one_conversation_does_not_hold_up_another(
    client: httpx.AsyncClient, database_url: str
) -> None:
    held, other = ApiChat(client), ApiChat(client)
    await held.start()
    await other.start()
    db = create_engine(database_url)
    try:
        async with db.connect() as connection:
            lock = await connection.begin()
            query = text("SELECT id FROM evaluations WHERE id = :id FOR UPDATE")
            await connection.execute(query, {"id": held.id})  # a slow turn holds this conversation
            slow = asyncio.create_task(held.post({"choice": "annual"}))
            await asyncio.sleep(0.3)  # let it reach the lock (the checks below do not depend on it)
            assert not slow.done()
            async with asyncio.timeout(30):
                shown = await other.say("@annual")
            assert "Who are you answering for?" in shown
            assert not slow.done()  # the other conversation finished its turn while this one waits
            await lock.rollback()
        async with asyncio.timeout(30):
            response = await slow
    finally:
        await db.dispose()
    assert response.status_code == 200 and response.json()["step"] == "choose_level"
