"""The XLSX writer (bot/board/xlsx.py) and the board's XLSX export made with it.

Every workbook is opened with openpyxl, as a spreadsheet program would, and closed again; the parts
are also read as plain XML, for what openpyxl does not show (escapes, white space, styles).
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

from bot.board.exports import COLUMNS, ExportRow, guard, to_xlsx
from bot.board.xlsx import clean, column_letter, write_xlsx

HEADERS = [header for _, header, _ in COLUMNS]
NAMES = [name for name, _, _ in COLUMNS]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PARTS = {
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/worksheets/sheet1.xml",
}
URDU = "ہم نے والدین کے ساتھ مل کر ہفتہ وار ملاقات شروع کی۔"
ARABIC = "عملنا مع الجيران لتنظيم يوم مفتوح في الحديقة"
SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("https://evil.example","Click me")'


def naive(*parts: int) -> datetime:
    """A time with no zone: as a spreadsheet holds it (and gives it back)."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


def row(**changes: Any) -> ExportRow:
    """One export row, as export_rows makes them (see tests/board/test_exports.py)."""
    plain = ExportRow(
        evaluation_id="0123456789abcdef0123456789abcdef",
        reference="ICF-2026-00000001",
        year=2026,
        submitted_at=datetime(2026, 3, 10, 10, 0, tzinfo=UTC),
        kind="annual",
        rollup="",
        organisation="Ashbrow Youth Hub",
        level="team",
        unit="Youth team",
        activity="",
        language="en",
        approach_id="connecting",
        approach="Connecting",
        score=4,
        confidence="High",
        checklist="Q1 yes; Q2 partly; Q3 yes; Q4 not_sure",
        story="We held a welcome café with the library.",
        support="Training or a workshop",
        action="Ask the youth forum to plan the next one.",
        suggested_score=4,
    )
    return plain._replace(**changes)


@contextmanager
def opened(data: bytes) -> Iterator[Any]:
    """The workbook as openpyxl reads it (every cell, styles too), closed afterwards."""
    book = load_workbook(io.BytesIO(data), read_only=False)
    try:
        yield book
    finally:
        book.close()


def values_of(data: bytes) -> list[tuple[Any, ...]]:
    with opened(data) as book:
        return list(book["Evaluations"].iter_rows(values_only=True))


