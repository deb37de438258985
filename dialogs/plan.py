"""The interim implementation and support plan: built from the answers, told in the chat, printed.

Strengths are the best-scored approaches (the good-news stories to share); priorities are the rest,
lowest first, each with first steps drawn from the person's own "Not yet" and "Partly" answers, the
help asked for, who in Kirklees to learn from and which practice bases to read about. The printable
page opens with a one-page summary (the scores, the three things to do first, the help asked for),
then the detail; the framework's original wording is in an appendix for the board, each of its
questions once, with the plain question or questions that asked it and the answers (the Restorative
Approach Checklist too, when it was answered).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import cache
from statistics import mean

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, Template, select_autoescape

from dialogs import messages as m
from dialogs.content import CaseStudy, Content, Original, PracticeBase
from dialogs.i18n import Listed, Text, Translator, render
from dialogs.state import ApproachAnswers, ConversationState, Scope, SentTo, Status

__all__ = [
    "written_date",
    "ApproachResult",
    "Plan",
    "Priority",
    "Recheck",
    "build_plan",
    "plan_lines",
    "render_plan_html",
]

STRENGTH_FROM = 4  # "most of the time" or better
RECHECK_BELOW = 3  # scores of 1 or 2: suggest a quick re-check of that approach
RECHECK_MONTHS = 6
FIRST_THINGS = 3
NOT_THERE_YET = frozenset({"not_yet", "partly"})


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    plain: str
    answer: str | None  # the answer's label message id, or None when skipped


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One framework question for the board: its own wording once, then each plain question that
    asks it (two when the framework asks two things at once) with the answer given."""

    original: str
    lines: tuple[ChecklistLine, ...]


@dataclass(frozen=True, slots=True)
class ApproachResult:
    id: str
    name: str
    score: int | None
    score_label: str | None
    confidence: str | None  # label message id
    reflection: str | None
    evidence: tuple[str, ...]  # label message ids
    evidence_other: str | None
    story: str | None
    support: tuple[str, ...]  # label message ids
    support_other: str | None
    action: str | None
    action_owner: str | None
    action_due: str | None
    due_is_label: bool  # action_due is one of the content's due labels (else a date as typed)
    checklist: tuple[ChecklistItem, ...]
    english: dict[str, str]
    last_year: int | None = None
    baseline: int | None = None


@dataclass(frozen=True, slots=True)
class Priority:
    approach: ApproachResult
    first_steps: tuple[str, ...]
    case_studies: tuple[CaseStudy, ...]
    practice_bases: tuple[PracticeBase, ...]


@dataclass(frozen=True, slots=True)
class Recheck:
    """A quick activity check of one approach, suggested because its score was low."""

    approach: str
    name: str
    on: date


@dataclass(frozen=True, slots=True)
class Plan:
    who: str
    scope: str
    overall: float | None
    approaches: tuple[ApproachResult, ...]
    strengths: tuple[ApproachResult, ...]
    priorities: tuple[Priority, ...]
    content_version: str
    reference: str | None
    next_step: str  # what happens next, for the state it is in
    first_things: tuple[str, ...]  # the three things to do first (message ids)
    rechecks: tuple[Recheck, ...]
    last_year: int | None = None  # the year of last year's evaluation, when it was brought back
    baseline_year: int | None = None
    made_on: date | None = None
    restorative: tuple[ChecklistItem, ...] = ()  # the extra part, when it was answered

    @property
    def asked_for(self) -> tuple[ApproachResult, ...]:
        return tuple(r for r in self.approaches if r.support or r.support_other)


def _due(given: ApproachAnswers, content: Content) -> tuple[str | None, bool]:
    labels = {o.id: o.label for o in content.due}
    if given.action_due in labels:
        return labels[given.action_due], True
    return given.action_due, False


def _result(state: ConversationState, content: Content, approach_id: str) -> ApproachResult:
    approach = content.approach(approach_id)
    given = state.answers.approach(approach_id)
    labels = content.labels()
    due, due_is_label = _due(given, content)
    previous = state.previous
    before = previous.answers.by_approach.get(approach_id) if previous else None
    return ApproachResult(
        id=approach_id,
        name=approach.name,
        score=given.score,
        score_label=content.scale_level(given.score).label if given.score else None,
        confidence=labels.get(given.confidence or ""),
        reflection=given.reflection,
        evidence=tuple(labels[e] for e in given.evidence if e != "other" and e in labels),
        evidence_other=given.evidence_other if "other" in given.evidence else None,
        story=given.story,
        support=tuple(labels[s] for s in given.support if s != "other" and s in labels),
        support_other=given.support_other if "other" in given.support else None,
        action=given.action,
        action_owner=given.action_owner if given.action else None,
        action_due=due if given.action else None,
        due_is_label=due_is_label,
        checklist=_items(approach.originals(), given.checklist, labels)
        if state.answers.scope == Scope.ANNUAL
        else (),
        english=dict(given.english),
        last_year=before.score if before else None,
        baseline=previous.baseline_scores.get(approach_id) if previous else None,
    )


