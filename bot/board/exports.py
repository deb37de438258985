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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.english import ENGLISH_COLUMNS
from bot.board.text import plain
from bot.board.xlsx import write_xlsx
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
    "export_rows",
    "guard",
    "rows_for",
    "sent_rows",
    "to_csv",
    "to_json",
    "to_xlsx",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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


# (field, header) in the order of the columns, with a width in characters for the XLSX sheet.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("evaluation_id", "Evaluation id", 34),
    ("reference", "Reference", 20),
    ("year", "Year", 6),
    ("submitted_at", "Submitted (UTC)", 18),
    ("kind", "Kind", 10),
    ("rollup", "Part of roll-up", 34),
    ("organisation", "Organisation", 28),
    ("level", "Level", 12),
    ("unit", "Team or directorate", 24),
    ("activity", "Activity", 24),
    ("language", "Language", 10),
    ("approach_id", "Approach id", 14),
    ("approach", "Approach", 15),
    ("score", "Score", 7),
    ("suggested_score", "Suggested score", 10),
    ("confidence", "Confidence", 11),
    ("checklist", "Checklist", 30),
    ("story", "Story", 60),
    ("support", "Support needed", 40),
    ("action", "Action", 50),
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
    """One row per approach the evaluation answered (at least one row, so none is lost)."""
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
    for given in stored.approaches:
        name, questions = framework.approaches[given.approach_id]
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


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, str):
        return guard(value)
    return value


def to_csv(rows: list[ExportRow]) -> str:
    """A header row, then one row per evaluation and approach (encode as UTF-8; see csv_bytes)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name, _, _ in COLUMNS])
    return out.getvalue()


def csv_bytes(rows: list[ExportRow]) -> bytes:
    """The CSV as UTF-8 with a byte order mark, so Excel shows every script (Urdu, Gujarati...) right."""
    return to_csv(rows).encode("utf-8-sig")


def to_json(rows: list[ExportRow]) -> list[dict[str, object]]:
    """Plain JSON values: the time as ISO 8601 in UTC, an empty score as null; no quoting added."""
    found: list[dict[str, object]] = []
    for row in rows:
        item: dict[str, object] = {}
        for name, value in zip(row._fields, row, strict=True):
            item[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
        found.append(item)
    return found


def to_xlsx(rows: list[ExportRow]) -> bytes:
    """One sheet, "Evaluations": a bold, frozen header row with filters, then the rows (streamed).

    Times are Excel dates in UTC, scores numbers, and every text an inline string (never a formula),
    guarded all the same: a spreadsheet that re-saves the sheet as CSV would write it as it shows it.
    """
    values = attrgetter(*(name for name, _, _ in COLUMNS))
    return write_xlsx(
        [(header, width) for _, header, width in COLUMNS],
        map(values, rows),
        sheet="Evaluations",
        prepare=guard,
    )
