"""Each part's completeness, as the board sees it: the collation says how many evaluations asked each
approach and how many answered anything in it, and counts only the answered; the export has a row
for every part asked, answered or not, saying which (JSON, CSV and XLSX alike)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from bot.board.collation import Completeness
from bot.board.exports import COLUMNS, csv_bytes, to_json, to_xlsx
from storage import create_engine, create_sessionmaker, upgrade_engine

from .test_collation import ALL, ASHBROW, STAFF, Board, Sent, answers, given, seed, utc

# One yearly evaluation: Connecting scored; Communicating opened and left empty; Equalising a story
# and no score; Trusting and Celebrating skipped whole (listed, nothing stored).
SKIPPING = Sent(
    "c1",
    ASHBROW,
    "annual",
    answers(
        "annual",
        ASHBROW,
        {
            "connecting": given(3, None, ("training",)),
            "communicating": given(None),
            "equalising": given(None, "We listened first."),
        },
        ALL,
        "ICF-2026-00000201",
        unit="Hub",
    ),
    utc(2026, 4, 4, 9),
    "ICF-2026-00000201",
)
# A quick check of one activity: only Celebrating asked, and answered.
ONE_PART = Sent(
    "c2",
    ASHBROW,
    "activity",
    answers("activity", ASHBROW, {"celebrating": given(5, "A fair.")}, ["celebrating"], "ICF-2026-00000202"),
    utc(2026, 5, 5, 9),
    "ICF-2026-00000202",
)


@pytest.fixture
async def board(database_url: str) -> AsyncIterator[Board]:
    db = create_engine(database_url)
    await upgrade_engine(db)
    sessions = create_sessionmaker(db)
    async with sessions.begin() as session:
        ids = await seed(session, [SKIPPING, ONE_PART])
    try:
        yield Board(sessions, ids)
    finally:
        await db.dispose()


async def test_the_collation_says_how_many_answered_each_part(board: Board) -> None:
    found = await board.collate(2026)
    assert found.evaluations == 2
    assert found.completeness == {
        "connecting": Completeness(asked=1, answered=1),
        "communicating": Completeness(asked=1, answered=0),  # opened, left empty
        "equalising": Completeness(asked=1, answered=1),  # a story, no score
        "trusting": Completeness(asked=1, answered=0),  # skipped whole
        "celebrating": Completeness(asked=2, answered=1),  # skipped in c1, answered in c2
    }
    assert found.completeness["celebrating"].skipped == 1
    # only answered parts count: a score, a need
    assert {a: s.count for a, s in found.partnership.items()} == {
        "connecting": 1,
        "communicating": 0,
        "equalising": 0,
        "trusting": 0,
        "celebrating": 1,
    }
    assert found.support_needs == [("training", 1)]


async def test_the_export_has_every_part_asked_and_says_which_were_answered(board: Board) -> None:
    rows = [r for r in await board.service.export(STAFF, 2026, "test") if r.evaluation_id in {"c1", "c2"}]
    assert [(r.evaluation_id, r.approach_id, r.answered, r.score) for r in rows] == [
        ("c1", "connecting", True, 3),
        ("c1", "communicating", False, None),
        ("c1", "equalising", True, None),
        ("c1", "trusting", False, None),
        ("c1", "celebrating", False, None),
        ("c2", "celebrating", True, 5),
    ]
    assert [r["answered"] for r in to_json(rows)] == [True, False, True, False, False, True]
    header = [h for _, h, _ in COLUMNS].index("Part answered")
    parsed = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"), newline="")))
    assert [r[header] for r in parsed] == ["Part answered", "yes", "no", "yes", "no", "no", "yes"]
    sheet = load_workbook(io.BytesIO(to_xlsx(rows)))["Evaluations"]
    assert [r[header] for r in sheet.iter_rows(values_only=True)] == [
        "Part answered",
        "yes",
        "no",
        "yes",
        "no",
        "no",
        "yes",
    ]
