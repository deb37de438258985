"""A team that deletes its evaluation takes it out of the roll-up it was in: the roll-up is combined
again from the teams left (or goes, when none is left), so no figure, export or page of the board
keeps anything of it."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from .helpers import add_user, annual, csrf_of, list_organisations, signed_in

COUNCIL = "Kirklees Council"


async def _roll_up(lead: httpx.AsyncClient, ids: list[str]) -> None:
    page = await lead.get("/board/rollup?year=2026")
    done = await lead.post(
        "/board/rollup",
        data={"csrf": csrf_of(page.text), "year": "2026", "evaluation": ids, "note": "Whole council"},
    )
    assert done.status_code == 303, done.text


async def _rolled(board: httpx.AsyncClient) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = (await board.get("/board/export?format=json")).json()
    return rows


async def test_an_erased_team_leaves_the_roll_up(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, COUNCIL)
    libraries = await annual(client, COUNCIL, "Libraries", 2, consent="@lead")
    parks = await annual(client, COUNCIL, "Parks", 5, consent="@lead")
    await add_user(app, "board@kirklees.example")
    await add_user(app, "lead@kirklees.example", "org-lead", COUNCIL)
    board = await signed_in(app, "board@kirklees.example")
    lead = await signed_in(app, "lead@kirklees.example")
    await _roll_up(lead, [libraries.id, parks.id])
    rows = await _rolled(board)
    rollup_id = next(str(r["evaluation_id"]) for r in rows if r["kind"] == "rollup")
    assert {r["score"] for r in rows if r["evaluation_id"] == rollup_id} == {4}  # 2 and 5: 3.5 up

    assert "has been deleted" in await libraries.say("/delete") + await libraries.say("@yes")

    rows = await _rolled(board)
    assert libraries.id not in {r["evaluation_id"] for r in rows}
    rolled = [r for r in rows if r["evaluation_id"] == rollup_id]
    assert {r["score"] for r in rolled} == {5}  # Parks alone now
    assert not any("Libraries" in str(r["story"]) for r in rolled)
    assert {r["evaluation_id"] for r in rows if r["rollup"] == rollup_id} == {parks.id}
    page = await board.get(f"/board/evaluations/{rollup_id}")
    assert page.status_code == 200 and "Parks story." in page.text
    assert libraries.id not in page.text and "Libraries story." not in page.text
    assert (await board.get(f"/board/evaluations/{libraries.id}")).status_code == 404
    figures = (await board.get("/api/board/collation?year=2026", headers=await _token(app))).json()
    assert figures["evaluations"] == 1
    assert figures["partnership"]["connecting"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}

    assert "has been deleted" in await parks.say("/delete") + await parks.say("@yes")
    assert await _rolled(board) == []  # the roll-up stood for nobody: it went too
    assert (await board.get(f"/board/evaluations/{rollup_id}")).status_code == 404
    assert "Evaluations counted: 0" in (await board.get("/board/collation?year=2026")).text
    await board.aclose()
    await lead.aclose()


async def _token(app: FastAPI) -> dict[str, str]:
    token = await app.state.board_auth.new_api_token("board@kirklees.example", "test")
    return {"Authorization": f"Bearer {token}"}
