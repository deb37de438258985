"""Replies carry what a program needs as fields beside the text: nothing has to be read out of words."""

from __future__ import annotations

from typing import Any

import httpx

from dialogs import Content

from .chat_client import ApiChat, complete_activity_check

EVERYWHERE = ["/pause", "/summary", "/language", "/delete"]


def nav(reply: dict[str, Any]) -> list[str]:
    return [c["id"] for c in reply["choices"] if c["kind"] == "nav"]


async def test_an_annual_part_says_where_it_is_and_the_score_it_suggests_in_any_language(
    client: httpx.AsyncClient, content: Content
) -> None:
    places = {}
    for language in ["en", "ur"]:
        chat = ApiChat(client)
        await chat.start(language)
        for said in ["@annual", "@organisation", "Healthwatch Kirklees"]:
            await chat.say(said)
        connecting = content.approaches[0]
        seen = []
        for _ in connecting.questions:
            seen.append(chat.last["replies"][-1]["position"])
            await chat.say("@yes")
        score = chat.last["replies"][-1]
        assert score["step"] == "score" and score["suggested_score"] == 5
        assert [c["id"] for c in score["choices"] if c["suggested"]] == ["5"]
        assert score["position"] == {
            "approach": connecting.id,
            "part": 1,
            "parts": len(content.approaches),
            "question": None,
            "questions": None,
        }
        places[language] = seen
    questions = len(content.approaches[0].questions)
    assert places["en"] == [
        {"approach": "connecting", "part": 1, "parts": 5, "question": n, "questions": questions}
        for n in range(1, questions + 1)
    ]
    assert places["ur"] == places["en"], "the same fields whatever language the words are in"


async def test_codes_reference_and_plan_come_as_fields_that_work(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await complete_activity_check(chat)
    plan = next(r for r in chat.last["replies"] if r["document"])
    assert plan["return_code"] == "RTRN-CODE-NX001" and plan["reference"] is None
    page = await client.get(plan["plan_url"])
    assert page.status_code == 200 and "Park sessions" in page.text  # opens without the token
    consent = chat.last["replies"][-1]
    assert consent["plan_url"] is None and consent["return_code"] is None  # only on the plan's own reply
    await chat.say("@board")
    assert chat.last["replies"][-1]["reference"] == "ICF-2026-00000001"
    assert nav(chat.last["replies"][-1]) == ["/summary", "/language", "/delete"]  # nothing left to answer

    history = await chat.history()
    shown = [e["reply"] for e in history if e["direction"] == "out"]
    assert [r["return_code"] for r in shown if r["return_code"]] == ["RTRN-CODE-NX001"]
    assert [r["plan_url"] for r in shown if r["plan_url"]] == [plan["plan_url"]]
    assert [r["reference"] for r in shown if r["reference"]] == ["ICF-2026-00000001"]

    next_year = await client.post("/api/conversations", json={"return_code": plan["return_code"]})
    assert next_year.status_code == 201  # the return code starts next year's evaluation


async def test_pause_gives_its_code_as_a_field_and_commands_are_choices(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    first = await chat.start(None)
    assert nav(first["replies"][-1]) == ["/help", *EVERYWHERE]  # nothing to go back to yet
    await chat.say("@en")
    await chat.say("@activity")
    await chat.say("Ravensthorpe Friends")
    assert nav(chat.last["replies"][-1]) == ["/back", "/skip", "/help", *EVERYWHERE]  # the activity's name
    secondary = [c["id"] for c in chat.last["replies"][-1]["choices"] if c["secondary"]]
    assert secondary == EVERYWHERE
    await chat.say("@/pause")
    paused = chat.last["replies"][-1]
    assert paused["step"] == "paused" and nav(paused) == [] and paused["resume_code"] == "ABCD-EFGH-JK001"
    resumed = await client.post("/api/resume", json={"code": paused["resume_code"]})
    assert resumed.status_code == 200 and resumed.json()["step"] == "activity_name"


async def test_an_annual_evaluation_with_every_question_skipped_says_so_before_it_is_sent(
    client: httpx.AsyncClient, content: Content
) -> None:
    chat = ApiChat(client)
    await chat.start()
    for said in ["@annual", "@organisation", "Healthwatch Kirklees"]:
        await chat.say(said)
    while chat.last["step"] != "review":
        await chat.say("@/skip")
    every = [a.id for a in content.approaches]
    review = chat.last["replies"][-1]
    assert review["skipped_parts"] == every
    assert "These parts have no answers yet: Connecting, Communicating" in review["text"]
    await chat.say("@ok")
    consent = chat.last["replies"][-1]
    assert consent["step"] == "consent" and consent["skipped_parts"] == every
    assert chat.last["status"] == "completed", "not sent: the person chooses, knowing what is missing"
