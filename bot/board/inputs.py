"""Every filter, id and cursor the board area accepts, checked in one typed layer.

The API declares these models as its query and body parameters, so a bad value is a 422 JSON error
that says which field and why; the pages validate the same models and show a friendly message.

- Dates come with or without a time, with or without a zone: a naive time is UTC; a date alone is
  the start of that day, or for ``until`` the start of the next (so "until 2026-06-30" includes it).
- Years run from 2000 to 2100, ids from 1 to 2,147,483,647 (PostgreSQL's integer).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

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
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR = r"^(\d{1,16})\.(\d{1,18})$"  # up to the year 2286; a submission id PostgreSQL can hold
MAX_ID = 2_147_483_647
EVALUATION_ID = r"^[A-Za-z0-9_-]{1,32}$"
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
OrganisationId = Annotated[int, Field(ge=1, le=MAX_ID)]
EvaluationId = Annotated[str, Field(pattern=EVALUATION_ID)]


def _moment(value: Any) -> Any:
    """A date, or a date and time, as an aware UTC datetime; naive means UTC."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, str):
        text = value.strip().upper().replace(" ", "T")
        text = re.sub(r"(T\d\d:\d\d):60", r"\1:59", text)  # a leap second: the second before it
        try:
            found = (
                datetime.combine(date.fromisoformat(text), time.min)
                if len(text) == 10
                else datetime.fromisoformat(text)
            )
        except ValueError:
            raise ValueError("not a date: use 2026-06-01 or 2026-06-01T09:30:00Z") from None
    else:
        raise ValueError("not a date: use 2026-06-01 or 2026-06-01T09:30:00Z")
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ValueError(f"a date from {MIN_YEAR} to {MAX_YEAR}")
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _is_day(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) == 10


_YEARS = "^(20[0-9][0-9]|2100)-"
_MOMENT_SCHEMA = {
    "anyOf": [
        {"type": "string", "format": "date", "pattern": _YEARS},
        {"type": "string", "format": "date-time", "pattern": _YEARS},
    ]
}
Moment = Annotated[datetime, BeforeValidator(_moment), WithJsonSchema(_MOMENT_SCHEMA)]


class QueueQuery(BaseModel):
    """The queue's filters and paging. An empty form field is left out before it gets here (pages)."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["new", "pulled", "all"] = "new"
    scope: Literal["annual", "activity", "rollup"] | None = None
    organisation_id: OrganisationId | None = None
    since: Moment | None = Field(
        default=None, description="From this moment (a date alone: its start); UTC if naive."
    )
    until: Moment | None = Field(
        default=None, description="Before this moment (a date alone: up to its end)."
    )
    check: Literal["true", "false"] = Field(
        default="false", description="`true`: only those under a new organisation name to check."
    )
    cursor: str | None = Field(default=None, pattern=CURSOR, description="`next` from the page before.")
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)

    @model_validator(mode="wrap")
    @classmethod
    def _until_a_whole_day(cls, raw: Any, handler: Any) -> Any:
        """A date alone for ``until`` means up to the end of that day: the start of the next."""
        found = handler(raw)
        if isinstance(raw, dict) and _is_day(raw.get("until")) and found.until is not None:
            found.until = found.until + timedelta(days=1)
        return found

    def filters(self) -> QueueFilter:
        return QueueFilter(
            self.status, self.organisation_id, self.scope, self.since, self.until, self.check == "true"
        )


class YearQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    year: Year | None = None


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
    """``<microseconds since 1970, UTC>.<submission id>``: plain, and any text of that shape is valid."""
    if cursor is None:
        return None
    moment = cursor.queued_at.astimezone(UTC) - EPOCH
    micros = (moment.days * 86_400 + moment.seconds) * 1_000_000 + moment.microseconds
    return f"{micros}.{cursor.submission_id}"


def decode_cursor(text: str | None) -> Cursor | None:
    """The cursor a page handed out; ValueError for anything not of its shape."""
    if not text:
        return None
    found = re.fullmatch(CURSOR, text)
    if found is None:
        raise ValueError("not a cursor this API gave out")
    return Cursor(EPOCH + timedelta(microseconds=int(found[1])), int(found[2]))


def problems(error: ValidationError) -> list[str]:
    """Each problem as "field: what is wrong", for a page to show."""
    return [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()]
