"""The interim support plan: built from the answers, told in the chat, printed as a page.

Strengths are the best-scored approaches (the good-news stories to share); priorities are the
rest, lowest first, each with the help asked for, first steps from the framework, who in Kirklees
to learn from and which practice bases to read about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from statistics import mean

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, Template, select_autoescape

from dialogs import messages as m
from dialogs.content import CaseStudy, Content, PracticeBase
from dialogs.i18n import Text, Translator, render
from dialogs.state import ConversationState

__all__ = ["ApproachResult", "Plan", "Priority", "build_plan", "plan_lines", "render_plan_html"]

STRENGTH_FROM = 4  # "most of the time" or better


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    plain: str
    original: str
    answer: str | None  # the answer's label message id, or None when skipped


@dataclass(frozen=True, slots=True)
class ApproachResult:
    id: str
    name: str
    score: int | None
    score_label: str | None
    confidence: str | None  # label message id
    story: str | None
    support: tuple[str, ...]  # label message ids
    support_other: str | None
    action: str | None
    checklist: tuple[ChecklistLine, ...]


@dataclass(frozen=True, slots=True)
class Priority:
    approach: ApproachResult
    first_steps: tuple[str, ...]
    case_studies: tuple[CaseStudy, ...]
    practice_bases: tuple[PracticeBase, ...]


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


def _result(state: ConversationState, content: Content, approach_id: str) -> ApproachResult:
    approach = content.approach(approach_id)
    given = state.answers.approach(approach_id)
    labels = content.labels()
    return ApproachResult(
        id=approach_id,
        name=approach.name,
        score=given.score,
        score_label=content.scale_level(given.score).label if given.score else None,
        confidence=labels.get(given.confidence or ""),
        story=given.story,
        support=tuple(labels[s] for s in given.support if s != "other"),
        support_other=given.support_other if "other" in given.support else None,
        action=given.action,
        checklist=tuple(
            ChecklistLine(q.plain, q.original, labels.get(given.checklist.get(q.id, "")))
            for q in approach.questions
            if state.answers.scope == "annual"
        ),
    )


def build_plan(state: ConversationState, content: Content) -> Plan:
    results = tuple(_result(state, content, a) for a in state.answers.approaches)
    scored = [r for r in results if r.score is not None]
    best = max((r.score or 0 for r in scored), default=0)
    strengths = tuple(r for r in scored if (r.score or 0) >= STRENGTH_FROM or ((r.score or 0) == best >= 3))
    rest = sorted((r for r in results if r not in strengths), key=lambda r: (r.score is None, r.score or 0))
    priorities = tuple(
        Priority(
            approach=r,
            first_steps=content.approach(r.id).first_steps,
            case_studies=content.approach(r.id).case_studies,
            practice_bases=tuple(content.practice_bases[b] for b in content.approach(r.id).practice_bases),
        )
        for r in rest
    )
    a = state.answers
    return Plan(
        who=" / ".join(part for part in (a.organisation, a.unit, a.activity) if part),
        scope=a.scope or "",
        overall=round(mean(r.score for r in scored if r.score is not None), 1) if scored else None,
        approaches=results,
        strengths=strengths,
        priorities=priorities,
        content_version=state.content_version,
        reference=a.reference,
    )


def _locale(language: str) -> str:
    """Dates and numbers as people in Kirklees write them: British English for English."""
    return "en_GB" if language == "en" else language


def _score(result: ApproachResult) -> Text:
    if result.score is None:
        return Text(m.NO_SCORE)
    return Text(m.SCORE_CHOICE, {"value": result.score, "label": Text(result.score_label or "")})


def _support(result: ApproachResult) -> str | None:
    labels = [*result.support, *([result.support_other] if result.support_other else [])]
    return ", ".join(labels) if labels else None


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
        if p.first_steps:
            lines.append(Text(p.first_steps[0]))
    if not plan.priorities:
        lines.append(Text(m.PLAN_NO_PRIORITIES))
    lines += [Text(m.PLAN_ACTIONS), *_action_lines(plan)]
    return lines


def _action_lines(plan: Plan) -> list[Text]:
    found = [
        Text(m.PLAN_ACTION, {"name": Text(r.name), "action": Text(r.action, verbatim=True)})
        for r in plan.approaches
        if r.action
    ]
    return found or [Text(m.PLAN_NO_ACTIONS)]


@cache
def _template() -> Template:
    env = Environment(
        loader=PackageLoader("dialogs", "templates"), autoescape=select_autoescape(default=True)
    )
    return env.get_template("plan.html")


def render_plan_html(
    plan: Plan, translator: Translator, language: str, direction: str = "ltr", made_on: date | None = None
) -> str:
    """The printable page; every piece of the person's text is escaped by the template."""

    def t(msgid: str, **params: object) -> str:
        values = {k: v if isinstance(v, Text) else Text(str(v), verbatim=True) for k, v in params.items()}
        return render(Text(msgid, values), translator)

    return _template().render(
        plan=plan,
        m=m,
        t=t,
        score=lambda r: render(_score(r), translator),
        support=_support,
        overall=format_decimal(plan.overall, locale=_locale(language)) if plan.overall is not None else None,
        actions=[render(line, translator) for line in _action_lines(plan)],
        language=language,
        direction=direction,
        made_on=format_date(made_on, format="long", locale=_locale(language)) if made_on else None,
    )
