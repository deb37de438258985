"""Reading a stored evaluation's answers: the one reader the board, its exports and roll-ups use.

The engine writes the answers (``dialogs.state``); what comes back from the database is JSON that an
older engine, a roll-up or a hand-edited row may have shaped differently. This module turns it into
checked values against the content: only approaches the content knows, in its order, and only the
ones the evaluation still lists (an unpicked approach's answers may linger); a score only if it is
on the content's scale; a confidence, checklist answer or support option kept as its id. Nothing
here does I/O, so collation, export and roll-up all agree on what an evaluation says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.content import Content
from dialogs.kinds import ApproachField
from dialogs.steps import STEPS

__all__ = [
    "ENGLISH_FIELDS",
    "Shape",
    "StoredApproach",
    "StoredEvaluation",
    "TypedWords",
    "read_answers",
    "shape_of",
    "typed_words",
]

OTHER = "other"  # the support option whose typed text is kept beside it (the content must have it)


@dataclass(frozen=True, slots=True)
class Shape:
    """What the content says an answer may be: the approaches in order and the scale's values."""

    approach_ids: tuple[str, ...]
    scores: tuple[int, ...]
    confidences: tuple[str, ...]  # lowest first, as the content lists them

    def score(self, value: Any) -> int | None:
        return value if type(value) is int and value in self.scores else None


def shape_of(content: Content) -> Shape:
    return Shape(
        approach_ids=tuple(a.id for a in content.approaches),
        scores=tuple(sorted(level.value for level in content.scale)),
        confidences=tuple(o.id for o in content.confidence),
    )


@dataclass(frozen=True, slots=True)
class StoredApproach:
    approach_id: str
    score: int | None
    suggested_score: int | None
    confidence: str | None
    checklist: tuple[tuple[str, str], ...]  # (question id, answer id) as stored
    story: str
    support: tuple[str, ...]  # option ids, once each, in the order chosen
    support_other: str  # the typed need, only while "something else" is chosen
    action: str


@dataclass(frozen=True, slots=True)
class StoredEvaluation:
    scope: str
    level: str
    organisation: str
    unit: str
    activity: str
    reference: str
    approaches: tuple[StoredApproach, ...]

    @property
    def who(self) -> str:
        """The team, directorate or activity it speaks for, else the organisation."""
        return self.unit or self.activity or self.organisation


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _approach(approach_id: str, given: Mapping[str, Any], shape: Shape) -> StoredApproach:
    checklist = given.get("checklist")
    pairs = tuple(
        (q, a) for q, a in (checklist.items() if isinstance(checklist, dict) else ()) if isinstance(a, str)
    )
    chosen = given.get("support")
    support = tuple(dict.fromkeys(s for s in (chosen if isinstance(chosen, list) else ()) if type(s) is str))
    confidence = given.get("confidence")
    return StoredApproach(
        approach_id=approach_id,
        score=shape.score(given.get("score")),
        suggested_score=shape.score(given.get("suggested_score")),
        confidence=confidence if confidence in shape.confidences else None,
        checklist=pairs,
        story=_text(given.get("story")),
        support=support,
        support_other=_text(given.get("support_other")) if OTHER in support else "",
        action=_text(given.get("action")),
    )


def _listed(found: Mapping[str, Any]) -> tuple[Mapping[str, Any], set[str]]:
    """The answers by approach, and the approaches the evaluation still lists."""
    by_approach = found.get("by_approach")
    by_approach = by_approach if isinstance(by_approach, dict) else {}
    listed = found.get("approaches")
    wanted = {a for a in listed if type(a) is str} if isinstance(listed, list) else set(by_approach)
    return by_approach, wanted


def read_answers(answers: Any, shape: Shape) -> StoredEvaluation:
    """The checked answers; anything not shaped as expected reads as not answered, never raises."""
    found: Mapping[str, Any] = answers if isinstance(answers, dict) else {}
    by_approach, wanted = _listed(found)
    approaches = tuple(
        _approach(a, by_approach[a], shape)
        for a in shape.approach_ids
        if a in wanted and isinstance(by_approach.get(a), dict)
    )
    return StoredEvaluation(
        scope=_text(found.get("scope")),
        level=_text(found.get("level")),
        organisation=_text(found.get("organisation")),
        unit=_text(found.get("unit")),
        activity=_text(found.get("activity")),
        reference=_text(found.get("reference")),
        approaches=approaches,
    )


# The answers typed in words that may carry an English version (the steps declared ``english``),
# in the order the conversation asks them: reflection, story, the typed need, the action.
ENGLISH_FIELDS: tuple[str, ...] = tuple(
    d.stores.name for d in STEPS.values() if d.english and isinstance(d.stores, ApproachField)
)


@dataclass(frozen=True, slots=True)
class TypedWords:
    """Words a person typed for one approach, as written, with the English version they gave, if any."""

    approach_id: str
    field: str
    text: str
    english: str  # the person's own English version, or ""


def typed_words(answers: Any, shape: Shape) -> list[TypedWords]:
    """Every non-empty typed answer that may carry an English version, in the content's order of
    approaches (only those the evaluation lists, as ``read_answers`` reads them)."""
    found: Mapping[str, Any] = answers if isinstance(answers, dict) else {}
    by_approach, wanted = _listed(found)
    words: list[TypedWords] = []
    for approach_id in shape.approach_ids:
        given = by_approach.get(approach_id)
        if approach_id not in wanted or not isinstance(given, dict):
            continue
        english = given.get("english")
        english = english if isinstance(english, dict) else {}
        support = given.get("support")
        other = isinstance(support, list) and OTHER in support  # the typed need counts only then
        for name in ENGLISH_FIELDS:
            text = _text(given.get(name)) if name != "support_other" or other else ""
            if text:
                words.append(TypedWords(approach_id, name, text, _text(english.get(name))))
    return words