def parts_of(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def column(name: str) -> int:
    return NAMES.index(name)


# -- the board's export ----------------------------------------------------------------------------


def test_the_workbook_opens_with_a_bold_frozen_header() -> None:
    data = to_xlsx([row(), row(approach="Trusting", score=None)])
    with opened(data) as book:
        assert book.sheetnames == ["Evaluations"]
        sheet = book["Evaluations"]
        assert sheet.freeze_panes == "A2"
        header = next(sheet.iter_rows(max_row=1))
        assert [cell.value for cell in header] == HEADERS
        assert all(cell.font.b for cell in header)
        body = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
        assert body and not any(cell.font.b for cell in body)
        assert all(cell.data_type != "f" for cell in body)  # never a formula
        widths = {column_letter(i): width for i, (_, _, width) in enumerate(COLUMNS, start=1)}
        assert {letter: sheet.column_dimensions[letter].width for letter in widths} == widths
        assert sheet.auto_filter.ref == f"A1:{column_letter(len(COLUMNS))}3"  # every column, with the English
        assert sheet.max_row == 3


def test_values_come_back_as_they_were_typed() -> None:
    story = f"{URDU}\n{ARABIC}\n\nTwo lines & a <b>tag</b>: {SCRIPT}"
    rows = [
        row(organisation=URDU, story=story, support=ARABIC, action="Use \"quotes\" and 'apostrophes'"),
        row(unit="", activity="Open mic night", score=None, suggested_score=None, confidence="", level=""),
        row(story=HYPERLINK, organisation="=1+1", unit="@SUM(A1:A2)", action="-2", checklist="+44 1484"),
        row(story="  spaces kept at both ends  ", action="a\ttab", checklist="Windows\r\nline ends"),
    ]
    values = values_of(to_xlsx(rows))
    assert len(values) == 1 + len(rows)
    urdu, activity, formulas, spaces = (dict(zip(NAMES, v, strict=True)) for v in values[1:])

    assert urdu["organisation"] == URDU
    assert urdu["story"] == story
    assert urdu["support"] == ARABIC
    assert urdu["action"] == "Use \"quotes\" and 'apostrophes'"
    assert urdu["reference"] == "ICF-2026-00000001"
    assert urdu["submitted_at"] == naive(2026, 3, 10, 10, 0)  # an Excel date, in UTC
    assert urdu["score"] == 4 and type(urdu["score"]) is int
    assert urdu["suggested_score"] == 4

    # empty stays empty: no cell at all, not an empty string
    assert activity["unit"] is None and activity["level"] is None and activity["confidence"] is None
    assert activity["score"] is None and activity["suggested_score"] is None
    assert activity["activity"] == "Open mic night"

    # what a spreadsheet would run as a formula gets a leading quote, as in the CSV
    assert formulas["story"] == "'" + HYPERLINK
    assert formulas["organisation"] == "'=1+1"
    assert formulas["unit"] == "'@SUM(A1:A2)"
    assert formulas["action"] == "'-2"
    assert formulas["checklist"] == "'+44 1484"

    assert spaces["story"] == "  spaces kept at both ends  "
    assert spaces["action"] == "a\ttab"
    assert spaces["checklist"] == "Windows\r\nline ends"


def test_the_sheet_xml_is_escaped_and_says_to_keep_white_space() -> None:
    rows = [row(story=f"{SCRIPT} & more\nsecond line", action="R&D <team>", unit=" x ")]
    sheet = parts_of(to_xlsx(rows))["xl/worksheets/sheet1.xml"]
    assert SCRIPT not in sheet and "<team>" not in sheet
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more\nsecond line" in sheet
    assert '<t xml:space="preserve">&lt;script&gt;' in sheet
    assert '<t xml:space="preserve"> x </t>' in sheet
    assert "<t>R&amp;D &lt;team&gt;</t>" in sheet
    assert "<f>" not in sheet and "<f " not in sheet
    assert 't="inlineStr"' in sheet and 't="s"' not in sheet  # no shared strings part needed
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet


def test_control_characters_are_dropped() -> None:
    rows = [
        row(
            story="bell\x07 and escape\x1b[31m, vertical tab\x0b, form feed\x0c, nul\x00 end",
            action="\x01=cmd|' /C calc'!A0",  # dropped first, then guarded: no formula hides behind it
            unit="\x00\x08",  # nothing left: an empty cell
            support="lone surrogate \ud800 and \ufffe, \uffff gone; tab\tnewline\nkept",
        )
    ]
    data = to_xlsx(rows)
    for text in parts_of(data).values():
        ET.fromstring(text)  # noqa: S314 - our own output: well-formed XML 1.0
    values = dict(zip(NAMES, values_of(data)[1], strict=True))
    assert values["story"] == "bell and escape[31m, vertical tab, form feed, nul end"
    assert values["action"] == "'=cmd|' /C calc'!A0"
    assert values["unit"] is None
    assert values["support"] == "lone surrogate  and ,  gone; tab\tnewline\nkept"
    assert clean("a\x00b\x1fc\td\ne\rf\ud7ff\ue000\U0001f600") == "abc\td\ne\rf\ud7ff\ue000\U0001f600"


def test_the_row_count_matches_for_many_rows() -> None:
    rows = [
        row(
            reference=f"ICF-2026-{i // 5:08d}",
            submitted_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i // 5),
            score=i % 5 + 1,
            story=f"Story {i}",
        )
        for i in range(5_003)  # more than one chunk of the streamed sheet
    ]
    data = to_xlsx(rows)
    values = values_of(data)
    assert len(values) == 1 + 5_003
    assert values[-1][column("story")] == "Story 5002"
    assert values[-1][column("submitted_at")] == naive(2026, 1, 1, 16, 40)
    assert [v[column("score")] for v in values[1:6]] == [1, 2, 3, 4, 5]
    assert f'ref="A1:{column_letter(len(COLUMNS))}5004"' in parts_of(data)["xl/worksheets/sheet1.xml"]
    assert to_xlsx(rows) == data  # the same rows, the same bytes


def test_an_empty_export_is_the_header_alone() -> None:
    data = to_xlsx([])
    assert values_of(data) == [tuple(HEADERS)]
    assert "autoFilter" not in parts_of(data)["xl/worksheets/sheet1.xml"]


def test_the_package_is_valid_office_open_xml() -> None:
    parts = parts_of(to_xlsx([row()]))
    assert set(parts) == PARTS
    trees = {name: ET.fromstring(text) for name, text in parts.items()}  # noqa: S314
    types = trees["[Content_Types].xml"]
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{ns}Override")}
    assert set(overrides) == {"/xl/workbook.xml", "/xl/worksheets/sheet1.xml", "/xl/styles.xml"}
    assert {d.get("Extension") for d in types.iter(f"{ns}Default")} == {"rels", "xml"}
    rels = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
    assert [r.get("Target") for r in trees["_rels/.rels"].iter(rels)] == ["xl/workbook.xml"]
    targets = {r.get("Target") for r in trees["xl/_rels/workbook.xml.rels"].iter(rels)}
    assert targets == {"worksheets/sheet1.xml", "styles.xml"}
    sheets = trees["xl/workbook.xml"].iter(f"{MAIN}sheet")
    assert [s.get("name") for s in sheets] == ["Evaluations"]
    styles = trees["xl/styles.xml"]
    fonts = list(styles.iter(f"{MAIN}font"))
    cell_formats = list(next(styles.iter(f"{MAIN}cellXfs")))
    assert [f.find(f"{MAIN}b") is not None for f in fonts] == [False, True]
    assert len(cell_formats) == 4 and cell_formats[1].get("fontId") == "1"
    sheet = trees["xl/worksheets/sheet1.xml"]
    children = [child.tag.removeprefix(MAIN) for child in sheet]
    assert children == ["sheetViews", "sheetFormatPr", "cols", "sheetData", "autoFilter"]  # schema order


# -- the writer itself -----------------------------------------------------------------------------


def test_the_writer_writes_each_kind_of_value() -> None:
    columns = [("Text", 10), ("Int", 8), ("Float", 8), ("Bool", 6), ("When", 18), ("Day", 12), ("Odd", 8)]
    moment = datetime(2026, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    rows = [
        ["a", -3, 2.5, True, moment, date(2026, 2, 28), math.nan],
        [None, 10**12, 1e-7, False, naive(2026, 1, 1, 8, 15, 30), date(1999, 12, 31), math.inf],
    ]
    data = write_xlsx(columns, rows, sheet="Kinds")
    with opened(data) as book:
        sheet = book["Kinds"]
        got = list(sheet.iter_rows(values_only=True))
        assert got[0] == ("Text", "Int", "Float", "Bool", "When", "Day", "Odd")
        assert got[1] == ("a", -3, 2.5, True, naive(2026, 6, 1, 11, 30), naive(2026, 2, 28), "nan")
        assert got[2] == (
            None,
            10**12,
            1e-7,
            False,
            naive(2026, 1, 1, 8, 15, 30),
            naive(1999, 12, 31),
            "inf",
        )
        assert sheet["E2"].number_format == "yyyy\\-mm\\-dd\\ hh:mm:ss"
        assert sheet["F2"].number_format == "yyyy\\-mm\\-dd"
        assert sheet["A2"].font.b is False


def test_the_writer_refuses_what_a_sheet_cannot_hold() -> None:
    with pytest.raises(ValueError, match="2 values for 3 columns"):
        write_xlsx([("A", 5), ("B", 5), ("C", 5)], [["x", "y"]])
    with pytest.raises(TypeError, match="cannot hold list"):
        write_xlsx([("A", 5)], [[["nested"]]])  # type: ignore[list-item]
    for bad in ["", "a" * 32, "Eval/uations", "[x]", "'quoted"]:
        with pytest.raises(ValueError, match="worksheet name"):
            write_xlsx([("A", 5)], [], sheet=bad)
    assert [column_letter(i) for i in (1, 26, 27, 52, 703, 16_384)] == ["A", "Z", "AA", "AZ", "AAA", "XFD"]


def test_an_excel_escape_someone_typed_is_kept_as_typed() -> None:
    # Excel reads _xHHHH_ in a string as the character HHHH: _x003D_ would become "=" once opened, and
    # a leading "=" once re-saved. Escaped as Excel itself does, it shows as typed.
    sheet = parts_of(to_xlsx([row(story="_x003D_cmd, _x00e9_ and _X0041_")]))["xl/worksheets/sheet1.xml"]
    assert "<t>_x005F_x003D_cmd, _x005F_x00e9_ and _X0041_</t>" in sheet


def test_a_sheet_name_is_escaped_in_the_workbook() -> None:
    data = write_xlsx([("A", 5)], [["x"]], sheet="R&D's <list>")
    with opened(data) as book:
        assert book.sheetnames == ["R&D's <list>"]


@settings(  # deterministic and modest, as tests/reliability does it
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_any_text_comes_back_guarded_and_cleaned(texts: list[str]) -> None:
    assume(not any(re.search("_x[0-9A-Fa-f]{4}_", t) for t in texts))  # see the test above
    rows = [row(story=text) for text in texts]
    got = [v[column("story")] for v in values_of(to_xlsx(rows))[1:]]
    assert got == [guard(clean(text)) or None for text in texts]
