"""Answers lost on the way back: a retried message applies once (tests/web), and a retried resume gets
the conversation again instead of "used already" when the client sent a request id with it."""

from __future__ import annotations

import asyncio

import httpx

from tests.web.chat_client import ApiChat

REQUEST_ID = "lost-answer-0123456789"


async def paused(client: httpx.AsyncClient) -> tuple[ApiChat, str]:
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@annual")
    shown = await chat.say("/pause")
    assert "Your code is ABCD-EFGH-JK001." in shown
    return chat, "ABCD-EFGH-JK001"


async def test_a_resume_sent_again_with_its_request_id_gets_the_same_conversation(
    client: httpx.AsyncClient,
) -> None:
    chat, code = await paused(client)
    first = await client.post("/api/resume", json={"code": code, "request_id": REQUEST_ID})
    assert first.status_code == 200 and first.json()["repeated"] is False
    # the answer never arrived; the client sends exactly the same again
    again = await client.post("/api/resume", json={"code": code.lower(), "request_id": REQUEST_ID})
    assert again.status_code == 200, again.text
    assert again.json()["token"] == first.json()["token"] and again.json()["repeated"] is True
    assert again.json()["replies"] == first.json()["replies"]
    # whoever saw the code but not the request id gets nothing
    for body in ({"code": code}, {"code": code, "request_id": "someone-else-0123456789"}):
        assert (await client.post("/api/resume", json=body)).status_code == 404
    assert (
        await client.post("/api/resume", json={"code": "ZZZZ-ZZZZ-ZZZZZ", "request_id": REQUEST_ID})
    ).status_code == 404
    resumed = ApiChat(client)
    resumed.id, resumed.token = chat.id, again.json()["token"]
    assert "Who are you answering for?" in (await resumed.history())[-1]["text"]
    assert (await chat.post({"choice": "team"})).status_code == 404  # the old token is retired
    ins = [e["text"] for e in await resumed.history() if e["direction"] == "in"]
    assert ins.count("/resume") == 1  # applied once


async def test_resumes_racing_with_one_request_id_all_get_the_conversation(client: httpx.AsyncClient) -> None:
    _, code = await paused(client)
    body = {"code": code, "request_id": REQUEST_ID}
    answers = await asyncio.gather(*(client.post("/api/resume", json=body) for _ in range(5)))  # the limit
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    assert len({a.json()["token"] for a in answers}) == 1
    assert sum(not a.json()["repeated"] for a in answers) == 1


async def test_a_bad_request_id_is_refused(client: httpx.AsyncClient) -> None:
    _, code = await paused(client)
    for request_id in ("short", "x" * 65, "has spaces in it here", 12345678901234567):
        answer = await client.post("/api/resume", json={"code": code, "request_id": request_id})
        assert answer.status_code == 422
    assert (await client.post("/api/resume", json={"code": code})).status_code == 200  # still unused
