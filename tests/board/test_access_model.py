"""The access model (SECURITY.md, "Who sees what"), walked over every board route and API endpoint.

Evaluations in every state, each made through the real chat API and marked by its own team name:
a draft, one completed but not sent, one declined ("keep it"), one deleted after it was sent, one
sent to its organisation's lead, one sent to the board, and one sent to the lead and rolled up (with
the roll-up itself). Four people try every route: board staff, the lead of that organisation, the
lead of another organisation, and a stranger guessing ids. Each must see exactly what the model
allows: the right evaluations answer 200, every other is 404 (the same as an id that never
existed), and no page, export or list carries the team name of an evaluation the person may not see.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select

from bot.board import api as board_api
from bot.board import pages as board_pages
from storage.models import Rollup
from tests.web.chat_client import ApiChat

from .helpers import add_user, annual, annual_to_lead, browser, csrf_of, list_organisations, signed_in

COUNCIL, LOCALA = "Kirklees Council", "Locala"
GUESS = "0123456789abcdef0123456789abcdef"


@dataclass
class World:
    ids: dict[str, str]  # state -> evaluation id
    rollup: str


async def _draft(client: httpx.AsyncClient) -> str:
    chat = ApiChat(client)
    await chat.start()
    for said in ["@annual", "@team", COUNCIL, "Drafting team"]:
        await chat.say(said)
    return chat.id


async def _deleted(client: httpx.AsyncClient) -> str:
    chat = await annual(client, COUNCIL, "Deleted team", 3)
    await chat.say("delete")
    await chat.say("@yes")
    assert chat.last["status"] == "deleted"
    return chat.id


async def build(app: FastAPI, client: httpx.AsyncClient) -> World:
    await list_organisations(app, COUNCIL, LOCALA)
    ids = {
        "draft": await _draft(client),
        "completed": (await annual(client, COUNCIL, "Unsent team", 3, consent=None)).id,
        "declined": (await annual(client, COUNCIL, "Declining team", 3, consent="@keep")).id,
        "deleted": await _deleted(client),
        "to lead": await annual_to_lead(app, client, COUNCIL, "Libraries team", 2),
        "to board": (await annual(client, COUNCIL, "Parks team", 4)).id,
        "rolled up": await annual_to_lead(app, client, COUNCIL, "Museums team", 5),
    }
    await add_user(app, "board@kirklees.example")
    await add_user(app, "lead@kirklees.example", "org-lead", COUNCIL)
    await add_user(app, "lead@locala.example", "org-lead", LOCALA)
    lead = await signed_in(app, "lead@kirklees.example")
    page = await lead.get("/board/rollup?year=2026")
    done = await lead.post(
        "/board/rollup",
        data={
            "csrf": csrf_of(page.text),
            "year": "2026",
            "evaluation": [ids["rolled up"]],
            "note": "Whole council",
        },
    )
    assert done.status_code == 303 and "done=ICF-2026-R" in done.headers["location"], done.text
    await lead.aclose()
    async with app.state.service.sessions() as session:
        rollup = str(await session.scalar(select(Rollup.evaluation_id)))
    return World(ids, rollup)


MARKERS = {
    "draft": "Drafting team",
    "completed": "Unsent team",
    "declined": "Declining team",
    "deleted": "Deleted team",
    "to lead": "Libraries team",
    "to board": "Parks team",
    "rolled up": "Museums team",
}
# What each person sees: "whole" (answers, plan, transcript), "part" (as a roll-up's part), else nothing.
SEES = {
    "board": {"to board": "whole", "rolled up": "part", "rollup": "whole"},
    "lead": {"to lead": "whole", "rolled up": "whole", "rollup": "whole"},
    "other lead": {},
}
EMAILS = {
    "board": "board@kirklees.example",
    "lead": "lead@kirklees.example",
    "other lead": "lead@locala.example",
}
DETAIL_PAGES = ["/board/evaluations/{id}"]
WHOLE_PAGES = [
    "/board/evaluations/{id}/plan",
    "/board/evaluations/{id}/transcript.json",
    "/board/evaluations/{id}/transcript.csv",
]
LISTS = [
    "/board?status=all",
    "/board?status=new",
    "/board?status=all&check=true",
    "/board/export?format=json",
    "/board/export?format=csv",
    "/board/collation?year=2026",
    "/board/report?year=2026",
    "/board/rollup?year=2026",
    "/board/organisations",
    "/board/translations",
    "/board/workshops?year=2026",
    "/board/workshops.csv?year=2026",
    "/board/workshops.xlsx?year=2026",
    "/board/audit",
]
API_LISTS = [
    "/api/board/submissions?status=all",
    "/api/board/export?format=json",
    "/api/board/export?format=csv",
    "/api/board/collation?year=2026",
]


@pytest.fixture
async def world(app: FastAPI, client: httpx.AsyncClient) -> World:
    return await build(app, client)


def _every_id(world: World) -> dict[str, str]:
    return {**world.ids, "rollup": world.rollup, "guessed": GUESS}


def _forbidden_markers(role: str) -> list[str]:
    return [marker for state, marker in MARKERS.items() if state not in SEES[role]]


@pytest.mark.parametrize("role", ["board", "lead", "other lead"])
async def test_each_role_sees_exactly_what_the_model_allows(app: FastAPI, world: World, role: str) -> None:
    person = await signed_in(app, EMAILS[role])
    token = await app.state.board_auth.new_api_token(EMAILS[role], "test")
    api = {"Authorization": f"Bearer {token}"}
    hidden = _forbidden_markers(role)
    try:
        for state, evaluation_id in _every_id(world).items():
            sees = SEES[role].get(state)
            for template in DETAIL_PAGES:
                page = await person.get(template.format(id=evaluation_id))
                assert page.status_code == (200 if sees else 404), (role, state, template)
                assert not [m for m in hidden if m in page.text], (role, state, template)
            for template in WHOLE_PAGES:
                page = await person.get(template.format(id=evaluation_id))
                assert page.status_code == (200 if sees == "whole" else 404), (role, state, template)
                assert not [m for m in hidden if m in page.text], (role, state, template)
            detail = await person.get(f"/api/board/evaluations/{evaluation_id}", headers=api)
            assert detail.status_code == (200 if sees else 404), (role, state)
            if sees:
                assert detail.json()["access"] == {"whole": "full", "part": "contribution"}[sees]
                assert (detail.json()["transcript"] is None) == (sees == "part"), (role, state)
            for fmt in ("json", "csv"):
                transcript = await person.get(
                    f"/api/board/evaluations/{evaluation_id}/transcript?format={fmt}", headers=api
                )
                assert transcript.status_code == (200 if sees == "whole" else 404), (role, state, fmt)
        for path in LISTS:
            page = await person.get(path)
            assert page.status_code in (200, 404), (role, path, page.status_code)
            assert not [m for m in hidden if m in page.text], (role, path)
        for path in API_LISTS:
            answer = await person.get(path, headers=api)
            assert answer.status_code == 200, (role, path)
            assert not [m for m in hidden if m in answer.text], (role, path)
    finally:
        await person.aclose()


@pytest.mark.parametrize("role", ["board", "lead", "other lead"])
async def test_lists_hold_exactly_the_evaluations_allowed(app: FastAPI, world: World, role: str) -> None:
    token = await app.state.board_auth.new_api_token(EMAILS[role], "test")
    api = {"Authorization": f"Bearer {token}"}
    async with browser(app) as client:
        queue = (await client.get("/api/board/submissions?status=all", headers=api)).json()["submissions"]
        export = (await client.get("/api/board/export?format=json", headers=api)).json()
        collation = (await client.get("/api/board/collation?year=2026", headers=api)).json()
    named = {state: i for state, i in _every_id(world).items()}
    whole = {named[s] for s, how in SEES[role].items() if how == "whole"}
    assert {row["evaluation_id"] for row in queue} == whole
    exported = {row["evaluation_id"] for row in export}
    assert exported == {named[s] for s in SEES[role]}
    counted = {row["evaluation_id"] for row in export if not row["rollup"]}
    # the roll-up stands for what it combines: each team counts once
    expected_counted = {"board": {"to board", "rollup"}, "lead": {"to lead", "rollup"}, "other lead": set()}
    assert counted == {named[s] for s in expected_counted[role]}
    assert collation["evaluations"] == len(counted)


async def test_a_stranger_gets_nothing_anywhere(client: httpx.AsyncClient, world: World) -> None:
    for state, evaluation_id in _every_id(world).items():
        for template in [*DETAIL_PAGES, *WHOLE_PAGES]:
            page = await client.get(template.format(id=evaluation_id))
            assert page.status_code == 303 and page.headers["location"].startswith("/board/login"), state
        for suffix in ("", "/transcript"):
            for headers in (
                {},
                {"Authorization": "Bearer icfb_guessed"},
                {"Authorization": f"Bearer {GUESS}"},
            ):
                answer = await client.get(f"/api/board/evaluations/{evaluation_id}{suffix}", headers=headers)
                assert answer.status_code == 401, (state, suffix)
                assert not [m for m in MARKERS.values() if m in answer.text]
    for path in LISTS:
        assert (await client.get(path)).status_code == 303, path
    for path in API_LISTS:
        assert (await client.get(path)).status_code == 401, path
    # the chat side: a conversation's own API answers only with its token
    for evaluation_id in world.ids.values():
        for path in ("messages", "export"):
            answer = await client.get(f"/api/conversations/{evaluation_id}/{path}")
            assert answer.status_code in (401, 404) and not [m for m in MARKERS.values() if m in answer.text]


def test_the_walk_covers_every_board_route() -> None:
    """Every GET route of the board's pages and API is in the walk above (a new one must join it)."""
    walked = {
        path.split("?")[0].replace("{id}", "{evaluation_id}")
        for path in [*DETAIL_PAGES, *WHOLE_PAGES, *LISTS, *API_LISTS]
    }
    walked |= {"/api/board/evaluations/{evaluation_id}", "/api/board/evaluations/{evaluation_id}/transcript"}
    walked.add("/board/login")  # the sign-in form: nothing of anyone's there
    routes = [r for r in [*board_pages.router.routes, *board_api.router.routes] if isinstance(r, APIRoute)]
    unwalked = {r.path for r in routes if "GET" in r.methods} - walked
    assert unwalked == set()


