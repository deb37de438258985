"""The stored state of one conversation: where it is, and every answer given so far.

It is plain data that round-trips through JSON, so any process can load it, apply one input and
store it again; nothing about a conversation lives in memory between turns. ``from_json`` reads
states written by older versions (missing keys take their defaults) and newer ones (unknown keys
are ignored), so a release never strands a conversation half-way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "ApproachAnswers",
    "Answers",
    "ConversationState",
    "Held",
    "Note",
    "Position",
    "Previous",
    "Scope",
    "SentTo",
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


class SentTo(StrEnum):
    """Who the person chose to send the evaluation to (the framework's path: team -> lead -> board)."""

    LEAD = "lead"  # the organisation's ICF lead, who may roll it up with others for the board
    BOARD = "board"  # the Communities Partnership Board


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass(frozen=True, slots=True)
class Position:
    step: str
    approach: int = 0  # index into Answers.approaches
    question: int = 0  # index into that approach's checklist (or the restorative checklist)

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", str(self.step))  # a plain string, even when given a Step

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "approach": self.approach, "question": self.question}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Position:
        return cls(**_known(cls, data))


@dataclass(slots=True)
class ApproachAnswers:
    checklist: dict[str, str] = field(default_factory=dict)  # question id -> answer id
    score: int | None = None
    suggested_score: int | None = None
    confidence: str | None = None
    reflection: str | None = None  # what went well, what they would do differently
    evidence: list[str] = field(default_factory=list)  # evidence source ids
    evidence_other: str | None = None
    story: str | None = None
    support: list[str] = field(default_factory=list)
    support_other: str | None = None
    action: str | None = None
    action_owner: str | None = None
    action_due: str | None = None  # a due option id ("6m") or a date as typed
    english: dict[str, str] = field(default_factory=dict)  # field name -> the person's English version

    def to_json(self) -> dict[str, Any]:
        return {
            "checklist": dict(self.checklist),
            "score": self.score,
            "suggested_score": self.suggested_score,
            "confidence": self.confidence,
            "reflection": self.reflection,
            "evidence": list(self.evidence),
            "evidence_other": self.evidence_other,
            "story": self.story,
            "support": list(self.support),
            "support_other": self.support_other,
            "action": self.action,
            "action_owner": self.action_owner,
            "action_due": self.action_due,
            "english": dict(self.english),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApproachAnswers:
        return cls(**_known(cls, data))

    def copy(self) -> ApproachAnswers:
        return replace(
            self,
            checklist=dict(self.checklist),
            evidence=list(self.evidence),
            support=list(self.support),
            english=dict(self.english),
        )

    def answered(self) -> bool:
        """Anything given for this approach at all: the board counts only answered parts."""
        return bool(
            self.checklist
            or self.score is not None
            or self.confidence
            or self.reflection
            or self.evidence
            or self.story
            or self.support
            or self.action
        )


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
    restorative: dict[str, str] = field(default_factory=dict)  # restorative prompt id -> answer id
    notes: list[Note] = field(default_factory=list)
    reference: str | None = None
    sent_to: str | None = None  # a SentTo, once sent

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
            "restorative": dict(self.restorative),
            "notes": [{"step": note.step, "text": note.text} for note in self.notes],
            "reference": self.reference,
            "sent_to": self.sent_to,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Answers:
        known = _known(cls, data or {})
        known["by_approach"] = {
            key: ApproachAnswers.from_json(value) for key, value in (known.get("by_approach") or {}).items()
        }
        known["notes"] = [Note(**note) for note in known.get("notes") or []]
        known["approaches"] = list(known.get("approaches") or [])
        known["restorative"] = dict(known.get("restorative") or {})
        return cls(**known)

    def copy(self) -> Answers:
        return replace(
            self,
            approaches=list(self.approaches),
            by_approach={key: value.copy() for key, value in self.by_approach.items()},
            restorative=dict(self.restorative),
            notes=list(self.notes),  # notes are frozen: shared
        )

    def who(self) -> str:
        """Who the evaluation is for, as the person named it."""
        return " / ".join(part for part in (self.organisation, self.unit, self.activity) if part)


@dataclass(frozen=True, slots=True)
class Held:
    """Typed words waiting for the person to say what they meant, before they are stored."""

    step: str  # the step the words were typed at
    value: str
    reason: str  # "contact": looks like someone's contact details; "command": exactly a command word
    command: str | None = None  # the command the words may have meant

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "value": self.value, "reason": self.reason, "command": self.command}


@dataclass(frozen=True, slots=True)
class Previous:
    """Last year's evaluation, brought by a return code: offered back, never sent on with this one."""

    year: int
    answers: Answers
    baseline_year: int  # the first year of this team's evaluations
    baseline_scores: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "answers": self.answers.to_json(),
            "baseline_year": self.baseline_year,
            "baseline_scores": dict(self.baseline_scores),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Previous:
        return cls(
            year=int(data["year"]),
            answers=Answers.from_json(data.get("answers")),
            baseline_year=int(data.get("baseline_year", data["year"])),
            baseline_scores={k: int(v) for k, v in (data.get("baseline_scores") or {}).items()},
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
    held: Held | None = None  # words waiting for "did you mean...?" or "keep it, or change it?"
    after: Position | None = None  # where a side question (an English version, say) returns to
    previous: Previous | None = None  # last year's answers, from a return code
    return_code_given: bool = False
    no_english: bool = False  # skipped "add it in English too?" once: not asked again
    reminder_set: bool = False

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
            "held": self.held.to_json() if self.held else None,
            "after": self.after.to_json() if self.after else None,
            "previous": self.previous.to_json() if self.previous else None,
            "return_code_given": self.return_code_given,
            "no_english": self.no_english,
            "reminder_set": self.reminder_set,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationState:
        def position(raw: Any) -> Position | None:
            return Position.from_json(raw) if raw else None

        held = data.get("held")
        previous = data.get("previous")
        return cls(
            position=Position.from_json(data["position"]),
            language=data.get("language", "en"),
            status=data.get("status", Status.DRAFT),
            content_version=data.get("content_version", ""),
            answers=Answers.from_json(data.get("answers")),
            history=[Position.from_json(p) for p in data.get("history") or []],
            return_to=position(data.get("return_to")),
            editing=bool(data.get("editing", False)),
            pending=list(data.get("pending") or []),
            held=Held(**_known(Held, held)) if held else None,
            after=position(data.get("after")),
            previous=Previous.from_json(previous) if previous else None,
            return_code_given=bool(data.get("return_code_given", False)),
            no_english=bool(data.get("no_english", False)),
            reminder_set=bool(data.get("reminder_set", False)),
        )

    def copy(self) -> ConversationState:
        """A deep copy, so the engine never changes the state it was given (frozen parts are shared)."""
        return replace(
            self, answers=self.answers.copy(), history=list(self.history), pending=list(self.pending)
        )

    def moved(self, position: Position) -> ConversationState:
        return replace(self, position=position)
