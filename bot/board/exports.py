"""Exports of the evaluations sent to the board: one row per evaluation and approach, as CSV, XLSX or
JSON.

Every text cell is kept exactly as typed, except that one starting with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return) gets a leading single quote, so that a spreadsheet shows it as text
rather than running it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.xlsx import write_xlsx
from dialogs import Content, load_default_content
from storage.models import Evaluation, Organisation, Submission

__all__ = [
    "COLUMNS",
    "ExportRow",
    "csv_bytes",
    "export_rows",
    "guard",
    "to_csv",
    "to_json",
    "to_xlsx",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = "; "


class ExportRow(NamedTuple):
    """One approach of one evaluation sent to the board (a named tuple: a year has tens of thousands)."""

    reference: str
    submitted_at: datetime  # when it joined the board's queue (UTC)
    organisation: str
    unit: str
    activity: str
    scope: str
    language: str
    approach: str  # the approach's English name
    score: int | None
    confidence: str  # its English label
    checklist: str  # "Q1 yes; Q2 partly; ..." in the framework's question order
    story: str
    support: str  # labels, "; "-joined, then "Something else: <the typed need>"
    action: str
    level: str = ""  # organisation, directorate or team (annual evaluations)
    suggested_score: int | None = None  # the score the checklist answers suggested


# (field, header) in the order of the columns, with a width in characters for the XLSX sheet.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("reference", "Reference", 20),
    ("submitted_at", "Submitted (UTC)", 18),
    ("organisation", "Organisation", 28),
    ("level", "Level", 12),
    ("unit", "Team or directorate", 24),
    ("activity", "Activity", 24),
    ("scope", "Scope", 10),
    ("language", "Language", 10),
    ("approach", "Approach", 15),
    ("score", "Score", 7),
    ("suggested_score", "Suggested score", 10),
    ("confidence", "Confidence", 11),
    ("checklist", "Checklist", 30),
    ("story", "Story", 60),
    ("support", "Support needed", 40),
    ("action", "Action", 50),
)


@dataclass(frozen=True, slots=True)
class _Framework:
    labels: dict[str, str]  # answer, confidence and support option id -> English label
    approaches: dict[str, tuple[str, dict[str, str]]]  # approach id -> name, question ids -> "Q1"...


def _question_name(question_id: str) -> str:
    number = question_id.rpartition(".")[2]
    return f"Q{number}" if number.isdigit() else question_id


@lru_cache(maxsize=1)
def _framework() -> _Framework:
    content: Content = load_default_content()
    return _Framework(
        labels=content.labels(),
        approaches={
            a.id: (a.name, {q.id: _question_name(q.id) for q in a.questions}) for a in content.approaches
        },
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# The answers come from JSON, so every mapping in them is a dict: isinstance(x, dict) is a C check,
# isinstance(x, Mapping) an ABC lookup that cost a fifth of the export.
def _checklist(given: Mapping[str, Any], questions: Mapping[str, str]) -> str:
    """The framework's questions in its order, then any others (an older framework's) by id."""
    checklist = given.get("checklist")
    if not isinstance(checklist, dict) or not checklist:
        return ""
    parts = [f"{name} {checklist[q]}" for q, name in questions.items() if q in checklist]
    if len(parts) < len(checklist):
        others = sorted(q for q in checklist if q not in questions)
        parts += [f"{_question_name(q)} {checklist[q]}" for q in others]
    return SEPARATOR.join(parts)


def _support(given: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    chosen = given.get("support")
    if not isinstance(chosen, list):
        return ""
    parts: list[str] = []
    for option in dict.fromkeys(s for s in chosen if isinstance(s, str)):
        label = labels.get(option, option)
        other = _text(given.get("support_other")) if option == "other" else ""
        parts.append(f"{label}: {other}" if other else label)
    return SEPARATOR.join(parts)


def _score(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rows_for(
    reference: str,
    queued_at: datetime,
    organisation: str | None,
    scope: str | None,
    language: str,
    answers: Mapping[str, Any],
    framework: _Framework,
) -> list[ExportRow]:
    labels = framework.labels
    by_approach = answers.get("by_approach")
    by_approach = by_approach if isinstance(by_approach, dict) else {}
    listed = answers.get("approaches")
    # the approaches the evaluation lists (an unpicked one may linger in by_approach), once each
    approach_ids = list(
        dict.fromkeys(a for a in (listed if isinstance(listed, list) else by_approach) if isinstance(a, str))
    )
    # The first seven columns and the level are the same in every row of this evaluation.
    first = (
        reference,
        queued_at.astimezone(UTC),
        organisation or _text(answers.get("organisation")),
        _text(answers.get("unit")),
        _text(answers.get("activity")),
        scope or _text(answers.get("scope")),
        language,
    )
    level = _text(answers.get("level"))
    rows: list[ExportRow] = []
    for approach_id in approach_ids:
        given = by_approach.get(approach_id)
        given = given if isinstance(given, dict) else {}
        name, questions = framework.approaches.get(approach_id, (str(approach_id), {}))
        confidence = _text(given.get("confidence"))
        rows.append(
            ExportRow(
                *first,
                approach=name,
                score=_score(given.get("score")),
                confidence=labels.get(confidence, confidence),
                checklist=_checklist(given, questions),
                story=_text(given.get("story")),
                support=_support(given, labels),
                action=_text(given.get("action")),
                level=level,
                suggested_score=_score(given.get("suggested_score")),
            )
        )
    # nothing answered: still one row, so the evaluation is not lost from the sheet
    return rows or [ExportRow(*first, "", None, "", "", "", "", "", level)]


async def export_rows(
    session: AsyncSession, year: int | None, organisation_id: int | None = None
) -> list[ExportRow]:
    """Every evaluation sent to the board (in the UTC ``year`` given, or ever), oldest first."""
    query = (
        select(
            Submission.reference,
            Submission.queued_at,
            Organisation.name,
            Evaluation.scope,
            Evaluation.language,
            Evaluation.answers,
        )
        .select_from(Submission)
        .join(Evaluation, Evaluation.id == Submission.evaluation_id)
        .outerjoin(Organisation, Organisation.id == Evaluation.organisation_id)
        .where(Evaluation.status == "submitted")
        .order_by(Submission.queued_at, Submission.reference)
    )
    if year is not None:
        start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        query = query.where(Submission.queued_at >= start, Submission.queued_at < end)
    if organisation_id is not None:
        query = query.where(Evaluation.organisation_id == organisation_id)
    framework = _framework()
    rows: list[ExportRow] = []
    connection = await session.connection()  # plain rows: the ORM adds nothing here but time
    for reference, queued_at, organisation, scope, language, answers in await connection.execute(query):
        found = answers if isinstance(answers, dict) else {}
        rows.extend(_rows_for(reference, queued_at, organisation, scope, language, found, framework))
    return rows


# -- formats ---------------------------------------------------------------------------------------------


def guard(text: str) -> str:
    """A text a spreadsheet will not run as a formula: a leading quote before = + - @ (tab, CR)."""
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
