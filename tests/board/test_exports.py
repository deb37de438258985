"""Exports (CSV, XLSX, JSON) from the collation data set, and the charts' escaping."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

from bot.board import messages as m
from bot.board.charts import distribution_svg, means_svg
from bot.board.english import FIELD_LABELS, RESPONDENT
from bot.board.exports import COLUMNS, ExportRow, csv_body, csv_bytes, to_csv, to_json, to_xlsx, xlsx_body
from bot.translations import LOCALES_DIR
from tests.board.test_collation import ASHBROW, BATLEY, HYPERLINK, SCRIPT, STAFF, Board, open_board

HEADERS = [header for _, header, _ in COLUMNS]
# 2026, oldest first: e4 (1 approach), e1 (5), e2 (2 picked; the unpicked one left out), e3 (5)
REFERENCES_2026 = ["ICF-2026-00000001"] + ["ICF-2026-00000002"] * 5 + ["ICF-2026-00000003"] * 2
REFERENCES_2026 += ["ICF-2026-00000004"] * 5
APPROACH_NAMES = ["Connecting", "Communicating", "Equalising", "Trusting", "Celebrating"]


@pytest.fixture
async def board(database_url: str) -> AsyncIterator[Board]:
    async with open_board(database_url) as opened:
        yield opened


def test_every_export_header_is_a_message_of_the_board_catalog() -> None:
    """The headers, and the words the board itself writes into cells or beside a person's words,
    go through the board's gettext: one missing from locales/board.pot (built from an f-string, say)
    can never be translated, and nobody would notice until then."""
    with (LOCALES_DIR / "board.pot").open("rb") as pot:
        catalog = read_po(pot)
    own_words = [RESPONDENT, *FIELD_LABELS.values()]
    assert [h for h in [*HEADERS, *own_words] if h not in catalog] == []


def a_row(**values: object) -> ExportRow:
    row = ExportRow(
        evaluation_id="e",
        reference="ICF-2026-00000001",
        year=2026,
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
        kind="annual",
        rollup="",
        organisation="Batley Friends",
        level="",
        unit="",
        activity="",
        language="en",
        approach_id="connecting",
        approach="Connecting",
        score=3,
        suggested_score=None,
        confidence="",
        checklist="",
        story="We met.",
        support="",
        action="",
    )
    return row._replace(**values)


def test_the_board_own_words_in_a_cell_are_written_in_the_export_language() -> None:
    """ "The respondent" (who wrote a story's English) is the board's word, not the person's: an
    export in another language says it in that language, in the CSV and in the workbook."""
    polish = {m.RESPONDENT: "respondent", m.STORY_ENGLISH_BY: "Historia: po angielsku napisał(a)"}

    def gettext(message: str) -> str:
        return polish.get(message, message)

    row = a_row(story_english="We met.", story_english_by=RESPONDENT)
    by_csv = list(csv.DictReader(io.StringIO(to_csv([row], gettext))))[0]
    assert by_csv["Historia: po angielsku napisał(a)"] == "respondent"
    sheet = load_workbook(io.BytesIO(to_xlsx([row], gettext)))["Evaluations"]
    header, values = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, values, strict=True))["Historia: po angielsku napisał(a)"] == "respondent"
    translator = a_row(story_english="We met.", story_english_by="Ayesha Khan")  # a name stays as it is
    assert (
        list(csv.DictReader(io.StringIO(to_csv([translator], gettext))))[0][
            "Historia: po angielsku napisał(a)"
        ]
        == "Ayesha Khan"
    )


def column(name: str) -> int:
    return [field for field, _, _ in COLUMNS].index(name)


async def test_rows_for_a_year(board: Board) -> None:
    rows = await board.service.export(STAFF, 2026, "test")
    every = await board.service.export(STAFF, None, "test")
    assert [r.reference for r in rows] == REFERENCES_2026
    assert [r.approach for r in rows] == [
        "Celebrating",
        *APPROACH_NAMES,
        "Connecting",
        "Trusting",
        *APPROACH_NAMES,
    ]
    assert len(every) == 13 + 5 + 5 + 5 + 1  # and g1, f1, f2 (annual) and h1 (one approach); no draft
    assert {r.year for r in every} == {2024, 2025, 2026, 2027} and {r.rollup for r in every} == {""}

    open_mic, connecting, _, equalising = rows[0], rows[1], rows[2], rows[3]
    assert open_mic == ExportRow(
        evaluation_id="e4",
        reference="ICF-2026-00000001",
        year=2026,
        submitted_at=datetime(2026, 2, 2, 9, tzinfo=UTC),
        kind="activity",
        rollup="",
        organisation="",
        level="",
        unit="",
        activity="Open mic night",
        language="en",
        approach_id="celebrating",
        approach="Celebrating",
        score=5,
        suggested_score=None,
        confidence="",
        checklist="",
        story="",
        support="Something else: A room to meet",
        action="",
        answered=True,
    )
    assert (connecting.organisation, connecting.unit, connecting.level) == (ASHBROW, "Youth team", "team")
    assert (connecting.score, connecting.suggested_score, connecting.confidence) == (4, 4, "High")
    assert connecting.checklist == "Q1 yes; Q2 partly; Q3 yes; Q4 not_sure"
    assert connecting.support == "Training or a workshop"
    assert connecting.action == "Ask the youth forum to plan the next one."
    assert equalising.support == "Money or resources; Something else: A Polish interpreter"
    assert rows[6].language == "pl"
    batley_celebrating = rows[-1]
    assert (batley_celebrating.organisation, batley_celebrating.score) == (BATLEY, None)
    assert batley_celebrating.support == "Backing from leaders"  # the leftover typed need is not shown
    assert rows[-1].submitted_at == datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


async def test_csv_parses_back_with_the_values_and_guards_formulas(board: Board) -> None:
    rows = await board.service.export(STAFF, 2026, "test")
    text = to_csv(rows)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == HEADERS
    assert len(parsed) == 1 + 13
    body = parsed[1:]
    assert [r[column("reference")] for r in body] == REFERENCES_2026
    assert body[1][column("submitted_at")] == "2026-03-10 10:00:00"
    assert body[1][column("score")] == "4"
    assert body[-1][column("score")] == ""  # skipped
    assert body[1][column("checklist")] == "Q1 yes; Q2 partly; Q3 yes; Q4 not_sure"
    stories = [r[column("story")] for r in body]
    assert "'" + HYPERLINK in stories  # shown as text, never run as a formula
    assert HYPERLINK not in stories
    assert SCRIPT in stories  # plain text in a CSV: kept exactly as typed
    assert csv_bytes(rows).startswith("\ufeff".encode()) and csv_bytes(rows)[3:].decode() == text


def test_every_formula_start_is_guarded() -> None:
    row = a_row(
        reference="-1",
        organisation="@SUM(A1:A2)",
        unit="+44 1484",
        activity="\t=1+1",
        story="a = b is fine inside",
        action="=cmd|' /C calc'!A0",
    )
    parsed = list(csv.reader(io.StringIO(to_csv([row]), newline="")))[1]
    values = dict(zip([name for name, _, _ in COLUMNS], parsed, strict=True))
    assert values["reference"] == "'-1"
    assert values["organisation"] == "'@SUM(A1:A2)"
    assert values["unit"] == "'+44 1484"
    assert values["activity"] == "'\t=1+1"
    assert values["action"] == "'=cmd|' /C calc'!A0"
    assert values["story"] == "a = b is fine inside"
    assert values["score"] == "3"


async def test_xlsx_opens_with_the_same_rows(board: Board) -> None:
    rows = await board.service.export(STAFF, 2026, "test")
    book = load_workbook(io.BytesIO(to_xlsx(rows)))
    assert book.sheetnames == ["Evaluations"]
    sheet = book["Evaluations"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["R"].width == 60  # the story
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert len(values) == 1 + 13
    body = values[1:]
    assert [r[column("reference")] for r in body] == REFERENCES_2026
    assert body[1][column("submitted_at")] == datetime(2026, 3, 10, 10, tzinfo=UTC).replace(
        tzinfo=None
    )  # no zones in Excel
    assert body[1][column("score")] == 4
    assert body[-1][column("score")] is None
    assert body[3][column("support")] == "Money or resources; Something else: A Polish interpreter"
    stories = [r[column("story")] for r in body]
    assert "'" + HYPERLINK in stories and SCRIPT in stories
    cells = [row[column("story")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere


async def test_json_is_plain_values(board: Board) -> None:
    rows = await board.service.export(STAFF, 2026, "test")
    items = to_json(rows)
    assert json.loads(json.dumps(items)) == items
    assert len(items) == 13
    assert items[1]["submitted_at"] == "2026-03-10T10:00:00+00:00"
    assert items[1]["score"] == 4 and items[-1]["score"] is None
    assert {item["story"] for item in items} >= {HYPERLINK, SCRIPT}  # no spreadsheet quote in JSON


def test_an_empty_export_still_has_its_header() -> None:
    assert list(csv.reader(io.StringIO(to_csv([])))) == [HEADERS]
    assert list(load_workbook(io.BytesIO(to_xlsx([])))["Evaluations"].iter_rows(values_only=True)) == [
        tuple(HEADERS)
    ]
    assert to_json([]) == []


def test_charts_escape_their_text_and_are_images() -> None:
    title = 'Scores <script>alert(1)</script> & "more"'
    svg = distribution_svg({1: 0, 2: 3, 3: 1, 4: 0, 5: 2}, title)
    assert "<script>" not in svg
    assert "Scores &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;" in svg
    tree = ET.fromstring(svg)  # noqa: S314 - our own output: well-formed XML
    namespace = "{http://www.w3.org/2000/svg}"
    assert tree.get("role") == "img" and tree.get("aria-label") == title
    assert tree.get("width") == "100%" and tree.get("viewBox")
    assert tree.find(f"{namespace}title") is not None
    assert tree.find(f"{namespace}title").text == title  # type: ignore[union-attr]
    texts = [t.text for t in tree.iter(f"{namespace}text")]  # the title, then each count and score
    assert texts[1:11:2] == ["0", "3", "1", "0", "2"] and texts[2:12:2] == ["1", "2", "3", "4", "5"]
    assert len(list(tree.iter(f"{namespace}rect"))) == 3  # bars for the non-zero counts

    means = means_svg(
        {"connecting": 3.67, "trusting": None, "x": 5.0},
        {"connecting": "Connecting", "trusting": "Trusting", "x": "<b>Bold & brave</b>"},
        "Means <i>",
    )
    assert "<b>" not in means and "<i>" not in means
    assert "&lt;b&gt;Bold &amp; brave&lt;/b&gt;" in means and "Means &lt;i&gt;" in means
    tree = ET.fromstring(means)  # noqa: S314
    texts = [t.text for t in tree.iter(f"{namespace}text")]
    assert "3.67" in texts and "no scores" in texts and "5.00" in texts


async def test_the_streamed_files_are_the_files(board: Board) -> None:
    """CSV and XLSX as the routes stream them, a batch at a time, are byte for byte the whole files."""
    for year in (2026, None):
        rows = await board.service.export(STAFF, year, "test")
        streamed_csv = [c async for c in csv_body(await board.service.export_stream(STAFF, year, "csv"))]
        assert b"".join(streamed_csv) == csv_bytes(rows)
        streamed_xlsx = [c async for c in xlsx_body(await board.service.export_stream(STAFF, year, "xlsx"))]
        assert b"".join(streamed_xlsx) == to_xlsx(rows)
