"""The framework content: approaches, checklist questions, scale and support options.

The content is data (``data/framework.toml``), not code, so the board can edit the wording
without a release; every evaluation records the ``version`` it was asked with. Every string here
is an English gettext message id: channels translate it with the person's catalog.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "Approach",
    "CaseStudy",
    "ChecklistAnswer",
    "Content",
    "ContentError",
    "Option",
    "PracticeBase",
    "Question",
    "ScaleLevel",
    "load_default_content",
    "parse_content",
]


class ContentError(ValueError):
    """The content file is not shaped as the engine needs."""


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class ChecklistAnswer:
    id: str
    label: str
    weight: float | None  # None: the answer says nothing about the score ("Not sure")


@dataclass(frozen=True, slots=True)
class ScaleLevel:
    value: int
    label: str
    meaning: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    original: str  # the framework's own wording, shown to board staff
    plain: str  # the plain-language yes/no question the person is asked


@dataclass(frozen=True, slots=True)
class CaseStudy:
    name: str
    summary: str


@dataclass(frozen=True, slots=True)
class PracticeBase:
    id: str
    name: str
    summary: str


@dataclass(frozen=True, slots=True)
class Approach:
    id: str
    name: str
    intro: str
    questions: tuple[Question, ...]
    first_steps: tuple[str, ...]
    case_studies: tuple[CaseStudy, ...]
    practice_bases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Content:
    version: str
    approaches: tuple[Approach, ...]
    checklist_answers: tuple[ChecklistAnswer, ...]
    scale: tuple[ScaleLevel, ...]
    confidence: tuple[Option, ...]
    support: tuple[Option, ...]
    practice_bases: dict[str, PracticeBase]

    def approach(self, approach_id: str) -> Approach:
        for approach in self.approaches:
            if approach.id == approach_id:
                return approach
        raise KeyError(approach_id)

    def scale_level(self, value: int) -> ScaleLevel:
        for level in self.scale:
            if level.value == value:
                return level
        raise KeyError(value)

    def labels(self) -> dict[str, str]:
        """Answer, confidence and support labels by id (the ids do not overlap)."""
        options: list[Option | ChecklistAnswer] = [*self.confidence, *self.support, *self.checklist_answers]
        return {option.id: option.label for option in options}

    def strings(self) -> list[str]:
        """Every string a person may read, for catalogs and the plain-language check."""
        found: list[str] = []
        for approach in self.approaches:
            found += [approach.name, approach.intro, *approach.first_steps]
            found += [q.plain for q in approach.questions]
            found += [c.summary for c in approach.case_studies]
        found += [a.label for a in self.checklist_answers]
        found += [s.label for s in self.scale] + [s.meaning for s in self.scale]
        found += [o.label for o in (*self.confidence, *self.support)]
        found += [p.summary for p in self.practice_bases.values()]
        return found


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ContentError(f"{where}: missing '{key}'")
    return table[key]


def _approach(raw: dict[str, Any]) -> Approach:
    where = f"approach {raw.get('id', '?')}"
    questions = tuple(
        Question(id=_req(q, "id", where), original=_req(q, "original", where), plain=_req(q, "plain", where))
        for q in _req(raw, "questions", where)
    )
    cases = tuple(
        CaseStudy(name=_req(c, "name", where), summary=_req(c, "summary", where))
        for c in raw.get("case_studies", [])
    )
    return Approach(
        id=_req(raw, "id", where),
        name=_req(raw, "name", where),
        intro=_req(raw, "intro", where),
        questions=questions,
        first_steps=tuple(_req(raw, "first_steps", where)),
        case_studies=cases,
        practice_bases=tuple(raw.get("practice_bases", [])),
    )


def parse_content(text: str) -> Content:
    """Build :class:`Content` from the TOML text, checking the cross references."""
    raw = tomllib.loads(text)
    bases = {
        b["id"]: PracticeBase(id=b["id"], name=b["name"], summary=b["summary"])
        for b in _req(raw, "practice_bases", "content")
    }
    content = Content(
        version=str(_req(raw, "version", "content")),
        approaches=tuple(_approach(a) for a in _req(raw, "approaches", "content")),
        checklist_answers=tuple(
            ChecklistAnswer(id=a["id"], label=a["label"], weight=a.get("weight"))
            for a in _req(raw, "checklist_answers", "content")
        ),
        scale=tuple(
            ScaleLevel(value=int(s["value"]), label=s["label"], meaning=s["meaning"])
            for s in _req(raw, "scale", "content")
        ),
        confidence=tuple(Option(id=o["id"], label=o["label"]) for o in _req(raw, "confidence", "content")),
        support=tuple(Option(id=o["id"], label=o["label"]) for o in _req(raw, "support", "content")),
        practice_bases=bases,
    )
    for approach in content.approaches:
        unknown = set(approach.practice_bases) - set(bases)
        if unknown:
            raise ContentError(f"approach {approach.id}: unknown practice bases {sorted(unknown)}")
    if "other" not in {o.id for o in content.support}:
        raise ContentError("support options need an 'other' entry for typed needs")
    return content


def load_default_content() -> Content:
    """The framework content shipped with the package."""
    text = resources.files("dialogs").joinpath("data/framework.toml").read_text(encoding="utf-8")
    return parse_content(text)
