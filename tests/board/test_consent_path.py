"""The framework's path, as the people on it see it: team -> the organisation's ICF lead -> the board.

Every evaluation is a real conversation through the chat API, sent where its team chose at the
consent step: to the organisation's ICF lead, to the board, or kept.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from tests.conftest import Clock

from .helpers import add_user, annual, annual_to_lead, browser, csrf_of, list_organisations, signed_in

COUNCIL = "Kirklees Council"


async def _roll_up(lead: httpx.AsyncClient, year: int, ids: list[str], note: str = "") -> httpx.Response:
    page = await lead.get(f"/board/rollup?year={year}")
    return await lead.post(
        "/board/rollup",
        data={"csrf": csrf_of(page.text), "year": str(year), "evaluation": ids, "note": note},
    )


async def _people(app: FastAPI) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    await add_user(app, "board@kirklees.example")
    await add_user(app, "lead@kirklees.example", "org-lead", COUNCIL)
    return await signed_in(app, "board@kirklees.example"), await signed_in(app, "lead@kirklees.example")


async def test_a_team_sent_to_its_lead_is_rolled_up_and_sent_on(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await list_organisations(app, COUNCIL)
    libraries = await annual_to_lead(app, client, COUNCIL, "Libraries", 2)
    parks = await annual_to_lead(app, client, COUNCIL, "Parks", 5)
    museums = (await annual(client, COUNCIL, "Museums", 3)).id  # straight to the board
    board, lead = await _people(app)

    inbox = await lead.get("/board/rollup?year=2026")
    assert "Libraries" in inbox.text and "Parks" in inbox.text and "Museums" not in inbox.text
    assert "Libraries" not in (await board.get("/board?status=all")).text  # not sent to the board (yet)

    done = await _roll_up(lead, 2026, [libraries, parks], "Whole council")
    assert done.status_code == 303 and "done=ICF-2026-R" in done.headers["location"]
    told = await lead.get(done.headers["location"])
    assert "Sent to the board with reference ICF-2026-R" in told.text

    queue = await board.get("/board?status=all")
    assert "Whole council" in queue.text and "Museums" in queue.text and "Parks" not in queue.text
    rollup_id = next(
        r["evaluation_id"]
        for r in (await board.get("/board/export?format=json")).json()
        if r["kind"] == "rollup"
    )
    page = await board.get(f"/board/evaluations/{rollup_id}")
    assert page.status_code == 200 and "What this roll-up combines" in page.text
    assert f"/board/evaluations/{libraries}" in page.text and "Libraries: Libraries story." in page.text

    part = await board.get(f"/board/evaluations/{libraries}")  # the team's contribution: answers only
    assert part.status_code == 200 and "Libraries story." in part.text
    assert "one team's part of a roll-up" in part.text and "Transcript" not in part.text
    for path in ("transcript.json", "transcript.csv", "plan"):
        assert (await board.get(f"/board/evaluations/{libraries}/{path}")).status_code == 404, path
    whole = await board.get(f"/board/evaluations/{museums}")  # the team that chose the board
    assert (
        "Transcript" in whole.text
        and (await board.get(f"/board/evaluations/{museums}/transcript.json")).status_code == 200
    )

    figures = (await board.get("/board/export?format=json")).json()
    rolled = [r for r in figures if r["evaluation_id"] == rollup_id]
    assert {r["score"] for r in rolled} == {4}  # the mean of 2 and 5 is 3.5, which rounds up
    collation = await board.get("/board/collation?year=2026")
    assert "Evaluations counted: 2" in collation.text  # the roll-up and Museums
    assert "Organisations: 1" in collation.text
    await board.aclose()
    await lead.aclose()


async def test_a_declined_evaluation_is_reached_by_nobody(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, COUNCIL)
    kept = await annual(client, COUNCIL, "Quiet team", 1, consent="@keep")
    assert kept.last["status"] == "completed"  # kept: not sent anywhere
    sent = await annual_to_lead(app, client, COUNCIL, "Open team", 4)
    board, lead = await _people(app)
    token = await app.state.board_auth.new_api_token("board@kirklees.example", "t")
    lead_token = await app.state.board_auth.new_api_token("lead@kirklees.example", "t")
    for person, api in ((board, token), (lead, lead_token)):
        headers = {"Authorization": f"Bearer {api}"}
        for path in (f"/board/evaluations/{kept.id}", f"/board/evaluations/{kept.id}/transcript.json"):
            assert (await person.get(path)).status_code == 404
        assert (await person.get(f"/api/board/evaluations/{kept.id}", headers=headers)).status_code == 404
        for path in ("/board?status=all", "/board/export?format=json", "/board/rollup?year=2026"):
            assert "Quiet team" not in (await person.get(path)).text
    refused = await _roll_up(lead, 2026, [kept.id, sent])  # a forged form naming it
    assert "error=" in refused.headers["location"]
    assert "Quiet team" not in (await lead.get("/board?status=all")).text
    await _roll_up(lead, 2026, [sent])
    rollup = next(r for r in (await board.get("/board/export?format=json")).json() if r["kind"] == "rollup")
    detail = (await board.get(f"/board/evaluations/{rollup['evaluation_id']}")).text
    assert "Quiet team" not in detail and kept.id not in detail
    async with browser(app) as api:
        answer = await api.get(
            f"/api/board/evaluations/{rollup['evaluation_id']}", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.json()["rollup_members"] == [sent] and kept.id not in answer.text
    await board.aclose()
    await lead.aclose()


async def test_rolling_up_again_replaces_and_counts_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, COUNCIL)
    first = await annual_to_lead(app, client, COUNCIL, "Libraries", 2)
    second = await annual_to_lead(app, client, COUNCIL, "Parks", 4)
    board, lead = await _people(app)
    once = await _roll_up(lead, 2026, [first, second], "First go")
    first_reference = once.headers["location"].split("done=")[1].split("&")[0]
    later = await annual_to_lead(app, client, COUNCIL, "Museums", 5)
    page = await lead.get("/board/rollup?year=2026")
    assert "Rolling up again replaces it" in page.text
    again = await _roll_up(lead, 2026, [first, second, later], "Second go")
    told = await lead.get(again.headers["location"])
    assert f"It replaces the earlier roll-up {first_reference}, which no longer counts." in told.text
    export = (await board.get("/board/export?format=json")).json()
    counted = {r["evaluation_id"] for r in export if not r["rollup"]}
    assert len(counted) == 1 and {r["kind"] for r in export if not r["rollup"]} == {"rollup"}
    assert {r["evaluation_id"] for r in export if r["rollup"]} == {first, second, later}
    collation = (await board.get("/api/board/collation?year=2026", headers=await _api(app))).json()
    assert collation["evaluations"] == 1
    assert collation["partnership"]["connecting"]["count"] == 1  # one organisational score, not 2 or 5
    queue = await board.get("/board?status=all")
    assert "Second go" in queue.text and "First go" not in queue.text
    await board.aclose()
    await lead.aclose()


async def _api(app: FastAPI) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {await app.state.board_auth.new_api_token('board@kirklees.example', 't')}"
    }


async def test_a_roll_up_never_takes_another_years_evaluation(
    client: httpx.AsyncClient, app: FastAPI, clock: Clock
) -> None:
    await list_organisations(app, COUNCIL)
    clock.now = datetime(2025, 11, 20, 10, tzinfo=UTC)
    last_year = await annual_to_lead(app, client, COUNCIL, "Libraries", 2)
    clock.now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    this_year = await annual_to_lead(app, client, COUNCIL, "Parks", 4)
    board, lead = await _people(app)
    page = await lead.get("/board/rollup?year=2026")
    assert "Parks" in page.text and "Libraries" not in page.text
    refused = await _roll_up(lead, 2026, [this_year, last_year])
    assert "error=" in refused.headers["location"]
    assert "not one your teams sent you that year" in (await lead.get(refused.headers["location"])).text
    # rolled up in January 2027, the 2026 roll-up still counts in 2026
    clock.now = datetime(2027, 1, 10, 10, tzinfo=UTC)
    await lead.aclose()
    lead = await signed_in(app, "lead@kirklees.example")  # the last session ended long ago
    assert "done=" in (await _roll_up(lead, 2026, [this_year])).headers["location"]
    headers = await _api(app)
    assert (await board.get("/api/board/collation?year=2026", headers=headers)).json()["evaluations"] == 1
    assert (await board.get("/api/board/collation?year=2027", headers=headers)).json()["evaluations"] == 0
    await board.aclose()
    await lead.aclose()