def _items(
    originals: tuple[Original, ...], answered: dict[str, str], labels: dict[str, str]
) -> tuple[ChecklistItem, ...]:
    return tuple(
        ChecklistItem(
            o.original, tuple(ChecklistLine(q.plain, labels.get(answered.get(q.id, ""))) for q in o.parts)
        )
        for o in originals
    )


def _restorative(state: ConversationState, content: Content) -> tuple[ChecklistItem, ...]:
    answered = state.answers.restorative
    if not answered:
        return ()
    labels = content.labels()
    return tuple(item for h in content.restorative for item in _items(h.originals(), answered, labels))


def _first_steps(state: ConversationState, content: Content, approach_id: str) -> tuple[str, ...]:
    """A concrete step for each checklist item answered "Not yet" or "Partly"; the approach's own
    first steps when there are none (an activity check asks no checklist)."""
    approach = content.approach(approach_id)
    given = state.answers.approach(approach_id)
    own = tuple(
        q.first_step
        for q in approach.questions
        if q.first_step and given.checklist.get(q.id) in NOT_THERE_YET
    )
    return own or tuple(step.text for step in approach.first_steps)


def _next_step(state: ConversationState) -> str:
    if state.answers.sent_to == SentTo.LEAD:
        return m.PLAN_NEXT_LEAD
    if state.answers.sent_to == SentTo.BOARD:
        return m.PLAN_NEXT_BOARD
    if state.status == Status.COMPLETED and state.position.step != "consent":
        return m.PLAN_NEXT_KEPT
    return m.PLAN_NEXT_UNDECIDED


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def build_plan(state: ConversationState, content: Content, made_on: date | None = None) -> Plan:
    results = tuple(_result(state, content, a) for a in state.answers.approaches if a in _known(content))
    scored = [r for r in results if r.score is not None]
    best = max((r.score or 0 for r in scored), default=0)
    strengths = tuple(r for r in scored if (r.score or 0) >= STRENGTH_FROM or ((r.score or 0) == best >= 3))
    rest = sorted((r for r in results if r not in strengths), key=lambda r: (r.score is None, r.score or 0))
    priorities = tuple(
        Priority(
            approach=r,
            first_steps=_first_steps(state, content, r.id),
            case_studies=content.approach(r.id).case_studies,
            practice_bases=tuple(content.practice_bases[b] for b in content.approach(r.id).practice_bases),
        )
        for r in rest
    )
    first_things = tuple(step for p in priorities for step in p.first_steps[:1])[:FIRST_THINGS]
    if len(first_things) < FIRST_THINGS:  # few priorities: the next steps of the lowest ones
        more = [step for p in priorities for step in p.first_steps[1:]]
        first_things = (*first_things, *more)[:FIRST_THINGS]
    rechecks = tuple(
        Recheck(r.id, r.name, _months_later(made_on, RECHECK_MONTHS))
        for r in results
        if made_on is not None and r.score is not None and r.score < RECHECK_BELOW
    )
    previous = state.previous
    return Plan(
        who=state.answers.who(),
        scope=state.answers.scope or "",
        overall=round(mean(r.score for r in scored if r.score is not None), 1) if scored else None,
        approaches=results,
        strengths=strengths,
        priorities=priorities,
        content_version=state.content_version,
        reference=state.answers.reference,
        next_step=_next_step(state),
        first_things=first_things,
        rechecks=rechecks,
        last_year=previous.year if previous else None,
        baseline_year=previous.baseline_year if previous else None,
        made_on=made_on,
        restorative=_restorative(state, content),
    )


def _known(content: Content) -> set[str]:
    return {a.id for a in content.approaches}


def _locale(language: str) -> str:
    """Dates and numbers as people in Kirklees write them: British English for English."""
    return "en_GB" if language == "en" else language


def _score(result: ApproachResult) -> Text:
    if result.score is None:
        return Text(m.NO_SCORE)
    return Text(m.SCORE_CHOICE, {"value": result.score, "label": Text(result.score_label or "")})


