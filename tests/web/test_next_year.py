"""Next year starts from this year: a return code brings last year's answers back, one tap away, and the
plan shows the change since last year and since the first year; a calendar file holds the re-checks."""

from __future__ import annotations

import re
from datetime import date

import httpx
from icalendar import Calendar

from dialogs import load_default_content
from tests.conftest import Clock

from .chat_client import ApiChat

RETURN_CODE = re.compile(r"return code to begin from this year's answers: (\S+)\. ")
QUESTIONS = [len(a.questions) for a in load_default_content().approaches]


async def annual(chat: ApiChat, answer: str, score: str, *, body: dict[str, str] | None = None) -> str:
    """A yearly team check answered alike everywhere, kept to themselves; returns its return code."""
    response = await chat.client.post("/api/conversations", json={**(body or {})})
    assert response.status_code == 201, response.text
    chat.last = response.json()
    chat.id, chat.token = chat.last["conversation_id"], chat.last["token"]
    await chat.say("@en")
    for said in ["@annual", "@team"]:
        await chat.say(said)
    same = "same" in [c["id"] for c in chat.last["replies"][-1]["choices"]]
    for said in ["@same", "@same"] if same else ["Locala", "Nursing team"]:
        await chat.say(said)
    for questions in QUESTIONS:
        for _ in range(questions):
            await chat.say(answer)
        for said in [score, "@some", "/skip", "@done", "/skip", "@done", "/skip"]:
            await chat.say(said)
    await chat.say("@no")  # not the restorative checklist
    shown = await chat.say("@ok")
    found = RETURN_CODE.search(shown)
    assert found, shown
    await chat.say("@keep")
    return found.group(1)


async def test_a_return_code_starts_next_year_from_this_years_answers(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    first = ApiChat(client)
    code = await annual(first, "@partly", "@2")

    clock.advance(days=365)
    second = ApiChat(client)
    response = await client.post("/api/conversations", json={"return_code": code.lower()})  # typed loosely
    assert response.status_code == 201, response.text
    second.last = response.json()
    second.id, second.token = second.last["conversation_id"], second.last["token"]
    for said in ["@en", "@annual"]:
        await second.say(said)
    labels = [c["label"] for c in second.last["replies"][-1]["choices"]]
    assert labels[0] == "Still the same (A team)"
    for said in ["@same", "@same", "@same"]:  # the level, the organisation, the team
        await second.say(said)
    assert "Question 1 of 4" in second.last["replies"][-1]["text"]
    assert second.last["replies"][-1]["choices"][0]["label"] == "Still the same (Partly)"
    for _ in range(4):
        await second.say("@same")
    assert "Last year you chose 2." in second.last["replies"][-1]["text"]
    exported = await client.get(f"/api/conversations/{second.id}/export", headers=second.headers)
    answers = exported.json()["answers"]
    assert answers["organisation"] == "Locala" and answers["unit"] == "Nursing team"
    assert set(answers["by_approach"]["connecting"]["checklist"].values()) == {"partly"}


async def test_the_plan_shows_the_change_since_last_year_and_the_first_year(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    code = await annual(ApiChat(client), "@not_yet", "@1")
    clock.advance(days=365)
    second = ApiChat(client)
    code = await annual(second, "@partly", "@2", body={"return_code": code})
    clock.advance(days=365)
    third = ApiChat(client)
    await annual(third, "@yes", "@4", body={"return_code": code})
    plan = await client.get(f"/api/conversations/{third.id}/plan", headers=third.headers)
    assert "Last year (2027): 2" in plan.text and "First year (2026): 1" in plan.text


async def test_nothing_of_last_year_without_the_code(client: httpx.AsyncClient) -> None:
    await annual(ApiChat(client), "@partly", "@2")
    wrong = await client.post("/api/conversations", json={"return_code": "ZZZZ-ZZZZ-ZZZZZ"})
    assert wrong.status_code == 404 and wrong.json()["error"] == "return_code_invalid"
    stranger = ApiChat(client)
    await stranger.start()
    await stranger.say("@annual")
    assert "same" not in [c["id"] for c in stranger.last["replies"][-1]["choices"]]
    assert "Locala" not in str(stranger.last)


async def test_the_rechecks_as_a_calendar_file_from_the_plans_page(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    chat = ApiChat(client)
    await annual(chat, "@not_yet", "@1")
    link = (await client.post(f"/api/conversations/{chat.id}/plan-link", headers=chat.headers)).json()["url"]
    page = await client.get(link)
    calendar = re.search(r'href="([^"]+/calendar\.ics\?[^"]+)"', page.text)
    assert calendar, "the plan page links its calendar file"
    got = await client.get(calendar.group(1).replace("&amp;", "&"))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(got.content).walk("VEVENT")
    assert len(events) == 5 and {e.decoded("dtstart") for e in events} == {date(2027, 5, 23)}
    tampered = await client.get(calendar.group(1).replace("&amp;", "&").replace("sig=", "sig=0"))
    assert tampered.status_code == 404
