"""Board access: only signed-in staff get in; an organisation lead sees only their own."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from storage import Submission
from storage.models import AuditEntry

from .helpers import PASSWORD, add_user, csrf_of, send_activity_check, send_annual, signed_in

BOARD_PAGES = [
    "/board",
    "/board/collation",
    "/board/report",
    "/board/rollup",
    "/board/audit",
    "/board/evaluations/x",
    "/board/evaluations/x/plan",
    "/board/evaluations/x/transcript.json",
    "/board/evaluations/x/transcript.csv",
    "/board/export?format=xlsx",
]
BOARD_API = [
    ("GET", "/api/board/submissions"),
    ("POST", "/api/board/submissions/pull"),
    ("GET", "/api/board/evaluations/x"),
    ("GET", "/api/board/evaluations/x/transcript"),
    ("GET", "/api/board/export"),
    ("GET", "/api/board/collation?year=2026"),
]


async def test_signed_out_requests_go_to_sign_in_or_get_401(client: httpx.AsyncClient) -> None:
    for path in BOARD_PAGES:
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/board/login"), path
    for method, path in BOARD_API:
        response = await client.request(method, path)
        assert response.status_code == 401, path
        wrong = await client.request(method, path, headers={"Authorization": "Bearer icfb_not-a-token"})
        assert wrong.status_code == 401, path
    for path in ("/board/pull", "/board/rollup", "/board/logout"):
        assert (await client.post(path, data={"csrf": "x"})).status_code == 303


async def test_sign_in_sets_a_safe_cookie_and_wrong_passwords_fail(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await send_activity_check(client, "Locala", "A story.")
    await add_user(app, "board@kirklees.example")
    wrong = await client.post("/board/login", data={"email": "board@kirklees.example", "password": "nope"})
    unknown = await client.post("/board/login", data={"email": "who@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401 and "do not match" in wrong.text
    good = await client.post("/board/login", data={"email": "BOARD@kirklees.example", "password": PASSWORD})
    cookie = good.headers["set-cookie"].lower()
    assert (
        good.status_code == 303
        and "httponly" in cookie
        and "samesite=strict" in cookie
        and "max-age=28800" in cookie
    )
    off_site = await client.post(
        "/board/login",
        data={"email": "board@kirklees.example", "password": PASSWORD, "next": "https://evil.example"},
    )
    assert off_site.headers["location"] == "/board"


async def test_an_org_lead_sees_only_their_own_organisation(client: httpx.AsyncClient, app: FastAPI) -> None:
    mine = await send_activity_check(client, "Locala", "Our own story.")
    theirs = await send_activity_check(client, "Healthwatch Kirklees", "Someone else's story.")
    await add_user(app, "lead@locala.example", "org-lead", "Locala")
    lead = await signed_in(app, "lead@locala.example")
    queue = await lead.get("/board?status=all")
    assert "Locala" in queue.text and "Healthwatch Kirklees" not in queue.text
    assert (await lead.get(f"/board/evaluations/{mine}")).status_code == 200
    for path in (
        f"/board/evaluations/{theirs}",
        f"/board/evaluations/{theirs}/transcript.json",
        f"/board/evaluations/{theirs}/plan",
        "/board/evaluations/0123456789abcdef0123456789abcdef",
    ):
        response = await lead.get(path)
        assert response.status_code == 404 and "Someone else" not in response.text, path
    export = await lead.get("/board/export?format=json")
    assert {row["organisation"] for row in export.json()} == {"Locala"}
    assert (await lead.get("/board/audit")).status_code == 404
    await lead.aclose()


async def test_a_script_in_a_story_shows_as_text_everywhere(client: httpx.AsyncClient, app: FastAPI) -> None:
    story = "<script>alert('x')</script> & <b>bold</b>"
    evaluation = await send_activity_check(client, "Locala", story, score=5)
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")
    year = (await board.get("/board/collation")).text
    pages = [
        (await board.get(f"/board/evaluations/{evaluation}")).text,
        (await board.get(f"/board/evaluations/{evaluation}/plan")).text,
        year,
        (await board.get("/board/report")).text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert story in (await board.get(f"/board/evaluations/{evaluation}/transcript.json")).json()[-8][
        "text"
    ] or any(
        e["text"] == story
        for e in (await board.get(f"/board/evaluations/{evaluation}/transcript.json")).json()
    )
    await board.aclose()


async def test_pull_needs_csrf_and_is_audited_like_exports(client: httpx.AsyncClient, app: FastAPI) -> None:
    await send_activity_check(client, "Locala", "One.")
    await send_activity_check(client, "The Branch", "Two.")
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")
    page = await board.get("/board")
    assert page.text.count("/board/evaluations/") == 2
    forged = await board.post("/board/pull", data={"csrf": "forged"})
    assert forged.status_code == 404
    pulled = await board.post("/board/pull", data={"csrf": csrf_of(page.text)})
    assert pulled.status_code == 303 and "pulled=2" in pulled.headers["location"]
    assert (await board.get("/board")).text.count("/board/evaluations/") == 0  # nothing new now
    await board.get("/board/export?format=csv")
    async with app.state.service.sessions() as session:
        pulled_by = await session.scalars(select(Submission.pulled_by))
        assert set(pulled_by) == {"board@kirklees.example"}
        actions = [
            (e.actor, e.action) for e in await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert ("board@kirklees.example", "pull") in actions and ("board@kirklees.example", "export") in actions
    assert "Two." not in str(actions)  # the log says what was done, never the data
    await board.aclose()


async def test_api_tokens_for_scripts(client: httpx.AsyncClient, app: FastAPI) -> None:
    evaluation = await send_activity_check(client, "Locala", "A story.")
    await add_user(app, "board@kirklees.example")
    token = await app.state.board_auth.new_api_token("board@kirklees.example", "nightly")
    headers = {"Authorization": f"Bearer {token}"}
    new = (await client.get("/api/board/submissions", headers=headers)).json()
    assert [row["evaluation_id"] for row in new] == [evaluation]
    pulled = await client.post("/api/board/submissions/pull", headers=headers)
    assert pulled.json()["pulled"] == [new[0]["reference"]]
    assert (await client.get("/api/board/submissions", headers=headers)).json() == []
    detail = (await client.get(f"/api/board/evaluations/{evaluation}", headers=headers)).json()
    assert detail["answers"]["by_approach"]["celebrating"]["story"] == "A story."
    csv_text = (
        await client.get(f"/api/board/evaluations/{evaluation}/transcript?format=csv", headers=headers)
    ).text
    assert csv_text.startswith("at,direction,channel,language,step,text")


async def test_an_org_lead_rolls_team_evaluations_up(client: httpx.AsyncClient, app: FastAPI) -> None:
    first = await send_annual(client, "Kirklees Council", "Libraries", score=2)
    second = await send_annual(client, "Kirklees Council", "Parks", score=5)
    await send_annual(client, "Locala", "Nursing", score=1)
    await add_user(app, "lead@kirklees.example", "org-lead", "Kirklees Council")
    lead = await signed_in(app, "lead@kirklees.example")
    page = await lead.get("/board/rollup")
    assert "Libraries" in page.text and "Nursing" not in page.text
    done = await lead.post(
        "/board/rollup",
        data={"csrf": csrf_of(page.text), "evaluation": [first, second], "note": "Whole council"},
    )
    assert done.status_code == 303 and "done=ICF-" in done.headers["location"]
    queue = await lead.get("/board?status=all&scope=rollup")
    assert "Whole council" in queue.text
    async with app.state.service.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Submission))
    assert count == 4
    board_rows = (await lead.get("/board/export?format=json")).json()
    rolled = [r for r in board_rows if r["scope"] == "rollup"]
    assert {r["score"] for r in rolled} == {4}  # the mean of 2 and 5 is 3.5, which rounds up
    await lead.aclose()


@pytest.mark.parametrize("bad", [[], ["one"]])
async def test_a_roll_up_needs_two_of_your_own(
    client: httpx.AsyncClient, app: FastAPI, bad: list[str]
) -> None:
    await send_activity_check(client, "Locala", "Story.")
    await add_user(app, "lead@locala.example", "org-lead", "Locala")
    lead = await signed_in(app, "lead@locala.example")
    page = await lead.get("/board/rollup")
    refused = await lead.post("/board/rollup", data={"csrf": csrf_of(page.text), "evaluation": bad})
    assert refused.headers["location"] == "/board/rollup?error=1"
    await lead.aclose()