async def test_changes_are_for_the_roles_that_may_make_them(app: FastAPI, world: World) -> None:
    """The board's forms, posted by an organisation lead (or the other way round), change nothing."""
    for role in ("lead", "other lead"):
        person = await signed_in(app, EMAILS[role])
        csrf = csrf_of((await person.get("/board")).text)
        for path, data in [
            ("/board/pull", {"evaluation": world.ids["to lead"]}),
            ("/board/organisations", {"action": "add", "name": "Lead's own list"}),
            (
                "/board/workshops",
                {"year": "2026", "approach": "connecting", "theme": "training", "on": "2026-12-01"},
            ),
        ]:
            answer = await person.post(path, data={"csrf": csrf, **data})
            assert answer.status_code == 404, (role, path)
        await person.aclose()
    other = await signed_in(app, EMAILS["other lead"])
    page = await other.get("/board/rollup?year=2026")
    taken = await other.post(
        "/board/rollup",
        data={
            "csrf": csrf_of(page.text),
            "year": "2026",
            "evaluation": [world.ids["to lead"]],
            "note": "Stolen",
        },
    )
    assert "error=" in taken.headers["location"]  # not one their teams sent them
    await other.aclose()
    board = await signed_in(app, EMAILS["board"])
    page = await board.get("/board/rollup?year=2026")
    refused = await board.post(
        "/board/rollup",
        data={"csrf": csrf_of(page.text), "year": "2026", "evaluation": [world.ids["to lead"]]},
    )
    assert "error=" in refused.headers["location"]  # board staff do not roll up for a lead
    assert "Lead's own list" not in (await board.get("/board/organisations")).text
    await board.aclose()
