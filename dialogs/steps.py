"""Every step of the conversation, each declared once.

A declaration says what kind of question the step asks, where its answer is stored, whether it can
be skipped, what it says on arriving and on a wrong answer, and where the conversation goes next.
The state machine (dialogs/flow.py), the diagram (dialogs/flow.mmd), the replies (dialogs/prompts.py),
the "change something" menu and the engine all read these declarations; nothing else lists steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from dialogs import messages as m
from dialogs.content import Content
from dialogs.events import Context
from dialogs.i18n import Text, counted
from dialogs.kinds import (
    AnswerField,
    ApproachField,
    Asking,
    ChecklistStore,
    Kind,
    OneOf,
    RestorativeStore,
    SomeOf,
    Store,
    Typed,
    TypedOrPicked,
)
from dialogs.plan import build_plan, written_date
from dialogs.state import ConversationState, Scope, SentTo

__all__ = ["SHORT_LIST", "STEPS", "Declared", "Go", "Step", "change_fields", "declared"]

SHORT_LIST = 8  # up to this many partner organisations are offered as buttons; a longer list is searched


class Step(StrEnum):
    CHOOSE_LANGUAGE = "choose_language"
    CHOOSE_SCOPE = "choose_scope"
    CHOOSE_LEVEL = "choose_level"
    ORGANISATION = "organisation"
    UNIT_NAME = "unit_name"
    ACTIVITY_NAME = "activity_name"
    PICK_APPROACHES = "pick_approaches"
    CHECKLIST = "checklist"
    SCORE = "score"
    CONFIDENCE = "confidence"
    REFLECTION = "reflection"
    EVIDENCE = "evidence"
    EVIDENCE_OTHER = "evidence_other"
    STORY = "story"
    SUPPORT = "support"
    SUPPORT_OTHER = "support_other"
    ACTION = "action"
    ACTION_OWNER = "action_owner"
    ACTION_DUE = "action_due"
    RESTORATIVE_OFFER = "restorative_offer"
    RESTORATIVE = "restorative"
    REVIEW = "review"
    EDIT_APPROACH = "edit_approach"
    EDIT_FIELD = "edit_field"
    CONSENT = "consent"
    FINISHED = "finished"
    PAUSED = "paused"
    CONFIRM_DELETE = "confirm_delete"
    DELETED = "deleted"
    # Side questions: asked about what was just typed, then back to where the conversation was going.
    IN_ENGLISH = "in_english"
    CHECK_TYPED = "check_typed"


@dataclass(frozen=True, slots=True)
class Go:
    """A move of ``proceed`` (or another trigger): the first whose conditions hold is taken."""

    to: Step
    when: tuple[str, ...] = ()  # conditions: methods of the engine's cursor
    unless: tuple[str, ...] = ()
    before: str | None = None  # a cursor method that moves the position on (next question, ...)
    trigger: str = "proceed"


Says = Callable[[Asking], list[Text]]
BOTH = frozenset({Scope.ANNUAL, Scope.ACTIVITY})
ANNUAL = frozenset({Scope.ANNUAL})


@dataclass(frozen=True, slots=True)
class Declared:
    step: Step
    says: Says  # what the step says when it asks (on arriving, and when asking again)
    kind: Kind | None = None  # None: nothing to answer (paused, deleted)
    stores: Store | None = None  # where the answer goes; None: an engine action handles it
    action: str | None = None  # the engine's handler for the answer, instead of storing it
    skippable: bool = False
    in_approach: bool = False  # a question about one approach: shows progress, has an approach index
    goes: tuple[Go, ...] = ()
    checks: bool = False  # typed words are checked for contact details and lone command words
    english: bool = False  # in another language, offer to add an English version afterwards
    carries: bool = False  # offers last year's answer as "Still the same"
    change: str | None = None  # its label in the "change something" menu of an approach
    change_scopes: frozenset[str] = field(default=BOTH)
    side: bool = False  # a side question: goes back to ``state.after`` once answered
    arrive: str | None = None  # the engine's preparation on arriving (a suggestion, the plan)


def _say(msgid: str) -> Says:
    return lambda asking: [Text(msgid)]


def _named(msgid: str) -> Says:
    return lambda asking: [Text(msgid, {"name": Text(asking.approach.name)})]


# -- what the dynamic steps say -----------------------------------------------------------------


def _welcome(asking: Asking) -> list[Text]:
    timing = asking.content.timing
    return [
        Text(m.WELCOME),
        Text(m.INCLUSIVE_MEANS),
        counted(m.TAKES_MINUTES, timing.minutes("annual")),
        counted(m.QUICK_CHECK_MINUTES, timing.minutes("activity")),
        Text(m.SAVED_AS_YOU_GO),
        Text(m.WHERE_ANSWERS_GO),
        Text(m.NO_NAMES),
    ]


def _restorative_offer(asking: Asking) -> list[Text]:
    minutes = asking.content.timing.minutes("restorative")
    return [Text(m.RESTORATIVE_OFFER), counted(m.RESTORATIVE_MINUTES, minutes)]


def _choose_language(asking: Asking) -> list[Text]:
    intro = [] if asking.state.return_to else _welcome(asking)
    return [*intro, Text(m.CHOOSE_LANGUAGE)]


def _choose_scope(asking: Asking) -> list[Text]:
    intro = [] if len(asking.context.languages) > 1 else _welcome(asking)
    return [*intro, Text(m.CHOOSE_SCOPE)]


def _searching(asking: Asking) -> bool:
    return asking.state.held is not None and asking.state.held.reason == "search"


def _organisation(asking: Asking) -> list[Text]:
    if _searching(asking):
        return [Text(m.ORGANISATION_MATCHES)]
    if asking.state.pending:
        return [Text(m.ASK_ORGANISATION_KNOWN)]
    return [Text(m.ASK_ORGANISATION_SEARCH if asking.context.organisations else m.ASK_ORGANISATION)]


def _unit(asking: Asking) -> list[Text]:
    return [Text(m.ASK_DIRECTORATE if asking.state.answers.level == "directorate" else m.ASK_TEAM)]


def _checklist(asking: Asking) -> list[Text]:
    questions = asking.approach.questions
    number, plain = asking.state.position.question + 1, Text(asking.question.plain)
    return [Text(m.QUESTION, {"number": number, "total": len(questions), "question": plain})]


def _score(asking: Asking) -> list[Text]:
    lines = [Text(m.ASK_SCORE, {"name": Text(asking.approach.name)})]
    suggested = asking.given.suggested_score
    if suggested is not None:
        label = Text(asking.content.scale_level(suggested).label)
        lines.append(Text(m.SUGGEST_SCORE, {"score": suggested, "label": label}))
    before = ApproachField("score").last_year(asking)
    if before is not None:
        lines.append(Text(m.LAST_YEAR_SCORE, {"score": before}))
    return lines


def _restorative(asking: Asking) -> list[Text]:
    prompts = asking.content.restorative_prompts()
    index = asking.state.position.question
    heading, prompt = prompts[index]
    lines = [Text(heading.plain)] if index == 0 or prompts[index - 1][0] is not heading else []
    total = len(prompts)
    return [*lines, Text(m.QUESTION, {"number": index + 1, "total": total, "question": Text(prompt.plain)})]


def _edit_field(asking: Asking) -> list[Text]:
    return [Text(m.EDIT_WHICH_FIELD, {"name": Text(asking.approach.name)})]


def _consent(asking: Asking) -> list[Text]:
    meanings = [m.CONSENT_BOARD_MEANS, m.CONSENT_KEEP_MEANS]
    if _lead_offered(asking):
        meanings.insert(0, m.CONSENT_LEAD_MEANS)
    return [Text(m.ASK_CONSENT), *(Text(meaning) for meaning in meanings)]


def _finished(asking: Asking) -> list[Text]:
    return [Text(m.FINISHED)]


def _paused(asking: Asking) -> list[Text]:
    return [Text(m.WELCOME_BACK)]


def _check_typed(asking: Asking) -> list[Text]:
    held = asking.state.held
    if held is None or held.reason == "contact":
        return [Text(m.HELD_CONTACT)]
    return [Text(DID_YOU_MEAN[held.command or "back"])]


DID_YOU_MEAN = {
    "back": m.DID_YOU_MEAN_BACK,
    "skip": m.DID_YOU_MEAN_SKIP,
    "help": m.DID_YOU_MEAN_HELP,
    "pause": m.DID_YOU_MEAN_PAUSE,
    "summary": m.DID_YOU_MEAN_SUMMARY,
    "language": m.DID_YOU_MEAN_LANGUAGE,
    "delete": m.DID_YOU_MEAN_DELETE,
}

# -- the answers each step offers ---------------------------------------------------------------


def _languages(asking: Asking) -> list[tuple[str, Text]]:
    names = asking.context.language_names
    return [(code, Text(names.get(code, code), verbatim=True)) for code in asking.context.languages]


def _fixed(*options: tuple[str, str]) -> Callable[[Asking], list[tuple[str, Text]]]:
    return lambda asking: [(i, Text(label)) for i, label in options]


def _approaches(asking: Asking) -> list[tuple[str, Text]]:
    return [(a.id, Text(a.name)) for a in asking.content.approaches]


def _picked_approaches(asking: Asking) -> list[tuple[str, Text]]:
    return [(i, Text(asking.content.approach(i).name)) for i in asking.state.answers.approaches]


def _checklist_answers(asking: Asking) -> list[tuple[str, Text]]:
    return [(a.id, Text(a.label)) for a in asking.content.checklist_answers]


def _scale(asking: Asking) -> list[tuple[str, Text]]:
    return [
        (str(s.value), Text(m.SCORE_CHOICE, {"value": s.value, "label": Text(s.label)}))
        for s in asking.content.scale
    ]


def _suggested_score(asking: Asking) -> str | None:
    suggested = asking.given.suggested_score
    return None if suggested is None else str(suggested)


def _options(name: str) -> Callable[[Asking], list[tuple[str, Text]]]:
    return lambda asking: [(o.id, Text(o.label)) for o in getattr(asking.content, name)]


def _known_names(asking: Asking) -> list[tuple[str, Text]]:
    """The organisations offered: the whole list when it is short, or the matches for what was typed."""
    found = [(f"org{i}", Text(name, verbatim=True)) for i, name in enumerate(asking.state.pending)]
    return [*found, ("none", Text(m.NONE_OF_THESE))] if _searching(asking) else found


def change_fields(state: ConversationState, content: Content) -> list[tuple[str, str]]:
    """The answers of an approach a person can change from the review: (step, label message id)."""
    asking = Asking(state, Context(translator=_NO_TRANSLATION), content)
    return [(step, label.msgid) for step, label in _change_fields(asking)]


class _Untranslated:
    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


_NO_TRANSLATION = _Untranslated()


def _change_fields(asking: Asking) -> list[tuple[str, Text]]:
    scope = asking.state.answers.scope or Scope.ANNUAL
    return [
        (d.step, Text(d.change))
        for d in STEPS.values()
        if d.change and scope in d.change_scopes and _applies(d, asking)
    ]


def _applies(declared: Declared, asking: Asking) -> bool:
    return declared.step != Step.EVIDENCE or bool(asking.content.evidence)


def _lead_offered(asking: Asking) -> bool:
    """The framework's path goes through the organisation's ICF lead for a part of an organisation."""
    return asking.state.answers.level != "organisation"


def _destinations(asking: Asking) -> list[tuple[str, Text]]:
    lead = [(SentTo.LEAD.value, Text(m.CONSENT_LEAD))] if _lead_offered(asking) else []
    return [*lead, (SentTo.BOARD.value, Text(m.CONSENT_BOARD)), ("keep", Text(m.CONSENT_KEEP))]


def _finished_options(asking: Asking) -> list[tuple[str, Text]]:
    send = [] if asking.state.answers.reference else [("send", Text(m.SEND_NOW))]
    day = recheck_day(asking)
    remind = [("remind", Text(m.REMIND_ME, {"date": Text(day, verbatim=True)}))] if day else []
    return send + remind


def recheck_day(asking: Asking) -> str | None:
    """The day to offer a reminder on (scores of 1 or 2 suggest a re-check), where the channel can
    send one and none is set yet; as the person's language writes dates."""
    state, context = asking.state, asking.context
    if not context.reminders or state.reminder_set or context.today is None:
        return None
    rechecks = build_plan(state, asking.content, context.today).rechecks
    return written_date(rechecks[0].on, state.language) if rechecks else None


