"""A client message id sent again: the same message gets the stored result; another message, a 409."""

from __future__ import annotations

import httpx

from .chat_client import ApiChat, as_documented

REUSED = "client_message_id_reused"


async def test_the_same_message_again_gets_the_stored_result_and_is_applied_once(
    client: httpx.AsyncClient,
) -> None:
    chat = ApiChat(client)
    await chat.start()
    first = as_documented(await chat.post({"choice": "annual", "client_message_id": "m-1"}))
    typed = as_documented(await chat.post({"text": "Kirklees Youth Trust", "client_message_id": "m-2"}))
    again = as_documented(await chat.post({"choice": "annual", "client_message_id": "m-1"}))
    assert again["repeated"] is True and first["repeated"] is False
    assert again["replies"] == first["replies"], "the replies it got the first time"
    assert (
        as_documented(await chat.post({"text": "Kirklees Youth Trust", "client_message_id": "m-2"}))[
            "replies"
        ]
        == typed["replies"]
    )
    ins = [(e["choice"], e["text"]) for e in await chat.history() if e["direction"] == "in"]
    assert ins == [
        ("en", "English"),
        ("annual", "A yearly check for our group or team"),
        (None, "Kirklees Youth Trust"),
    ]


async def test_the_same_id_with_another_message_is_refused_and_nothing_is_applied(
    client: httpx.AsyncClient,
) -> None:
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@annual", client_message_id="m-1")
    before = await chat.history()
    for other in [
        {"choice": "activity"},
        {"text": "annual"},
        {"text": "A yearly check for our group or team"},
    ]:
        refused = await chat.post({**other, "client_message_id": "m-1"})
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == REUSED and "different message" in body["message"]
        assert "retry-after" not in refused.headers, "sending it again will not help"
    assert await chat.history() == before
    assert as_documented(await chat.post({"choice": "annual", "client_message_id": "m-1"}))["repeated"]
    await chat.say("@team")  # and the conversation goes on where it was
    assert chat.last["step"] == "organisation"


async def test_a_reused_id_cannot_delete_a_conversation(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@annual", client_message_id="m-1")
    await chat.say("/delete", client_message_id="m-2")
    assert chat.last["step"] == "confirm_delete"
    refused = await chat.post({"choice": "yes", "client_message_id": "m-1"})
    assert refused.status_code == 409 and refused.json()["error"] == REUSED
    assert (await chat.history())[-1]["reply"]["step"] == "confirm_delete", "nothing was deleted"
    await chat.say("@yes", client_message_id="m-3")
    assert chat.last["status"] == "deleted"
