"""The stored state of one conversation: where it is, and every answer given so far.

It is plain data that round-trips through JSON, so any process can load it, apply one input and
store it again; nothing about a conversation lives in memory between turns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from enum import StrEnum
from functools import cache
from typing import Any

__all__ = [
    "ApproachAnswers",
    "Answers",
    "ConversationState",
    "Note",
    "Position",
    "Scope",
    "Status",
]


class Scope(StrEnum):
    ANNUAL = "annual"
    ACTIVITY = "activity"


class Status(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"
    SUBMITTED = "submitted"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Position:
    step: str
    approach: int = 0  # index into Answers.approaches
    question: int = 0  # index into that approach's checklist

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", str(self.step))  # a plain string, even when given a Step


@dataclass(slots=True)
class ApproachAnswers:
    checklist: dict[str, str] = field(default_factory=dict)  # question id -> answer id
    score: int | None = None
    suggested_score: int | None = None
    confidence: str | None = None
    story: str | None = None
    support: list[str] = field(default_factory=list)
    support_other: str | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """Free text typed where a choice was expected: kept, never thrown away."""

    step: str
    text: str


@dataclass(slots=True)
class Answers:
    scope: str | None = None
    level: str | None = None  # organisation, directorate or team (annual scope)
    organisation: str | None = None
    unit: str | None = None  # the directorate or team name
    activity: str | None = None
    approaches: list[str] = field(default_factory=list)
    by_approach: dict[str, ApproachAnswers] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    reference: str | None = None

    def approach(self, approach_id: str) -> ApproachAnswers:
        return self.by_approach.setdefault(approach_id, ApproachAnswers())


@dataclass(slots=True)
class ConversationState:
    position: Position
    language: str = "en"
    status: str = Status.DRAFT
    content_version: str = ""
    answers: Answers = field(default_factory=Answers)
    history: list[Position] = field(default_factory=list)
    return_to: Position | None = None  # where to go after a detour (language, delete, pause)
    editing: bool = False  # changing one answer from the review: go back to the review after it
    pending: list[str] = field(default_factory=list)  # toggles chosen so far on a multi-choice step

    def to_json(self) -> dict[str, Any]:
        """The same as ``dataclasses.asdict``, several times faster (it runs on every turn)."""
        return _plain(self)  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationState:
        known = set(Answers.__dataclass_fields__)
        answers = {k: v for k, v in (data.get("answers") or {}).items() if k in known}  # newer keys ignored
        answers["by_approach"] = {
            key: ApproachAnswers(**value) for key, value in (answers.get("by_approach") or {}).items()
        }
        answers["notes"] = [Note(**note) for note in answers.get("notes") or []]
        return_to = data.get("return_to")
        return cls(
            position=Position(**data["position"]),
            language=data.get("language", "en"),
            status=data.get("status", Status.DRAFT),
            content_version=data.get("content_version", ""),
            answers=Answers(**answers),
            history=[Position(**p) for p in data.get("history") or []],
            return_to=Position(**return_to) if return_to else None,
            editing=bool(data.get("editing", False)),
            pending=list(data.get("pending") or []),
        )

    def copy(self) -> ConversationState:
        """A deep copy, so the engine never changes the state it was given (frozen parts are shared)."""
        return _copied(self)  # type: ignore[no-any-return]

    def moved(self, position: Position) -> ConversationState:
        return replace(self, position=position)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, lists and dicts copied, anything else as it is (plain JSON values)."""
    if type(value) in _ATOMS or isinstance(value, str | int | float):
        return value
    if isinstance(value, list | tuple):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    raise TypeError(f"not a JSON value: {value!r}")


def _copied(value: Any) -> Any:
    """A deep copy of plain data and dataclasses; frozen dataclasses (positions, notes) are shared."""
    if type(value) in _ATOMS or isinstance(value, str | int | float):
        return value
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        if value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return value
        kind = type(value)
        return kind(**{name: _copied(getattr(value, name)) for name in _field_names(kind)})
    raise TypeError(f"not plain data: {value!r}")
