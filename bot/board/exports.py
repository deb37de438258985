"""Exports of the evaluations sent to the board: one row per evaluation and approach, as CSV, XLSX or
JSON.

Every text cell is kept as typed, except that one starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return) gets a leading single quote, so that a spreadsheet shows it as text rather than
running it as a formula, and that bidirectional controls are dropped (``bot.board.text``). JSON keeps
the text exactly as stored, for scripts.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from bot.board import messages as m
from bot.board.english import ENGLISH_COLUMNS, RESPONDENT, with_english
from bot.board.parts import answered, unanswered
from bot.board.text import plain
from bot.board.xlsx import Piece, XlsxStream, piece
from dialogs import Content
from dialogs.stored import OTHER, Shape, StoredApproach, read_answers, shape_of
from storage import collation as collation_store
from storage.access import Viewer
from storage.collation import SentRow

__all__ = [
    "COLUMNS",
    "ExportRow",
    "build_rows",
    "csv_bytes",
    "csv_body",
    "csv_chunks",
    "export_rows",
    "guard",
    "json_body",
    "made_pieces",
    "piece_shape",
    "rows_for",
    "sent_rows",
    "to_csv",
    "to_json",
    "to_xlsx",
    "xlsx_body",
    "xlsx_cells",
    "xlsx_chunks",
    "xlsx_pieces",
    "xlsx_stream",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ENGLISH = m.translator("en")
SEPARATOR = "; "


class ExportRow(NamedTuple):
    """One approach of one evaluation (a named tuple: a year has tens of thousands).

    The collation counts the rows whose ``rollup`` is empty: every evaluation sent to the board, and
    each roll-up for the evaluations it combines. A row with ``rollup`` set is a team's contribution
    to that roll-up (by its evaluation id), exported so that the roll-up can be checked.
    """

    evaluation_id: str
    reference: str
    year: int  # the year it counts in
    submitted_at: datetime  # when it was sent (UTC)
    kind: str  # annual, activity or rollup
    rollup: str  # the evaluation id of the roll-up it is part of, or ""
    organisation: str
    level: str  # organisation, directorate or team (annual evaluations)
    unit: str
    activity: str
    language: str
    approach_id: str
    approach: str  # the approach's English name
    score: int | None
    suggested_score: int | None  # the score the checklist answers suggested
    confidence: str  # its English label
    checklist: str  # "Q1 yes; Q2 partly; ..." in the framework's question order
    story: str
    support: str  # labels, "; "-joined, then "Something else: <the typed need>"
    action: str
    answered: bool | None = None  # anything given in this part at all (None: the evaluation has none)
    # English beside words typed in another language, with who and when (bot.board.english)
    story_english: str = ""
    story_english_by: str = ""
    story_english_at: datetime | None = None
    support_other_english: str = ""
    support_other_english_by: str = ""
    support_other_english_at: datetime | None = None
    action_english: str = ""
    action_english_by: str = ""
    action_english_at: datetime | None = None


# (field, header) in the order of the columns, with a width in characters for the XLSX sheet; the
# headers are message ids of the board's domain (bot/board/messages.py), translated when written.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("evaluation_id", m.EVALUATION_ID, 34),
    ("reference", m.REFERENCE, 20),
    ("year", m.YEAR, 6),
    ("submitted_at", m.SUBMITTED, 18),
    ("kind", m.KIND, 10),
    ("rollup", m.PART_OF_ROLLUP, 34),
    ("organisation", m.ORGANISATION, 28),
    ("level", m.LEVEL, 12),
    ("unit", m.TEAM, 24),
    ("activity", m.ACTIVITY, 24),
    ("language", m.LANGUAGE, 10),
    ("approach_id", m.APPROACH_ID, 14),
    ("approach", m.APPROACH, 15),
    ("score", m.SCORE, 7),
    ("suggested_score", m.SUGGESTED_SCORE, 10),
    ("confidence", m.CONFIDENCE, 11),
    ("checklist", m.CHECKLIST, 30),
    ("story", m.STORY, 60),
    ("support", m.SUPPORT, 40),
    ("action", m.ACTION, 50),
    ("answered", m.ANSWERED, 9),  # last, so that columns a spreadsheet's formulas name stay where they were
    *ENGLISH_COLUMNS,
)


@dataclass(frozen=True, slots=True)
class _Framework:
    shape: Shape
    labels: dict[str, str]  # answer, confidence and support option id -> English label
    approaches: dict[str, tuple[str, dict[str, str]]]  # approach id -> name, question ids -> "Q1"...


def _question_name(question_id: str) -> str:
    number = question_id.rpartition(".")[2]
    return f"Q{number}" if number.isdigit() else question_id


def _framework(content: Content) -> _Framework:
    return _Framework(
        shape=shape_of(content),
        labels=content.labels(),
        approaches={
            a.id: (a.name, {q.id: _question_name(q.id) for q in a.questions}) for a in content.approaches
        },
    )


def _checklist(given: StoredApproach, questions: Mapping[str, str]) -> str:
    """The framework's questions in its order, then any others (an older framework's) by id."""
    checklist = dict(given.checklist)
    if not checklist:
        return ""
    parts = [f"{name} {checklist[q]}" for q, name in questions.items() if q in checklist]
    if len(parts) < len(checklist):
        others = sorted(q for q in checklist if q not in questions)
        parts += [f"{_question_name(q)} {checklist[q]}" for q in others]
    return SEPARATOR.join(parts)


def _support(given: StoredApproach, labels: Mapping[str, str]) -> str:
    parts: list[str] = []
    for option in given.support:
        label = labels.get(option, option)
        other = given.support_other if option == OTHER else ""
        parts.append(f"{label}: {other}" if other else label)
    return SEPARATOR.join(parts)


def rows_for(row: SentRow, framework: _Framework) -> list[ExportRow]:
    """One row per approach the evaluation asked, answered or not (at least one row, so none is
    lost)."""
    stored = read_answers(row.answers, framework.shape)
    labels = framework.labels
    first = (
        row.evaluation_id,
        row.reference,
        row.year,
        row.queued_at.astimezone(UTC),
        row.scope or stored.scope,
        row.rollup_id,
        row.organisation or stored.organisation,
        stored.level,
        stored.unit,
        stored.activity,
        row.language,
    )
    rows: list[ExportRow] = []
    given_by_id = {given.approach_id: given for given in stored.approaches}
    skipped = set(unanswered(row.answers, stored, framework.shape))
    for approach_id in framework.shape.approach_ids:
        name, questions = framework.approaches[approach_id]
        if approach_id in skipped:  # asked, and nothing answered: shown so, never left out
            rows.append(ExportRow(*first, approach_id, name, None, None, "", "", "", "", "", answered=False))
            continue
        given = given_by_id.get(approach_id)
        if given is None:
            continue
        confidence = given.confidence or ""
        rows.append(
            ExportRow(
                *first,
                approach_id=given.approach_id,
                approach=name,
                score=given.score,
                suggested_score=given.suggested_score,
                confidence=labels.get(confidence, confidence),
                checklist=_checklist(given, questions),
                story=given.story,
                support=_support(given, labels),
                action=given.action,
                answered=answered(given),
            )
        )
    return rows or [ExportRow(*first, "", "", None, None, "", "", "", "", "")]


async def sent_rows(session: AsyncSession, viewer: Viewer, year: int | None) -> list[SentRow]:
    """What the viewer's collation counts (in ``year``, or every year), then the roll-ups' parts."""
    years = None if year is None else [year]
    sent = await collation_store.counted_rows(session, viewer, years)
    return sent + await collation_store.rollup_member_rows(session, viewer, year)


def build_rows(sent: list[SentRow], content: Content) -> list[ExportRow]:
    """The export's rows: CPU work for tens of thousands of rows, so callers run it on a worker thread."""
    framework = _framework(content)
    rows: list[ExportRow] = []
    for found in sent:
        rows.extend(rows_for(found, framework))
    return rows


