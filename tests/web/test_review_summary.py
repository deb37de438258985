"""The review as a summary list: the same answers as the review's sentences, each with its Change."""

from __future__ import annotations

import httpx

from .chat_client import ApiChat


async def to_review(chat: ApiChat, language: str = "en") -> str:
    await chat.start(language=language)
    for said in ["@activity", "Ravensthorpe Friends", "Park sessions", "@celebrating", "@done", "@4"]:
        await chat.say(said)
    await chat.say("The girls chose the benches.")
    await chat.say("@time")
    await chat.say("@other")
    await chat.say("@done")
    await chat.say("A hall for the winter")
    return await chat.say("/skip")  # no action


async def test_every_answer_is_a_row_that_stands_for_the_review_sentences(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    shown = await to_review(chat)
    assert "Here is what you told me." in shown
    review = await client.get(f"/api/conversations/{chat.id}/review", headers=chat.headers)
    assert review.status_code == 200
    body = review.json()
    paragraphs = chat.last["replies"][-1]["text"].split("\n\n")
    assert body["replaces"] and all(line in paragraphs for line in body["replaces"])
    assert "Here is what you told me. Please check it." not in body["replaces"]  # the lead-in stays
    who, celebrating = body["cards"]
    assert who["title"] == "Who the answers are for"
    assert [(r["key"], r["value"], r["own_words"], r["change"]) for r in who["rows"]] == [
        ("Organisation", "Ravensthorpe Friends", True, []),
        ("Activity", "Park sessions", True, []),
    ]
    assert celebrating["title"] == "Celebrating"
    rows = {r["key"]: r for r in celebrating["rows"]}
    assert rows["The score"]["value"] == "4: Most of the time"
    assert rows["The story"] == {
        "key": "The story",
        "value": "The girls chose the benches.",
        "own_words": True,
        "change": ["change", "celebrating", "story"],
    }
    assert rows["The help we need"]["value"] == "Time and \u2068A hall for the winter\u2069"


async def test_a_rows_change_choices_lead_to_that_question(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await to_review(chat)
    body = (await client.get(f"/api/conversations/{chat.id}/review", headers=chat.headers)).json()
    score = next(r for r in body["cards"][1]["rows"] if r["key"] == "The score")
    for choice in score["change"]:
        shown = await chat.say("@" + choice)
    assert "Celebrating: how well does this describe your work?" in shown
    shown = await chat.say("@2")
    assert "Here is what you told me." in shown  # straight back to the review, with the new score
    body = (await client.get(f"/api/conversations/{chat.id}/review", headers=chat.headers)).json()
    assert next(r for r in body["cards"][1]["rows"] if r["key"] == "The score")["value"] == "2: Starting"


async def test_in_urdu_the_rows_are_urdu_and_match_the_sentences(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await to_review(chat, language="ur")
    body = (await client.get(f"/api/conversations/{chat.id}/review", headers=chat.headers)).json()
    paragraphs = chat.last["replies"][-1]["text"].split("\n\n")
    assert body["language"] == "ur" and all(line in paragraphs for line in body["replaces"])
    celebrating = body["cards"][-1]
    assert celebrating["title"] != "Celebrating" and all(r["key"] != "The score" for r in celebrating["rows"])


async def test_no_token_no_review(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    assert (await client.get(f"/api/conversations/{chat.id}/review")).status_code == 401
    wrong = await client.get(f"/api/conversations/{chat.id}/review", headers={"Authorization": "Bearer no"})
    assert wrong.status_code == 404