def _held_options(asking: Asking) -> list[tuple[str, Text]]:
    held = asking.state.held
    if held is None or held.reason == "contact":
        return [("keep", Text(m.KEEP_IT)), ("change", Text(m.CHANGE_IT))]
    from dialogs.commands import COMMANDS_BY_WORD  # the commands table imports these declarations

    command = COMMANDS_BY_WORD[held.command or "back"]
    return [("command", Text(command.label)), ("keep", Text(m.IT_IS_MY_ANSWER))]


# -- the moves after an approach's last question --------------------------------------------------

AFTER_APPROACH = (
    Go(Step.REVIEW, when=("editing",)),
    Go(Step.CHECKLIST, when=("annual", "more_approaches"), before="next_approach"),
    Go(Step.SCORE, when=("activity", "more_approaches"), before="next_approach"),
    Go(Step.RESTORATIVE_OFFER, when=("annual", "has_restorative")),
    Go(Step.REVIEW),
)
EDITING = Go(Step.REVIEW, when=("editing",))

_DECLARED = (
    Declared(
        Step.CHOOSE_LANGUAGE,
        _choose_language,
        OneOf(_languages),
        action="choose_language",
        goes=(Go(Step.CHOOSE_SCOPE),),
    ),
    Declared(
        Step.CHOOSE_SCOPE,
        _choose_scope,
        OneOf(_fixed((Scope.ANNUAL, m.SCOPE_ANNUAL), (Scope.ACTIVITY, m.SCOPE_ACTIVITY))),
        action="choose_scope",
        goes=(Go(Step.CHOOSE_LEVEL, when=("annual",)), Go(Step.ORGANISATION)),
    ),
    Declared(
        Step.CHOOSE_LEVEL,
        _say(m.CHOOSE_LEVEL),
        OneOf(
            _fixed(
                ("organisation", m.LEVEL_ORGANISATION),
                ("directorate", m.LEVEL_DIRECTORATE),
                ("team", m.LEVEL_TEAM),
            )
        ),
        stores=AnswerField("level"),
        carries=True,
        goes=(Go(Step.ORGANISATION),),
    ),
    Declared(
        Step.ORGANISATION,
        _organisation,
        TypedOrPicked(_known_names),
        action="organisation",
        stores=AnswerField("organisation"),
        checks=True,
        carries=True,
        arrive="organisations",
        goes=(
            Go(Step.ACTIVITY_NAME, when=("activity",)),
            Go(Step.UNIT_NAME, when=("needs_unit",)),
            Go(Step.CHECKLIST, before="first_approach"),
        ),
    ),
    Declared(
        Step.UNIT_NAME,
        _unit,
        Typed(),
        stores=AnswerField("unit"),
        skippable=True,
        checks=True,
        carries=True,
        goes=(Go(Step.CHECKLIST, before="first_approach"),),
    ),
    Declared(
        Step.ACTIVITY_NAME,
        _say(m.ASK_ACTIVITY),
        Typed(),
        stores=AnswerField("activity"),
        skippable=True,
        checks=True,
        goes=(Go(Step.PICK_APPROACHES),),
    ),
    Declared(
        Step.PICK_APPROACHES,
        _say(m.PICK_APPROACHES),
        SomeOf(_approaches, at_least_one=True),
        stores=AnswerField("approaches"),
        goes=(Go(Step.SCORE, before="first_approach"),),
    ),
    Declared(
        Step.CHECKLIST,
        _checklist,
        OneOf(_checklist_answers),
        stores=ChecklistStore(),
        skippable=True,
        in_approach=True,
        carries=True,
        change=m.FIELD_CHECKLIST,
        change_scopes=ANNUAL,
        goes=(
            Go(Step.CHECKLIST, when=("more_questions",), before="next_question"),
            EDITING,
            Go(Step.SCORE),
        ),
    ),
    Declared(
        Step.SCORE,
        _score,
        OneOf(_scale, suggest=_suggested_score),
        stores=ApproachField("score"),
        action="score",
        arrive="suggestion",
        skippable=True,
        in_approach=True,
        change=m.FIELD_SCORE,
        goes=(EDITING, Go(Step.CONFIDENCE, when=("annual",)), Go(Step.STORY)),
    ),
    Declared(
        Step.CONFIDENCE,
        _say(m.ASK_CONFIDENCE),
        OneOf(_options("confidence")),
        stores=ApproachField("confidence"),
        skippable=True,
        in_approach=True,
        carries=True,
        change=m.FIELD_CONFIDENCE,
        change_scopes=ANNUAL,
        goes=(EDITING, Go(Step.REFLECTION)),
    ),
    Declared(
        Step.REFLECTION,
        _say(m.ASK_REFLECTION),
        Typed(),
        stores=ApproachField("reflection"),
        skippable=True,
        in_approach=True,
        checks=True,
        english=True,
        change=m.FIELD_REFLECTION,
        change_scopes=ANNUAL,
        goes=(EDITING, Go(Step.EVIDENCE, when=("has_evidence",)), Go(Step.STORY)),
    ),
    Declared(
        Step.EVIDENCE,
        _say(m.ASK_EVIDENCE),
        SomeOf(_options("evidence"), typed_other=ApproachField("evidence_other")),
        stores=ApproachField("evidence"),
        skippable=True,
        in_approach=True,
        change=m.FIELD_EVIDENCE,
        change_scopes=ANNUAL,
        goes=(Go(Step.EVIDENCE_OTHER, when=("wants_evidence_other",)), EDITING, Go(Step.STORY)),
    ),
    Declared(
        Step.EVIDENCE_OTHER,
        _say(m.ASK_EVIDENCE_OTHER),
        Typed(),
        stores=ApproachField("evidence_other"),
        skippable=True,
        in_approach=True,
        checks=True,
        goes=(EDITING, Go(Step.STORY)),
    ),
    Declared(
        Step.STORY,
        _named(m.ASK_STORY),
        Typed(),
        stores=ApproachField("story"),
        skippable=True,
        in_approach=True,
        checks=True,
        english=True,
        change=m.FIELD_STORY,
        goes=(EDITING, Go(Step.SUPPORT)),
    ),
    Declared(
        Step.SUPPORT,
        _say(m.ASK_SUPPORT),
        SomeOf(_options("support"), typed_other=ApproachField("support_other")),
        stores=ApproachField("support"),
        skippable=True,
        in_approach=True,
        change=m.FIELD_SUPPORT,
        goes=(
            Go(Step.SUPPORT_OTHER, when=("wants_other",)),
            EDITING,
            Go(Step.ACTION, when=("asks_action",)),
            *AFTER_APPROACH,
        ),
    ),
    Declared(
        Step.SUPPORT_OTHER,
        _say(m.ASK_SUPPORT_OTHER),
        Typed(),
        stores=ApproachField("support_other"),
        skippable=True,
        in_approach=True,
        checks=True,
        english=True,
        goes=(EDITING, Go(Step.ACTION, when=("asks_action",)), *AFTER_APPROACH),
    ),
    Declared(
        Step.ACTION,
        _named(m.ASK_ACTION),
        Typed(),
        stores=ApproachField("action"),
        skippable=True,
        in_approach=True,
        checks=True,
        english=True,
        change=m.FIELD_ACTION,
        goes=(Go(Step.ACTION_OWNER, when=("has_action",)), *AFTER_APPROACH),
    ),
    Declared(
        Step.ACTION_OWNER,
        _say(m.ASK_ACTION_OWNER),
        Typed(),
        stores=ApproachField("action_owner"),
        skippable=True,
        in_approach=True,
        checks=True,
        goes=(Go(Step.ACTION_DUE),),
    ),
    Declared(
        Step.ACTION_DUE,
        _say(m.ASK_ACTION_DUE),
        TypedOrPicked(_options("due")),
        stores=ApproachField("action_due"),
        skippable=True,
        in_approach=True,
        goes=AFTER_APPROACH,
    ),
    Declared(
        Step.RESTORATIVE_OFFER,
        _restorative_offer,
        OneOf(_fixed(("yes", m.RESTORATIVE_YES), ("no", m.RESTORATIVE_NO))),
        action="restorative_offer",
        skippable=True,  # skipping it is saying no
        goes=(
            Go(Step.RESTORATIVE, before="first_question", trigger="restorative"),
            Go(Step.REVIEW),
        ),
    ),
    Declared(
        Step.RESTORATIVE,
        _restorative,
        OneOf(_checklist_answers),
        stores=RestorativeStore(),
        skippable=True,
        carries=True,
        goes=(Go(Step.RESTORATIVE, when=("more_restorative",), before="next_question"), Go(Step.REVIEW)),
    ),
    Declared(
        Step.REVIEW,
        lambda asking: [Text(m.REVIEW)],  # the review lines themselves: dialogs/prompts.py
        OneOf(_fixed(("ok", m.LOOKS_RIGHT), ("change", m.CHANGE_SOMETHING))),
        action="review",
        goes=(Go(Step.CONSENT), Go(Step.EDIT_APPROACH, trigger="change")),
    ),
    Declared(
        Step.EDIT_APPROACH,
        _say(m.EDIT_WHICH_APPROACH),
        OneOf(_picked_approaches),
        action="edit_approach",
        goes=(Go(Step.EDIT_FIELD),),
    ),
    Declared(
        Step.EDIT_FIELD,
        _edit_field,
        OneOf(_change_fields),
        action="edit_field",
        in_approach=True,
    ),
    Declared(
        Step.CONSENT,
        _consent,
        OneOf(_destinations),
        action="consent",
        arrive="plan",
        goes=(Go(Step.FINISHED),),
    ),
    Declared(
        Step.FINISHED,
        _finished,
        OneOf(_finished_options),
        action="finished",
        goes=(Go(Step.CONSENT, trigger="reconsider"),),
    ),
    Declared(Step.PAUSED, _paused),
    Declared(
        Step.CONFIRM_DELETE,
        _say(m.CONFIRM_DELETE),
        OneOf(_fixed(("yes", m.DELETE_YES), ("no", m.DELETE_NO))),
        action="confirm_delete",
        goes=(Go(Step.DELETED),),
    ),
    Declared(Step.DELETED, _say(m.ALREADY_DELETED)),
    Declared(
        Step.IN_ENGLISH,
        _say(m.ASK_IN_ENGLISH),
        Typed(),
        action="in_english",
        skippable=True,
        side=True,
    ),
    Declared(Step.CHECK_TYPED, _check_typed, OneOf(_held_options), action="check_typed", side=True),
)

STEPS: dict[str, Declared] = {d.step.value: d for d in _DECLARED}
assert set(STEPS) == {s.value for s in Step}, "every step is declared exactly once"  # noqa: S101


def declared(step: str) -> Declared:
    return STEPS[step]


def paused_line(code: str, days: int) -> Text:
    return counted(m.PAUSED, days, code=Text(code, verbatim=True))
