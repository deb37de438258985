"""Every filter, id and cursor the board area accepts, checked in one typed layer.

The API declares these models as its query and body parameters, so a bad value is a 422 JSON error
that says which field and why; the pages validate the same models and show a friendly message.

- Dates come with or without a time, with or without a zone: a naive time is UTC; a date alone is
  the start of that day, or for ``until`` the start of the next (so "until 2026-06-30" includes it).
- Years run from 2000 to 2100, ids from 1 to 2,147,483,647 (PostgreSQL's integer).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from storage.board import MAX_PAGE, Cursor, QueueFilter

__all__ = [
    "EVALUATION_ID",
    "MAX_ID",
    "MAX_YEAR",
    "MIN_YEAR",
    "ApiError",
    "ExportQuery",
    "PullIn",
    "QueueQuery",
    "ValidationError",
    "YearQuery",
    "decode_cursor",
    "encode_cursor",
    "problems",
]

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_ID = 2_147_483_647
EVALUATION_ID = r"^[A-Za-z0-9_-]{1,32}$"
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
OrganisationId = Annotated[int, Field(ge=1, le=MAX_ID)]
EvaluationId = Annotated[str, Field(pattern=EVALUATION_ID)]


def _moment(value: Any) -> Any:
    """A date or a date and time, as an aware UTC datetime; anything else is left for pydantic to refuse."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime.combine(value, time.min)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            found = (
                datetime.combine(date.fromisoformat(text), time.min)
                if len(text) == 10
                else datetime.fromisoformat(text)
            )
        except ValueError:
            raise ValueError("not a date: use 2026-06-01 or 2026-06-01T09:30:00Z") from None
    elif value is None or value == "":
        return None
    else:
        return value
    found = found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ValueError(f"a date from {MIN_YEAR} to {MAX_YEAR}")
    return found


def _is_day(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) == 10


Moment = Annotated[datetime | None, BeforeValidator(_moment)]


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


class QueueQuery(BaseModel):
    """The queue's filters and paging."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["new", "pulled", "all"] = "new"
    scope: Annotated[Literal["annual", "activity", "rollup"] | None, BeforeValidator(_empty_is_none)] = None
    organisation_id: Annotated[OrganisationId | None, BeforeValidator(_empty_is_none)] = None
    since: Moment = Field(
        default=None, description="From this moment (a date alone: its start); UTC if naive."
    )
    until: Moment = Field(default=None, description="Before this moment (a date alone: up to its end).")
    check: bool = Field(default=False, description="Only those under a new organisation name to check.")
    cursor: str | None = Field(default=None, max_length=200, description="`next` from the page before.")
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)

    @model_validator(mode="before")
    @classmethod
    def _until_a_whole_day(cls, raw: Any) -> Any:
        """A date alone for ``until`` means up to the end of that day: the start of the next."""
        if isinstance(raw, dict) and _is_day(raw.get("until")):
            try:
                day = date.fromisoformat(str(raw["until"]).strip())
                raw = {**raw, "until": (day + timedelta(days=1)).isoformat()}
            except (ValueError, OverflowError):
                pass  # the field's own check says what is wrong
        return raw

    def filters(self) -> QueueFilter:
        return QueueFilter(self.status, self.organisation_id, self.scope, self.since, self.until, self.check)


class YearQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    year: Annotated[Year | None, BeforeValidator(_empty_is_none)] = None


class ExportQuery(YearQuery):
    format: Literal["json", "csv", "xlsx"] = "json"


class PullIn(BaseModel):
    """What to pull: the evaluation ids that were shown (a page's ``evaluation_id`` values)."""

    model_config = ConfigDict(extra="forbid")

    evaluation_ids: list[EvaluationId] = Field(min_length=1, max_length=MAX_PAGE)


class ApiError(BaseModel):
    """Every error the board API answers with."""

    error: str
    message: str
    detail: list[dict[str, Any]] | None = None


def encode_cursor(cursor: Cursor | None) -> str | None:
    if cursor is None:
        return None
    raw = json.dumps([cursor.queued_at.astimezone(UTC).isoformat(), cursor.submission_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> Cursor | None:
    """The cursor a page handed out; ValueError for anything else."""
    if not text:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        at, submission_id = raw
        found = Cursor(datetime.fromisoformat(at), int(submission_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValueError("not a cursor this API gave out") from None
    if found.queued_at.tzinfo is None or not 0 < found.submission_id <= 2**63:
        raise ValueError("not a cursor this API gave out")
    return found


def problems(error: ValidationError) -> list[str]:
    """Each problem as "field: what is wrong", for a page to show."""
    return [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()]
