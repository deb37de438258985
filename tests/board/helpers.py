"""Board test helpers: accounts, signing in, and evaluations sent through the real chat API."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from bot.board.auth import SignedIn
from dialogs import load_default_content
from storage import Organisation
from tests.web.chat_client import ApiChat

# How many plain questions each approach asks, in order, as the content has them.
QUESTIONS = tuple(len(a.questions) for a in load_default_content().approaches)

STAFF = SignedIn(user_id=0, email="staff@kirklees.example", role="board", organisation_id=None)

PASSWORD = "correct horse battery staple"


async def send_activity_check(
    client: httpx.AsyncClient, organisation: str, story: str, score: int = 4
) -> str:
    """A quick check sent to the board; returns its evaluation id."""
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@activity")
    await name_organisation(chat, organisation)
    for said in [
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


async def name_organisation(chat: ApiChat, organisation: str) -> None:
    """Type the organisation's name; when the chat offers listed names like it, keep the one typed."""
    await chat.say(organisation)
    if chat.last["step"] == "organisation":
        assert "Is it one of these?" in chat.last["replies"][-1]["text"]
        await chat.say("@none")


async def annual(
    client: httpx.AsyncClient, organisation: str, team: str, score: int, consent: str | None = "@board"
) -> ApiChat:
    """A whole team evaluation through the chat API, answered at the consent question with
    ``consent`` ("@board", "@lead": the organisation's ICF lead, "@keep", None: not answered yet)."""
    chat = ApiChat(client)
    await chat.start()
    for said in ["@annual", "@team"]:
        await chat.say(said)
    await name_organisation(chat, organisation)
    await chat.say(team)
    for questions in QUESTIONS:
        for _ in range(questions):
            await chat.say("@partly")
        for said in [f"@{score}", "@some", "/skip", "@done", f"{team} story.", "@training", "@done"]:
            await chat.say(said)
        for said in [f"{team} action.", "/skip", "/skip"]:
            await chat.say(said)
    await chat.say("@no")  # not the restorative checklist
    await chat.say("@ok")
    if consent is not None:
        await chat.say(consent)
    return chat


async def send_annual(client: httpx.AsyncClient, organisation: str, team: str, score: int) -> str:
    return (await annual(client, organisation, team, score)).id


async def annual_to_lead(
    app: FastAPI, client: httpx.AsyncClient, organisation: str, team: str, score: int
) -> str:
    """A team evaluation sent to its organisation's ICF lead, as the team chose at the consent step."""
    chat = await annual(client, organisation, team, score, consent="@lead")
    assert chat.last["status"] == "submitted"
    return chat.id


async def organisation_id(app: FastAPI, name: str) -> int:
    async with app.state.service.sessions() as session:
        found = await session.scalar(select(Organisation.id).where(Organisation.name == name))
    assert found is not None
    return int(found)


async def list_organisations(app: FastAPI, *names: str) -> None:
    """Board staff put these names on the list (as ``icf board organisation add`` does)."""
    board = app.state.board
    for name in names:
        await board.change_organisations(STAFF, "add", name=name)


async def add_user(app: FastAPI, email: str, role: str = "board", organisation: str | None = None) -> None:
    org_id = await organisation_id(app, organisation) if organisation else None
    await app.state.board_auth.add_user(email, PASSWORD, role, org_id)


def browser(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """As a person does: open the sign-in page (which sets its cookie), then send the form."""
    assert (await client.get("/board/login")).status_code == 200
    return await client.post("/board/login", data={"email": email, "password": password, "next": "/board"})


async def signed_in(app: FastAPI, email: str) -> httpx.AsyncClient:
    client = browser(app)
    response = await sign_in(client, email)
    assert response.status_code == 303, response.text
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)
