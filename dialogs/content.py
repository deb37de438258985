"""The framework content: approaches, checklist questions, scale and support options.

The content is data (``data/framework.toml``), not code, so the board can edit the wording
without a release; every evaluation records the ``version`` it was asked with. Every string a person
reads is an English gettext message id: channels translate it with the person's catalog.

The file keeps two kinds of thing apart. What the framework says (its questions, approaches, case
studies, practice bases, the restorative checklist) carries the framework's own words: ``original``
for a question, ``source`` quotes for a fact, so anyone can check it against the framework. What the
assistant chose by itself (the 1-5 scale, the quick answers and their weights, the kinds of support,
the evidence and date choices, the time it takes) lives under ``[tool]``, for the board to change.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
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
    "FirstStep",
    "Option",
    "Original",
    "PracticeBase",
    "Question",
    "RestorativeHeading",
    "ScaleLevel",
    "Timing",
    "Tried",
    "Walk",
    "by_original",
    "load_default_content",
    "parse_content",
]

Sources = tuple[str, ...]  # short quotes from the framework that a fact rests on


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
    """One plain yes/no question. A framework question that asks two things is asked as two plain
    questions: the second names the first in ``part_of`` and shares its original wording, so the
    answers stay apart ("Partly" means one thing) while the board reads the framework's question once."""

    id: str
    original: str  # the framework's own wording, shown to board staff
    plain: str  # the plain-language yes/no question the person is asked
    first_step: str = ""  # a concrete first step, in the plan, when the answer is "Not yet" or "Partly"
    first_step_sources: Sources = ()
    part_of: str = ""  # the question whose original this one asks too ("" for the first or only one)

    @property
    def original_id(self) -> str:
        return self.part_of or self.id


@dataclass(frozen=True, slots=True)
class Original:
    """A question as the framework words it, with the plain question or questions that ask it."""

    id: str
    original: str
    parts: tuple[Question, ...]


def by_original(questions: Iterable[Question]) -> tuple[Original, ...]:
    """The questions grouped by the framework question they ask, in the framework's order."""
    groups: dict[str, list[Question]] = {}
    for question in questions:
        groups.setdefault(question.original_id, []).append(question)
    return tuple(Original(key, parts[0].original, tuple(parts)) for key, parts in groups.items())


@dataclass(frozen=True, slots=True)
class FirstStep:
    text: str
    sources: Sources


@dataclass(frozen=True, slots=True)
class RestorativeHeading:
    """One heading of the framework's Restorative Approach Checklist (appendix), with its prompts."""

    id: str
    original: str
    plain: str
    prompts: tuple[Question, ...]

    def originals(self) -> tuple[Original, ...]:
        return by_original(self.prompts)


@dataclass(frozen=True, slots=True)
class CaseStudy:
    name: str
    summary: str
    sources: Sources = ()


@dataclass(frozen=True, slots=True)
class PracticeBase:
    id: str
    name: str
    summary: str
    section: str = ""  # the framework's section to read more in, such as "7a"
    sources: Sources = ()


@dataclass(frozen=True, slots=True)
class Approach:
    id: str
    name: str
    intro: str
    questions: tuple[Question, ...]
    first_steps: tuple[FirstStep, ...]
    case_studies: tuple[CaseStudy, ...]
    practice_bases: tuple[str, ...]
    intro_sources: Sources = ()

    def originals(self) -> tuple[Original, ...]:
        """The framework's own checklist questions, each with the plain questions that ask it."""
        return by_original(self.questions)


@dataclass(frozen=True, slots=True)
class Walk:
    """One way through the conversation, counted with the engine (tests/dialogs/test_timing.py):
    what the person taps and types and how many words they read."""

    id: str
    taps: int
    typed: int
    words: int


