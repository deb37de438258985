"""Board test helpers: accounts, signing in, and evaluations sent through the real chat API."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from dialogs import load_default_content
from storage import Organisation
from tests.web.chat_client import ApiChat

# How many plain questions each approach asks, in order, as the content has them.
QUESTIONS = tuple(len(a.questions) for a in load_default_content().approaches)

PASSWORD = "correct horse battery staple"


async def send_activity_check(
    client: httpx.AsyncClient, organisation: str, story: str, score: int = 4
) -> str:
    """A quick check sent to the board; returns its evaluation id."""
    chat = ApiChat(client)
    await chat.start()
    for said in [
        "@activity",
        organisation,
        "Park sessions",
        "@celebrating",
        "@done",
        f"@{score}",
        story,
        "@time",
        "@done",
        "/skip",  # no action
    ]:
        await chat.say(said)
    await chat.say("@ok")
    await chat.say("@board")
    assert chat.last["status"] == "submitted"
    return chat.id


async def send_annual(client: httpx.AsyncClient, organisation: str, team: str, score: int) -> str:
    chat = ApiChat(client)
    await chat.start()
    for said in ["@annual", "@team", organisation, team]:
        await chat.say(said)
    for questions in QUESTIONS:
        for _ in range(questions):
            await chat.say("@partly")
        for said in [f"@{score}", "@some", "/skip", "@done", f"{team} story.", "@training", "@done"]:
            await chat.say(said)
        for said in [f"{team} action.", "/skip", "/skip"]:
            await chat.say(said)
    await chat.say("@no")  # not the restorative checklist
    await chat.say("@ok")
    await chat.say("@board")
    return chat.id


async def organisation_id(app: FastAPI, name: str) -> int:
    async with app.state.service.sessions() as session:
        found = await session.scalar(select(Organisation.id).where(Organisation.name == name))
    assert found is not None
    return int(found)


async def add_user(app: FastAPI, email: str, role: str = "board", organisation: str | None = None) -> None:
    org_id = await organisation_id(app, organisation) if organisation else None
    await app.state.board_auth.add_user(email, PASSWORD, role, org_id)


async def signed_in(app: FastAPI, email: str) -> httpx.AsyncClient:
    browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    response = await browser.post(
        "/board/login", data={"email": email, "password": PASSWORD, "next": "/board"}
    )
    assert response.status_code == 303, response.text
    return browser


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)
