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
    "DueOption",
    "Option",
    "PracticeBase",
    "Question",
    "RestorativeHeading",
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
class DueOption:
    id: str
    label: str
    months: int


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    original: str  # the framework's own wording, shown to board staff
    plain: str  # the plain-language yes/no question the person is asked
    first_step: str = ""  # a concrete first step, in the plan, when the answer is "Not yet" or "Partly"


@dataclass(frozen=True, slots=True)
class RestorativeHeading:
    """One heading of the framework's Restorative Approach Checklist (appendix), with its prompts."""

    id: str
    original: str
    plain: str
    prompts: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class CaseStudy:
    name: str
    summary: str


@dataclass(frozen=True, slots=True)
class PracticeBase:
    id: str
    name: str
    summary: str
    section: str = ""  # the framework's section to read more in, such as "7a"


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
    evidence: tuple[Option, ...] = ()
    due: tuple[DueOption, ...] = ()
    restorative: tuple[RestorativeHeading, ...] = ()

    def restorative_prompts(self) -> tuple[tuple[RestorativeHeading, Question], ...]:
        """Every prompt of the restorative checklist in order, with its heading."""
        return tuple((heading, prompt) for heading in self.restorative for prompt in heading.prompts)

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
        """Answer, confidence, support, evidence and due labels by id (the ids do not overlap)."""
        options: list[Option | ChecklistAnswer | DueOption] = [
            *self.confidence,
            *self.support,
            *self.checklist_answers,
            *self.evidence,
            *self.due,
        ]
        return {option.id: option.label for option in options}

    def strings(self) -> list[str]:
        """Every string a person may read, for catalogs and the plain-language check."""
        found: list[str] = []
        for approach in self.approaches:
            found += [approach.name, approach.intro, *approach.first_steps]
            found += [q.plain for q in approach.questions]
            found += [q.first_step for q in approach.questions if q.first_step]
            found += [c.summary for c in approach.case_studies]
        found += [a.label for a in self.checklist_answers]
        found += [s.label for s in self.scale] + [s.meaning for s in self.scale]
        found += [o.label for o in (*self.confidence, *self.support, *self.evidence)]
        found += [o.label for o in self.due]
        found += [p.summary for p in self.practice_bases.values()]
        for heading in self.restorative:
            found += [heading.plain, *(p.plain for p in heading.prompts)]
        return found


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ContentError(f"{where}: missing '{key}'")
    return table[key]


def _question(raw: dict[str, Any], where: str) -> Question:
    return Question(
        id=_req(raw, "id", where),
        original=_req(raw, "original", where),
        plain=_req(raw, "plain", where),
        first_step=raw.get("first_step", ""),
    )


def _restorative(raw: dict[str, Any]) -> RestorativeHeading:
    where = f"restorative heading {raw.get('id', '?')}"
    return RestorativeHeading(
        id=_req(raw, "id", where),
        original=_req(raw, "original", where),
        plain=_req(raw, "plain", where),
        prompts=tuple(_question(p, where) for p in _req(raw, "prompts", where)),
    )


def _approach(raw: dict[str, Any]) -> Approach:
    where = f"approach {raw.get('id', '?')}"
    questions = tuple(_question(q, where) for q in _req(raw, "questions", where))
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
        b["id"]: PracticeBase(id=b["id"], name=b["name"], summary=b["summary"], section=b.get("section", ""))
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
        evidence=tuple(Option(id=o["id"], label=o["label"]) for o in raw.get("evidence", [])),
        due=tuple(
            DueOption(id=o["id"], label=o["label"], months=int(o["months"])) for o in raw.get("due", [])
        ),
        restorative=tuple(_restorative(h) for h in raw.get("restorative", [])),
    )
    for approach in content.approaches:
        unknown = set(approach.practice_bases) - set(bases)
        if unknown:
            raise ContentError(f"approach {approach.id}: unknown practice bases {sorted(unknown)}")
    if "other" not in {o.id for o in content.support}:
        raise ContentError("support options need an 'other' entry for typed needs")
    if content.evidence and "other" not in {o.id for o in content.evidence}:
        raise ContentError("evidence options need an 'other' entry for typed evidence")
    ids = [o.id for o in (*content.confidence, *content.support)] + [a.id for a in content.checklist_answers]
    ids += [o.id for o in content.due] + [o.id for o in content.evidence if o.id != "other"]
    if len(ids) != len(set(ids)):
        raise ContentError(
            f"option ids must not repeat across lists: {sorted(i for i in ids if ids.count(i) > 1)}"
        )
    return content


def load_default_content() -> Content:
    """The framework content shipped with the package."""
    text = resources.files("dialogs").joinpath("data/framework.toml").read_text(encoding="utf-8")
    return parse_content(text)