def _listed(labels: tuple[str, ...], typed: str | None) -> Listed:
    return Listed((*(Text(label) for label in labels), *([Text(typed, verbatim=True)] if typed else [])))


def _change(result: ApproachResult, plan: Plan) -> list[Text]:
    lines = []
    if result.last_year is not None and plan.last_year is not None:
        lines.append(Text(m.PLAN_LAST_YEAR, {"year": str(plan.last_year), "score": result.last_year}))
    if (
        result.baseline is not None
        and plan.baseline_year is not None
        and plan.baseline_year != plan.last_year
    ):
        lines.append(Text(m.PLAN_BASELINE, {"year": str(plan.baseline_year), "score": result.baseline}))
    return lines


def _action_lines(plan: Plan) -> list[Text]:
    found: list[Text] = []
    for r in plan.approaches:
        if not r.action:
            continue
        found.append(Text(m.PLAN_ACTION, {"name": Text(r.name), "action": Text(r.action, verbatim=True)}))
        if r.action_owner:
            found.append(Text(m.PLAN_ACTION_OWNER, {"owner": Text(r.action_owner, verbatim=True)}))
        if r.action_due:
            found.append(Text(m.PLAN_ACTION_DUE, {"due": Text(r.action_due, verbatim=not r.due_is_label)}))
    return found or [Text(m.PLAN_NO_ACTIONS)]


def written_date(day: date, language: str) -> str:
    """A date as people write it in the language ("23 May 2027" in British English)."""
    return format_date(day, format="long", locale=_locale(language))


_date = written_date


def plan_lines(plan: Plan, language: str = "en") -> list[Text]:
    """The plan as chat messages: short, with the full detail left to the printable page."""
    lines: list[Text] = []
    if plan.overall is not None:
        lines.append(Text(m.PLAN_OVERALL, {"score": format_decimal(plan.overall, locale=_locale(language))}))
    else:
        lines.append(Text(m.PLAN_NO_OVERALL))
    lines.append(Text(m.PLAN_STRENGTHS))
    for r in plan.strengths:
        lines.append(Text(m.PLAN_STRENGTH, {"name": Text(r.name)}))
    if not plan.strengths:
        lines.append(Text(m.PLAN_NO_STRENGTHS))
    lines.append(Text(m.PLAN_PRIORITIES))
    for p in plan.priorities:
        lines.append(Text(m.PLAN_PRIORITY, {"name": Text(p.approach.name), "score": _score(p.approach)}))
        lines += _change(p.approach, plan)
        if p.first_steps:
            lines.append(Text(p.first_steps[0]))
    if not plan.priorities:
        lines.append(Text(m.PLAN_NO_PRIORITIES))
    lines += [Text(m.PLAN_ACTIONS), *_action_lines(plan)]
    for recheck in plan.rechecks:
        day = Text(_date(recheck.on, language), verbatim=True)
        lines.append(Text(m.PLAN_RECHECK, {"name": Text(recheck.name), "date": day}))
    return lines


@cache
def _template() -> Template:
    env = Environment(
        loader=PackageLoader("dialogs", "templates"), autoescape=select_autoescape(default=True)
    )
    return env.get_template("plan.html")


def render_plan_html(
    plan: Plan,
    translator: Translator,
    language: str,
    direction: str = "ltr",
    made_on: date | None = None,
    links: dict[str, str] | None = None,
) -> str:
    """The printable page; every piece of the person's text is escaped by the template. ``links``
    are the page's own addresses (a calendar file for the re-checks, say), when the caller has them."""

    def t(msgid: str | Text, **params: object) -> str:
        if isinstance(msgid, Text):
            return render(msgid, translator)
        values = {
            k: v if isinstance(v, Text | Listed) else Text(str(v), verbatim=True) for k, v in params.items()
        }
        return render(Text(msgid, values), translator)

    day = made_on or plan.made_on
    return _template().render(
        plan=plan,
        m=m,
        t=t,
        score=lambda r: render(_score(r), translator),
        listed=_listed,
        change=lambda r: [render(line, translator) for line in _change(r, plan)],
        overall=format_decimal(plan.overall, locale=_locale(language)) if plan.overall is not None else None,
        actions=[render(line, translator) for line in _action_lines(plan)],
        recheck_date=lambda d: _date(d, language),
        language=language,
        direction=direction,
        made_on=_date(day, language) if day else None,
        links=links or {},
    )
