"""The review as a summary list: one card per approach, one row per answer, each with its Change.

The chat's review message says the same in sentences (``dialogs.prompts.review_lines``, which every
channel shows). The web page shows those sentences as a list a person can scan and change, in the
manner of the GOV.UK summary list: ``replaces`` names the sentences it stands for, so the page puts the
list in their place and keeps any other words of the message. A row's ``change`` is the choices that
open that answer again from the review (Change something, the approach, the answer), sent in turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list

from bot.web.page_messages import ANSWERED, REVIEW_WORDS
from dialogs import Content, ConversationState, Step, Text, Translator, render
from dialogs import messages as m
from dialogs.i18n import FSI, PDI, counted
from dialogs.plan import ApproachResult, build_plan
from dialogs.prompts import review_lines
from dialogs.state import Scope
from dialogs.steps import change_fields

__all__ = ["SummaryCard", "SummaryRow", "review_summary"]

CHANGE_FROM_REVIEW = "change"  # the review's "Change something" choice


@dataclass(frozen=True, slots=True)
class SummaryRow:
    key: str
    value: str
    own_words: bool  # the person's own words: shown as typed, in their own direction
    change: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SummaryCard:
    title: str
    rows: tuple[SummaryRow, ...]


def _mine(words: str) -> str:
    return f"{FSI}{words}{PDI}"


def _value(step: str, result: ApproachResult, translator: Translator, language: str) -> tuple[str, bool]:
    def t(msgid: str | None) -> str:
        return render(Text(msgid or m.NOT_GIVEN), translator)

    if step == Step.SCORE:
        if result.score is None:
            return t(m.NO_SCORE), False
        score = Text(m.SCORE_CHOICE, {"value": result.score, "label": Text(result.score_label or "")})
        return render(score, translator), False
    if step == Step.CHECKLIST:
        lines = [line for item in result.checklist for line in item.lines]
        answered = sum(1 for line in lines if line.answer)
        return render(counted(ANSWERED, answered, total=len(lines)), translator), False
    if step == Step.CONFIDENCE:
        return t(result.confidence), False
    if step in {Step.SUPPORT, Step.EVIDENCE}:
        chosen, typed = (
            (result.support, result.support_other)
            if step == Step.SUPPORT
            else (result.evidence, result.evidence_other)
        )
        labels = [t(label) for label in chosen] + ([_mine(typed)] if typed else [])
        return (format_list(labels, locale=_locale(language)) if labels else t(None)), False
    own: dict[str, str | None] = {Step.STORY: result.story, Step.REFLECTION: result.reflection}
    words = own.get(step, result.action)
    return (words, True) if words else (t(None), False)


def _locale(language: str) -> str:
    return "en_GB" if language == "en" else language


def review_summary(
    state: ConversationState, content: Content, translator: Translator, rtl: bool
) -> tuple[tuple[str, ...], tuple[SummaryCard, ...]]:
    """The review's sentences as the chat shows them, and the cards that stand for them."""
    replaces = tuple(render(line, translator, isolate=rtl) for line in review_lines(state, content))
    answered = {r.id: r for r in build_plan(state, content).approaches if r.id in state.answers.by_approach}
    cards = [_who_card(state, translator)] if state.answers.organisation else []
    for approach_id, result in answered.items():
        rows = []
        for step, label in change_fields(state, content):
            value, own = _value(step, result, translator, state.language)
            rows.append(
                SummaryRow(
                    render(Text(label), translator), value, own, (CHANGE_FROM_REVIEW, approach_id, step)
                )
            )
        cards.append(SummaryCard(render(Text(result.name), translator), tuple(rows)))
    return replaces, tuple(cards)


def _who_card(state: ConversationState, translator: Translator) -> SummaryCard:
    a = state.answers
    parts = [
        (REVIEW_WORDS["organisation"], a.organisation),
        (REVIEW_WORDS["unit"], a.unit),
        (REVIEW_WORDS["activity"], a.activity if a.scope == Scope.ACTIVITY else None),
    ]
    rows = tuple(SummaryRow(render(Text(str(k)), translator), v, True, ()) for k, v in parts if v)
    return SummaryCard(render(Text(str(REVIEW_WORDS["who"])), translator), rows)