@dataclass(frozen=True, slots=True)
class Tried:
    """A walk people were timed on, with the version of the conversation they did it in: the rates
    below are set so the formula gives the minutes they took."""

    id: str
    content_version: str
    walk: Walk
    minutes: tuple[int, int]
    second_language_minutes: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Timing:
    """How long a check takes: the words read at a stated reading speed, plus time for each answer."""

    words_per_minute: float
    second_language_words_per_minute: float
    seconds_per_tap: float
    seconds_per_typed_answer: float
    walks: tuple[Walk, ...]
    tried: tuple[Tried, ...] = ()

    def walk(self, walk_id: str) -> Walk:
        for walk in self.walks:
            if walk.id == walk_id:
                return walk
        raise KeyError(walk_id)

    def minutes(self, walk_id: str, second_language: bool = False) -> int:
        """The estimate for a walk of the conversation as it is now."""
        return self.minutes_of(self.walk(walk_id), second_language)

    def minutes_of(self, walk: Walk, second_language: bool = False) -> int:
        speed = self.second_language_words_per_minute if second_language else self.words_per_minute
        seconds = walk.words / speed * 60 + walk.taps * self.seconds_per_tap
        seconds += walk.typed * self.seconds_per_typed_answer
        return max(1, round(seconds / 60))


@dataclass(frozen=True, slots=True)
class Content:
    version: str
    approaches: tuple[Approach, ...]
    checklist_answers: tuple[ChecklistAnswer, ...]
    scale: tuple[ScaleLevel, ...]
    confidence: tuple[Option, ...]
    support: tuple[Option, ...]
    practice_bases: dict[str, PracticeBase]
    timing: Timing
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
            found += [approach.name, approach.intro, *(s.text for s in approach.first_steps)]
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

    def facts(self) -> list[tuple[str, str, Sources]]:
        """Every statement of fact with the framework quotes it rests on: (where, text, sources)."""
        found: list[tuple[str, str, Sources]] = []
        for a in self.approaches:
            found.append((f"{a.id} intro", a.intro, a.intro_sources))
            found += [(f"{a.id} first step", s.text, s.sources) for s in a.first_steps]
            found += [(f"{q.id} first step", q.first_step, q.first_step_sources) for q in a.questions]
            found += [(f"case study {c.name}", c.summary, c.sources) for c in a.case_studies]
        found += [(f"practice base {p.id}", p.summary, p.sources) for p in self.practice_bases.values()]
        return found


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ContentError(f"{where}: missing '{key}'")
    return table[key]


def _sources(table: dict[str, Any], key: str, where: str) -> Sources:
    """A fact's quotes: one string or a list; a fact without one cannot be checked, so it is refused."""
    value = _req(table, key, where)
    quotes = (value,) if isinstance(value, str) else tuple(value)
    if not quotes or not all(isinstance(q, str) and q.strip() for q in quotes):
        raise ContentError(f"{where}: '{key}' needs at least one quote from the framework")
    return quotes


def _questions(raws: list[dict[str, Any]], where: str) -> tuple[Question, ...]:
    """Questions in order; a ``part_of`` question takes its original from the one it names, so the
    framework's wording lives in one place."""
    found: dict[str, Question] = {}
    for raw in raws:
        qid = _req(raw, "id", where)
        part_of = raw.get("part_of", "")
        if part_of:
            first = found.get(part_of)
            if first is None or first.part_of:
                raise ContentError(
                    f"{where}: {qid} is part of {part_of!r}, which is not a question before it"
                )
            if "original" in raw:
                raise ContentError(f"{where}: {qid} takes its original from {part_of}; do not repeat it")
            original = first.original
        else:
            original = _req(raw, "original", where)
        step = raw.get("first_step", "")
        found[qid] = Question(
            id=qid,
            original=original,
            plain=_req(raw, "plain", where),
            first_step=step,
            first_step_sources=_sources(raw, "first_step_source", f"{where}, {qid}") if step else (),
            part_of=part_of,
        )
    if len(found) != len(raws):
        raise ContentError(f"{where}: question ids repeat")
    return tuple(found.values())


def _restorative(raw: dict[str, Any]) -> RestorativeHeading:
    where = f"restorative heading {raw.get('id', '?')}"
    return RestorativeHeading(
        id=_req(raw, "id", where),
        original=_req(raw, "original", where),
        plain=_req(raw, "plain", where),
        prompts=_questions(_req(raw, "prompts", where), where),
    )


