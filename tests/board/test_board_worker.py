"""The board's collation and exports are built in worker processes, not in the server's: the figures
and files are the same, and a worker that dies (killed, out of memory) costs nobody their answer."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import signal

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import select

from bot.board.collation import as_json
from storage.access import Role, Viewer
from storage.models import CollationStale

from .helpers import add_user, send_annual, signed_in


def _workers() -> list[multiprocessing.process.BaseProcess]:
    return [child for child in multiprocessing.active_children() if child.pid != os.getpid()]


async def test_figures_and_files_come_from_a_worker_and_a_killed_one_is_replaced(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await send_annual(client, "Huddersfield Food Bank", "Outreach", 4)
    await send_annual(client, "Dewsbury Youth Club", "Sports", 2)
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")

    before = await board.get("/board/collation")
    exported = await board.get("/board/export?format=csv")
    assert before.status_code == 200 and exported.status_code == 200
    assert "Huddersfield Food Bank" in before.text and "Dewsbury Youth Club" in exported.text
    workers = _workers()
    assert workers, "the collation was built in this process, not in a worker"

    for worker in workers:  # killed outright, as the out-of-memory killer would
        assert worker.pid is not None
        with contextlib.suppress(ProcessLookupError):  # another test's child, just gone
            os.kill(worker.pid, signal.SIGKILL)
        worker.join(5)

    after = await board.get("/board/collation")
    again = await board.get("/board/export?format=csv")
    assert after.status_code == 200, after.text
    assert again.status_code == 200 and again.content == exported.content
    assert "Huddersfield Food Bank" in after.text
    assert {w.pid for w in _workers()}.isdisjoint({w.pid for w in workers})  # new ones
    await board.aclose()


async def test_every_export_format_is_whole_through_the_worker(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await send_annual(client, "Batley Community Choir", "Singers", 3)
    await add_user(app, "board@kirklees.example")
    token = await app.state.board_auth.new_api_token("board@kirklees.example", "script")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    bearer = {"Authorization": f"Bearer {token}"}

    shown = (await api.get("/api/board/export?format=json&year=2026", headers=bearer)).json()
    csv = await api.get("/api/board/export?format=csv&year=2026", headers=bearer)
    xlsx = await api.get("/api/board/export?format=xlsx&year=2026", headers=bearer)

    assert {row["organisation"] for row in shown} == {"Batley Community Choir"}
    assert len(shown) == 5  # one row an approach
    assert csv.text.count("Batley Community Choir") == 5
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["Evaluations"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        r["evaluation_id"] for r in shown
    ]
    # The collation's JSON is written in the worker too: the same figures as built in this process.
    figures = await api.get("/api/board/collation?year=2026", headers=bearer)
    assert figures.status_code == 200 and figures.headers["content-type"] == "application/json"
    here = await app.state.board.collation_for(Viewer(Role.BOARD), 2026)
    shown_figures = figures.json()
    assert shown_figures == json.loads(as_json(here))
    assert shown_figures["evaluations"] == 1 and shown_figures["organisations"] == ["Batley Community Choir"]
    await api.aclose()


async def test_the_kept_sums_are_brought_up_to_date_by_a_worker(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    board = app.state.board
    assert not await board.sums_stale()  # nothing sent: nothing for the background to do
    await send_annual(client, "Mirfield Men's Shed", "Makers", 4)
    assert await board.sums_stale()
    async with board.sessions() as session:
        stale = set(await session.scalars(select(CollationStale.organisation_key)))
    assert len(stale) == 2 and 0 in stale  # its organisation, and "none", which it had until named
    assert await board.refresh_sums() == 2  # both summed again, in a worker
    assert not await board.sums_stale()
    here = await board.collation_for(Viewer(Role.BOARD), 2026)
    assert here.organisations == ["Mirfield Men's Shed"]
