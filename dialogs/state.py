"""The stored state of one conversation: where it is, and every answer given so far.

It is plain data that round-trips through JSON, so any process can load it, apply one input and
store it again; nothing about a conversation lives in memory between turns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
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

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "approach": self.approach, "question": self.question}


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

    def to_json(self) -> dict[str, Any]:
        return {
            "checklist": dict(self.checklist),
            "score": self.score,
            "suggested_score": self.suggested_score,
            "confidence": self.confidence,
            "story": self.story,
            "support": list(self.support),
            "support_other": self.support_other,
            "action": self.action,
        }

    def copy(self) -> ApproachAnswers:
        return replace(self, checklist=dict(self.checklist), support=list(self.support))


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

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "level": self.level,
            "organisation": self.organisation,
            "unit": self.unit,
            "activity": self.activity,
            "approaches": list(self.approaches),
            "by_approach": {key: value.to_json() for key, value in self.by_approach.items()},
            "notes": [{"step": note.step, "text": note.text} for note in self.notes],
            "reference": self.reference,
        }

    def copy(self) -> Answers:
        return replace(
            self,
            approaches=list(self.approaches),
            by_approach={key: value.copy() for key, value in self.by_approach.items()},
            notes=list(self.notes),  # notes are frozen: shared
        )


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
        """The same as ``dataclasses.asdict`` (a test holds them equal), written out: it runs every turn."""
        return {
            "position": self.position.to_json(),
            "language": self.language,
            "status": self.status,
            "content_version": self.content_version,
            "answers": self.answers.to_json(),
            "history": [position.to_json() for position in self.history],
            "return_to": self.return_to.to_json() if self.return_to else None,
            "editing": self.editing,
            "pending": list(self.pending),
        }

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
        return replace(
            self, answers=self.answers.copy(), history=list(self.history), pending=list(self.pending)
        )

    def moved(self, position: Position) -> ConversationState:
        return replace(self, position=position)
