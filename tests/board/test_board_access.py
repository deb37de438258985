"""Board basics: only signed-in staff get in, user text shows as text, pulls and exports are audited,
scripts use API tokens. (Who sees which evaluation: test_access_model.py.)"""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from storage import Submission
from storage.models import AuditEntry

from .helpers import add_user, csrf_of, list_organisations, send_activity_check, signed_in

BOARD_PAGES = [
    "/board",
    "/board/collation",
    "/board/report",
    "/board/rollup",
    "/board/organisations",
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
    for path in ("/board/pull", "/board/rollup", "/board/logout", "/board/organisations"):
        assert (await client.post(path, data={"csrf": "x"})).status_code == 303


async def test_a_script_in_a_story_shows_as_text_everywhere(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, "Locala")
    story = "<script>alert('x')</script> & <b>bold</b>"
    evaluation = await send_activity_check(client, "Locala", story, score=5)
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")
    pages = [
        (await board.get(f"/board/evaluations/{evaluation}")).text,
        (await board.get(f"/board/evaluations/{evaluation}/plan")).text,
        (await board.get("/board/collation")).text,
        (await board.get("/board/report")).text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    transcript = (await board.get(f"/board/evaluations/{evaluation}/transcript.json")).json()
    assert story in [e["text"] for e in transcript]
    await board.aclose()


async def test_pull_needs_csrf_and_is_audited_like_exports(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, "Locala", "The Branch")
    await send_activity_check(client, "Locala", "One.")
    await send_activity_check(client, "The Branch", "Two.")
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")
    page = await board.get("/board")
    assert page.text.count("/board/evaluations/") == 2
    forged = await board.post("/board/pull", data={"csrf": "forged"})
    assert forged.status_code == 404
    ids = re.findall(r'name="evaluation" value="([^"]+)"', page.text)
    pulled = await board.post("/board/pull", data={"csrf": csrf_of(page.text), "evaluation": ids})
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
    await list_organisations(app, "Locala")
    evaluation = await send_activity_check(client, "Locala", "A story.")
    await add_user(app, "board@kirklees.example")
    token = await app.state.board_auth.new_api_token("board@kirklees.example", "nightly")
    headers = {"Authorization": f"Bearer {token}"}
    new = (await client.get("/api/board/submissions", headers=headers)).json()["submissions"]
    assert [row["evaluation_id"] for row in new] == [evaluation] and new[0]["destination"] == "board"
    pulled = await client.post(
        "/api/board/submissions/pull", json={"evaluation_ids": [evaluation]}, headers=headers
    )
    assert pulled.json()["pulled"] == [new[0]["reference"]]
    assert (await client.get("/api/board/submissions", headers=headers)).json()["submissions"] == []
    detail = (await client.get(f"/api/board/evaluations/{evaluation}", headers=headers)).json()
    assert detail["answers"]["by_approach"]["celebrating"]["story"] == "A story."
    csv_text = (
        await client.get(f"/api/board/evaluations/{evaluation}/transcript?format=csv", headers=headers)
    ).content.decode("utf-8-sig")
    assert csv_text.startswith("at,direction,channel,language,step,text")