async def export_rows(
    session: AsyncSession, viewer: Viewer, year: int | None, content: Content
) -> list[ExportRow]:
    """The export's rows, read and built (on a worker thread)."""
    return await asyncio.to_thread(build_rows, await sent_rows(session, viewer, year), content)


# -- formats ---------------------------------------------------------------------------------------------


def guard(text: str) -> str:
    """A text a spreadsheet will not run as a formula (a leading quote before = + - @, tab, CR), and
    without the bidirectional controls that would make it show as something else."""
    text = plain(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: object, gettext: Callable[[str], str]) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext(m.YES if value else m.NO)
    if isinstance(value, m.Message):
        return gettext(value)
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, str):
        return guard(value)
    return value


def _headers(gettext: Callable[[str], str]) -> list[str]:
    return [gettext(header) for _, header, _ in COLUMNS]


def csv_chunks(batches: Iterable[list[ExportRow]], gettext: Callable[[str], str] = _ENGLISH) -> Iterator[str]:
    """The CSV a batch at a time: a header row, then one row per evaluation and approach."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers(gettext))
    for rows in batches:
        for row in rows:
            writer.writerow([_cell(getattr(row, name), gettext) for name, _, _ in COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def to_csv(rows: list[ExportRow], gettext: Callable[[str], str] = _ENGLISH) -> str:
    """A header row, then one row per evaluation and approach (encode as UTF-8; see csv_bytes)."""
    return "".join(csv_chunks([rows], gettext))


def csv_bytes(rows: list[ExportRow], gettext: Callable[[str], str] = _ENGLISH) -> bytes:
    """The CSV as UTF-8 with a byte order mark, so Excel shows every script (Urdu, Gujarati...) right."""
    return to_csv(rows, gettext).encode("utf-8-sig")


def to_json(rows: list[ExportRow]) -> list[dict[str, object]]:
    """Plain JSON values: the time as ISO 8601 in UTC, an empty score as null; no quoting added."""
    found: list[dict[str, object]] = []
    for row in rows:
        item: dict[str, object] = {}
        for name, value in zip(row._fields, row, strict=True):
            item[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
        found.append(item)
    return found


_ANSWERED = next(i for i, (name, _, _) in enumerate(COLUMNS) if name == "answered")
_WORDS = [i for i, (name, _, _) in enumerate(COLUMNS) if name.endswith("_english_by")]  # may hold a Message


def xlsx_stream(gettext: Callable[[str], str] = _ENGLISH) -> XlsxStream:
    """One sheet, "Evaluations": a bold, frozen header row with filters, then the rows, as they come.

    Times are Excel dates in UTC, scores numbers, and every text an inline string (never a formula),
    guarded all the same: a spreadsheet that re-saves the sheet as CSV would write it as it shows it.
    """
    return XlsxStream(
        [(gettext(header), width) for _, header, width in COLUMNS], sheet="Evaluations", prepare=guard
    )


def xlsx_cells(rows: Iterable[ExportRow], gettext: Callable[[str], str] = _ENGLISH) -> Iterator[list[Any]]:
    values = attrgetter(*(name for name, _, _ in COLUMNS))
    yes, no = gettext(m.YES), gettext(m.NO)
    for row in rows:
        cells = list(values(row))
        done = cells[_ANSWERED]
        cells[_ANSWERED] = None if done is None else yes if done else no
        for i in _WORDS:
            if isinstance(cells[i], m.Message):
                cells[i] = gettext(cells[i])
        yield cells


def xlsx_pieces(
    rows: Iterable[ExportRow], gettext: Callable[[str], str] = _ENGLISH, cells: dict[Any, str] | None = None
) -> Iterator[Piece]:
    """A piece of the sheet (``bot.board.xlsx.Piece``) for each evaluation's rows: the board keeps
    them (``storage.export_pieces``), and a workbook is its evaluations' pieces end to end, so the
    same evaluations make the same bytes whether their pieces were kept or made just now."""
    cells = {} if cells is None else cells
    count = len(COLUMNS)
    for _, together in groupby(rows, key=attrgetter("evaluation_id")):
        yield piece(xlsx_cells(together, gettext), count, guard, cells)


PIECE_FORMAT = 1  # one more whenever a piece's XML changes: every kept piece is then made again


def piece_shape(content: Content) -> str:
    """What kept pieces depend on besides each evaluation's own data: the content's approaches,
    questions and labels, the columns, the English words for yes and no, the piece's format. Kept
    pieces made for another shape are made again (``storage.export_pieces``)."""
    framework = _framework(content)
    return json.dumps(
        {
            "format": PIECE_FORMAT,
            "columns": [name for name, _, _ in COLUMNS],
            "shape": [framework.shape.approach_ids, framework.shape.scores, framework.shape.confidences],
            "labels": framework.labels,
            "approaches": framework.approaches,
            "words": [_ENGLISH(m.YES), _ENGLISH(m.NO), _ENGLISH(RESPONDENT)],
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def made_pieces(
    sent: list[SentRow], translated: Mapping[str, Mapping[Any, Any]], content: Content, shape: Shape
) -> list[Piece]:
    """Each of these evaluations' piece of the export's sheet, in their order: CPU work, for a
    worker thread. The same as the export writes when it makes them as it goes."""
    rows = with_english(
        build_rows(sent, content), {row.evaluation_id: row.answers for row in sent}, translated, shape
    )
    made = list(xlsx_pieces(rows))
    if len(made) != len(sent):
        raise ValueError("an evaluation's rows were not together")
    return made


def xlsx_chunks(
    batches: Iterable[list[ExportRow]], gettext: Callable[[str], str] = _ENGLISH
) -> Iterator[bytes]:
    """The workbook a batch at a time (see xlsx_stream)."""
    stream = xlsx_stream(gettext)
    cells: dict[Any, str] = {}
    yield stream.start()
    for rows in batches:
        yield stream.add_pieces(xlsx_pieces(rows, gettext, cells))
    yield stream.finish()


def to_xlsx(rows: list[ExportRow], gettext: Callable[[str], str] = _ENGLISH) -> bytes:
    """The whole workbook at once (see xlsx_stream)."""
    return b"".join(xlsx_chunks([rows], gettext))


# -- streamed ------------------------------------------------------------------------------------


def _add(stream: XlsxStream, rows: list[ExportRow], cells: dict[Any, str]) -> bytes:
    return stream.add_pieces(xlsx_pieces(rows, _ENGLISH, cells))


async def xlsx_body(batches: AsyncIterator[list[ExportRow]]) -> AsyncIterator[bytes]:
    """The workbook as it is written, for a streamed response (the writing on a worker thread)."""
    stream = xlsx_stream()
    cells: dict[Any, str] = {}
    yield stream.start()
    async for rows in batches:
        yield await asyncio.to_thread(_add, stream, rows, cells)
    yield stream.finish()


async def json_body(batches: AsyncIterator[list[ExportRow]]) -> AsyncIterator[bytes]:
    """The JSON list as it is written, batch by batch: the same bytes as ``json.dumps(to_json(rows))``
    of the whole year, without holding it."""
    first = True
    yield b"["
    async for rows in batches:
        text = await asyncio.to_thread(_json_items, rows, first)
        first = first and not rows
        yield text
    yield b"]"


def _json_items(rows: list[ExportRow], first: bool) -> bytes:
    items = [json.dumps(item, ensure_ascii=False, default=str) for item in to_json(rows)]
    lead = "" if first or not items else ", "
    return (lead + ", ".join(items)).encode()


async def csv_body(batches: AsyncIterator[list[ExportRow]]) -> AsyncIterator[bytes]:
    """The CSV (UTF-8 with a byte order mark) as it is written, for a streamed response: each batch
    on a worker thread, the same texts (names, labels) guarded once."""
    header = io.StringIO()
    csv.writer(header).writerow(_headers(_ENGLISH))
    yield ("\ufeff" + header.getvalue()).encode()
    seen: dict[str, str] = {}
    async for rows in batches:
        yield await asyncio.to_thread(_csv_lines, rows, seen)


def _csv_lines(rows: list[ExportRow], seen: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, str):
                found = seen.get(value)
                if found is None:
                    found = guard(value)
                    if len(seen) < MAX_SEEN:
                        seen[value] = found
                cells.append(found)
            else:
                cells.append(_cell(value, _ENGLISH))
        writer.writerow([cells[i] for i in _ORDER])
    return out.getvalue().encode()


MAX_SEEN = 100_000  # texts remembered with their guarded form (names and labels repeat; stories rarely)
_ORDER = [ExportRow._fields.index(name) for name, _, _ in COLUMNS]
