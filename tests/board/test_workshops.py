"""The workshop planner, from the collation's fixed data set (tests/board/test_collation.py)."""

from __future__ import annotations

import csv
import io

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook

from tests.board.test_collation import ASHBROW, BATLEY, STAFF, seed

from .helpers import add_user, csrf_of, signed_in

# 2026's support needs by approach (e4 has no organisation; e2's unpicked equalising does not count):
# connecting: training (e1, e3), connect (e2, e3) | communicating: training, time (e1)
# equalising: funding, other (e1), training (e3) | trusting: training (e2), data (e3)
# celebrating: other (e4), time (e1), leaders (e3). Most asked first, then the content's order.
EXPECTED_2026 = [
    ("connecting", "connect", (ASHBROW, BATLEY), 2),
    ("connecting", "training", (ASHBROW, BATLEY), 2),
    ("communicating", "time", (ASHBROW,), 1),
    ("communicating", "training", (ASHBROW,), 1),
    ("equalising", "funding", (ASHBROW,), 1),
    ("equalising", "other", (ASHBROW,), 1),
    ("equalising", "training", (BATLEY,), 1),
    ("trusting", "data", (BATLEY,), 1),
    ("trusting", "training", (ASHBROW,), 1),
    ("celebrating", "leaders", (BATLEY,), 1),
    ("celebrating", "other", (), 1),
    ("celebrating", "time", (ASHBROW,), 1),
]


async def _seeded(app: FastAPI) -> httpx.AsyncClient:
    async with app.state.service.sessions.begin() as session:
        await seed(session)
    await add_user(app, "board@kirklees.example")
    return await signed_in(app, "board@kirklees.example")


async def test_workshops_proposed_from_the_years_needs(app: FastAPI) -> None:
    await _seeded(app)
    proposals, first_year = await app.state.board.workshops(STAFF, 2026)
    assert not first_year
    assert [(p.approach_id, p.theme, p.organisations, p.evaluations) for p in proposals] == EXPECTED_2026
    # 2024 was the partnership's first year: each approach's foundations (g1 answered all five)
    first, first_year = await app.state.board.workshops(STAFF, 2024)
    assert first_year and [(p.approach_id, p.theme) for p in first] == [
        ("connecting", "foundations"),
        ("communicating", "foundations"),
        ("equalising", "foundations"),
        ("trusting", "foundations"),
        ("celebrating", "foundations"),
    ]
    assert {p.organisations for p in first} == {(ASHBROW,)}


async def test_staff_mark_workshops_commissioned_and_export_the_list(app: FastAPI) -> None:
    board = await _seeded(app)
    page = await board.get("/board/workshops?year=2026")
    assert page.status_code == 200 and page.text.count('name="theme"') == len(EXPECTED_2026)
    marked = await board.post(
        "/board/workshops",
        data={
            "csrf": csrf_of(page.text),
            "year": "2026",
            "approach": "connecting",
            "theme": "training",
            "on": "2026-12-01",
        },
    )
    assert marked.headers["location"] == "/board/workshops?year=2026"
    assert 'value="2026-12-01"' in (await board.get("/board/workshops?year=2026")).text
    wrong = await board.post(
        "/board/workshops",
        data={
            "csrf": csrf_of(page.text),
            "year": "2026",
            "approach": "flying",
            "theme": "training",
            "on": "2026-12-01",
        },
    )
    assert "error=no+such+workshop" in wrong.headers["location"]
    exported = (await board.get("/board/workshops.csv?year=2026")).content
    assert exported.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert len(rows) == len(EXPECTED_2026)
    assert rows[1]["Theme"] == "Training or a workshop" and rows[1]["Commissioned on"] == "2026-12-01"
    assert rows[1]["Organisations asking"] == f"{ASHBROW}; {BATLEY}"
    book = load_workbook(
        io.BytesIO((await board.get("/board/workshops.xlsx?year=2026")).content), read_only=True
    )
    sheet = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    book.close()
    assert len(sheet) == 1 + len(EXPECTED_2026) and sheet[2][2] == "Training or a workshop"
    report = await board.get("/board/report?year=2026")
    assert "Workshops" in report.text and "2026-12-01" in report.text
    cleared = await board.post(
        "/board/workshops",
        data={
            "csrf": csrf_of(page.text),
            "year": "2026",
            "approach": "connecting",
            "theme": "training",
            "clear": "1",
        },
    )
    assert (
        cleared.status_code == 303 and "2026-12-01" not in (await board.get("/board/report?year=2026")).text
    )
    await board.aclose()


async def test_only_board_staff_plan_workshops(app: FastAPI) -> None:
    await _seeded(app)
    await add_user(app, "lead@ashbrow.example", "org-lead", ASHBROW)
    lead = await signed_in(app, "lead@ashbrow.example")
    for path in ("/board/workshops", "/board/workshops.csv", "/board/workshops.xlsx"):
        assert (await lead.get(path)).status_code == 404, path
    await lead.aclose()