def _approach(raw: dict[str, Any]) -> Approach:
    where = f"approach {raw.get('id', '?')}"
    cases = tuple(
        CaseStudy(
            name=_req(c, "name", where),
            summary=_req(c, "summary", where),
            sources=_sources(c, "source", f"{where}, case study {c.get('name', '?')}"),
        )
        for c in raw.get("case_studies", [])
    )
    steps = tuple(
        FirstStep(_req(s, "text", where), _sources(s, "source", f"{where}, first step"))
        for s in _req(raw, "first_steps", where)
    )
    return Approach(
        id=_req(raw, "id", where),
        name=_req(raw, "name", where),
        intro=_req(raw, "intro", where),
        intro_sources=_sources(raw, "intro_source", where),
        questions=_questions(_req(raw, "questions", where), where),
        first_steps=steps,
        case_studies=cases,
        practice_bases=tuple(raw.get("practice_bases", [])),
    )


def _practice_base(raw: dict[str, Any]) -> PracticeBase:
    where = f"practice base {raw.get('id', '?')}"
    return PracticeBase(
        id=_req(raw, "id", where),
        name=_req(raw, "name", where),
        summary=_req(raw, "summary", where),
        section=raw.get("section", ""),
        sources=_sources(raw, "source", where),
    )


def _range(value: Any, where: str) -> tuple[int, int]:
    low, high = (int(v) for v in value)
    if not 0 < low <= high:
        raise ContentError(f"{where}: a range of minutes is [fewest, most]")
    return low, high


def _walk(raw: dict[str, Any], where: str) -> Walk:
    return Walk(
        id=_req(raw, "id", where),
        taps=int(_req(raw, "taps", where)),
        typed=int(_req(raw, "typed", where)),
        words=int(_req(raw, "words", where)),
    )


def _tried(raw: dict[str, Any], where: str) -> Tried:
    second = raw.get("second_language_minutes")
    return Tried(
        id=_req(raw, "id", where),
        content_version=str(_req(raw, "content_version", where)),
        walk=_walk(raw, where),
        minutes=_range(_req(raw, "minutes", where), where),
        second_language_minutes=_range(second, where) if second else None,
    )


def _timing(raw: dict[str, Any]) -> Timing:
    where = "tool.timing"
    walks = [_walk(w, where) for w in _req(raw, "walks", where)]
    tried = [_tried(t, where) for t in raw.get("tried", [])]
    return Timing(
        words_per_minute=float(_req(raw, "words_per_minute", where)),
        second_language_words_per_minute=float(_req(raw, "second_language_words_per_minute", where)),
        seconds_per_tap=float(_req(raw, "seconds_per_tap", where)),
        seconds_per_typed_answer=float(_req(raw, "seconds_per_typed_answer", where)),
        walks=tuple(walks),
        tried=tuple(tried),
    )


def _check(content: Content) -> None:
    bases = content.practice_bases
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


def parse_content(text: str) -> Content:
    """Build :class:`Content` from the TOML text, checking the cross references."""
    raw = tomllib.loads(text)
    tool = _req(raw, "tool", "content")
    content = Content(
        version=str(_req(raw, "version", "content")),
        approaches=tuple(_approach(a) for a in _req(raw, "approaches", "content")),
        checklist_answers=tuple(
            ChecklistAnswer(id=a["id"], label=a["label"], weight=a.get("weight"))
            for a in _req(tool, "checklist_answers", "tool")
        ),
        scale=tuple(
            ScaleLevel(value=int(s["value"]), label=s["label"], meaning=s["meaning"])
            for s in _req(tool, "scale", "tool")
        ),
        confidence=tuple(Option(id=o["id"], label=o["label"]) for o in _req(tool, "confidence", "tool")),
        support=tuple(Option(id=o["id"], label=o["label"]) for o in _req(tool, "support", "tool")),
        practice_bases={b.id: b for b in map(_practice_base, _req(raw, "practice_bases", "content"))},
        timing=_timing(_req(tool, "timing", "tool")),
        evidence=tuple(Option(id=o["id"], label=o["label"]) for o in tool.get("evidence", [])),
        due=tuple(
            DueOption(id=o["id"], label=o["label"], months=int(o["months"])) for o in tool.get("due", [])
        ),
        restorative=tuple(_restorative(h) for h in raw.get("restorative", [])),
    )
    _check(content)
    return content


def load_default_content() -> Content:
    """The framework content shipped with the package."""
    text = resources.files("dialogs").joinpath("data/framework.toml").read_text(encoding="utf-8")
    return parse_content(text)
