"""The question asked at each step, as replies with their choices."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel import Locale

from dialogs import messages as m
from dialogs.content import Approach, Content
from dialogs.events import Context
from dialogs.flow import APPROACH_STEPS, SKIPPABLE_STEPS, Step
from dialogs.i18n import Text
from dialogs.replies import Choice, ChoiceKind, Reply
from dialogs.state import ConversationState, Scope

__all__ = ["Prompter", "nav_choices", "review_lines"]

DONE_ID = "done"
LEVELS = (
    ("organisation", m.LEVEL_ORGANISATION),
    ("directorate", m.LEVEL_DIRECTORATE),
    ("team", m.LEVEL_TEAM),
)
FIELDS = (
    (Step.CHECKLIST, m.FIELD_CHECKLIST),
    (Step.SCORE, m.FIELD_SCORE),
    (Step.CONFIDENCE, m.FIELD_CONFIDENCE),
    (Step.STORY, m.FIELD_STORY),
    (Step.SUPPORT, m.FIELD_SUPPORT),
    (Step.ACTION, m.FIELD_ACTION),
)
ACTIVITY_FIELDS = (Step.SCORE, Step.STORY, Step.SUPPORT)


def _t(msgid: str, **params: str | int | Text) -> Text:
    return Text(msgid, params)


def _answer(choice_id: str, label: str, selected: bool | None = None) -> Choice:
    return Choice(choice_id, Text(label), ChoiceKind.ANSWER, selected)


def nav_choices(state: ConversationState) -> tuple[Choice, ...]:
    step = state.position.step
    found: list[Choice] = []
    if state.history:
        found.append(Choice("/back", Text(m.BACK), ChoiceKind.NAV))
    if step in SKIPPABLE_STEPS:
        found.append(Choice("/skip", Text(m.SKIP), ChoiceKind.NAV))
    found.append(Choice("/help", Text(m.HELP), ChoiceKind.NAV))
    return tuple(found)


@cache
def language_name(code: str) -> str:
    """The language's name in itself ("Polski"); babel looks it up afresh on every call, so kept."""
    return Locale.parse(code).get_display_name() or code


def edit_fields(state: ConversationState) -> tuple[tuple[Step, str], ...]:
    if state.answers.scope == Scope.ACTIVITY:
        return tuple(f for f in FIELDS if f[0] in ACTIVITY_FIELDS)
    return FIELDS


def _who(state: ConversationState) -> str:
    a = state.answers
    return " / ".join(part for part in (a.organisation, a.unit, a.activity) if part)


def _score_text(value: int | None, content: Content) -> Text:
    if value is None:
        return Text(m.NO_SCORE)
    return _t(m.SCORE_CHOICE, value=value, label=Text(content.scale_level(value).label))


def review_lines(state: ConversationState, content: Content) -> list[Text]:
    """One line per approach answered so far: the summary and the review share it."""
    lines: list[Text] = []
    if _who(state):
        lines.append(_t(m.REVIEW_FOR, who=Text(_who(state), verbatim=True)))
    labels = content.labels()
    for approach_id in state.answers.approaches:
        if approach_id not in state.answers.by_approach:
            continue
        given = state.answers.by_approach[approach_id]
        name = Text(content.approach(approach_id).name)
        story = Text(m.GIVEN if given.story else m.NOT_GIVEN)
        score = _score_text(given.score, content)
        if state.answers.scope == Scope.ACTIVITY:
            lines.append(_t(m.REVIEW_LINE_ACTIVITY, name=name, score=score, story=story))
        else:
            confidence = Text(labels[given.confidence]) if given.confidence else Text(m.NOT_GIVEN)
            action = Text(m.GIVEN if given.action else m.NOT_GIVEN)
            lines.append(
                _t(m.REVIEW_LINE, name=name, score=score, confidence=confidence, story=story, action=action)
            )
        if given.support:
            support = ", ".join(labels[s] for s in given.support if s != "other")
            if given.support_other:
                support = ", ".join(filter(None, [support, given.support_other]))
            lines.append(_t(m.REVIEW_SUPPORT, name=name, support=Text(support, verbatim=True)))
    return lines


class Prompter:
    """Builds the replies that ask the question of the step a conversation has arrived at."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._builders: dict[str, Callable[[ConversationState, Context], Reply]] = {
            Step.CHOOSE_LANGUAGE: self._language,
            Step.CHOOSE_SCOPE: self._scope,
            Step.CHOOSE_LEVEL: self._level,
            Step.ORGANISATION: self._organisation,
            Step.UNIT_NAME: self._unit,
            Step.ACTIVITY_NAME: lambda s, c: self._free(s, m.ASK_ACTIVITY),
            Step.PICK_APPROACHES: self._pick_approaches,
            Step.CHECKLIST: self._checklist,
            Step.SCORE: self._score,
            Step.CONFIDENCE: self._confidence,
            Step.STORY: lambda s, c: self._free(s, m.ASK_STORY, name=self._name(s)),
            Step.SUPPORT: self._support,
            Step.SUPPORT_OTHER: lambda s, c: self._free(s, m.ASK_SUPPORT_OTHER),
            Step.ACTION: lambda s, c: self._free(s, m.ASK_ACTION, name=self._name(s)),
            Step.REVIEW: self._review,
            Step.EDIT_APPROACH: self._edit_approach,
            Step.EDIT_FIELD: self._edit_field,
            Step.CONSENT: self._consent,
            Step.FINISHED: self._finished,
            Step.CONFIRM_DELETE: self._confirm_delete,
            Step.PAUSED: lambda s, c: Reply((Text(m.WELCOME_BACK),), step=Step.PAUSED),
            Step.DELETED: lambda s, c: Reply((Text(m.ALREADY_DELETED),), step=Step.DELETED),
        }

    def prompt(self, state: ConversationState, context: Context) -> Reply:
        return self._builders[state.position.step](state, context)

    def intro(self, state: ConversationState) -> list[Text]:
        """What an approach means, said once on arriving at its first question."""
        step, question = state.position.step, state.position.question
        first = (step == Step.CHECKLIST and question == 0) or (
            step == Step.SCORE and state.answers.scope == Scope.ACTIVITY
        )
        if state.editing or not first:
            return []
        approach = self.current_approach(state)
        return [_t(m.APPROACH_INTRO, name=Text(approach.name)), Text(approach.intro)]

    def current_approach(self, state: ConversationState) -> Approach:
        return self.content.approach(state.answers.approaches[state.position.approach])

    def _name(self, state: ConversationState) -> Text:
        return Text(self.current_approach(state).name)

    def _progress(self, state: ConversationState) -> Text:
        return _t(
            m.PROGRESS,
            number=state.position.approach + 1,
            total=len(state.answers.approaches),
            name=self._name(state),
        )

    def _ask(
        self,
        state: ConversationState,
        lines: list[Text],
        answers: list[Choice],
        *,
        multiple: bool = False,
        free_text: bool = False,
    ) -> Reply:
        in_approach = state.position.step in APPROACH_STEPS
        return Reply(
            tuple(lines),
            tuple(answers) + nav_choices(state),
            progress=self._progress(state) if in_approach else None,
            step=state.position.step,
            multiple=multiple,
            free_text=free_text,
        )

    def _free(self, state: ConversationState, msgid: str, **params: str | int | Text) -> Reply:
        return self._ask(state, [_t(msgid, **params)], [], free_text=True)

    def _language(self, state: ConversationState, context: Context) -> Reply:
        lines = [] if state.return_to else [Text(m.WELCOME), Text(m.NO_NAMES)]
        choices = [Choice(code, Text(language_name(code), verbatim=True)) for code in context.languages]
        return self._ask(state, [*lines, Text(m.CHOOSE_LANGUAGE)], choices)

    def _scope(self, state: ConversationState, context: Context) -> Reply:
        lines = [] if len(context.languages) > 1 else [Text(m.WELCOME), Text(m.NO_NAMES)]
        choices = [_answer(Scope.ANNUAL, m.SCOPE_ANNUAL), _answer(Scope.ACTIVITY, m.SCOPE_ACTIVITY)]
        return self._ask(state, [*lines, Text(m.CHOOSE_SCOPE)], choices)

    def _level(self, state: ConversationState, context: Context) -> Reply:
        return self._ask(state, [Text(m.CHOOSE_LEVEL)], [_answer(i, label) for i, label in LEVELS])

    def _organisation(self, state: ConversationState, context: Context) -> Reply:
        known = [Choice(f"org{i}", Text(name, verbatim=True)) for i, name in enumerate(state.pending)]
        question = m.ASK_ORGANISATION_KNOWN if known else m.ASK_ORGANISATION
        return self._ask(state, [Text(question)], known, free_text=True)

    def _unit(self, state: ConversationState, context: Context) -> Reply:
        question = m.ASK_DIRECTORATE if state.answers.level == "directorate" else m.ASK_TEAM
        return self._ask(state, [Text(question)], [], free_text=True)

    def _toggles(self, state: ConversationState, options: list[tuple[str, str]]) -> list[Choice]:
        toggles = [_answer(i, label, i in state.pending) for i, label in options]
        return [*toggles, _answer(DONE_ID, m.DONE)]

    def _pick_approaches(self, state: ConversationState, context: Context) -> Reply:
        options = [(a.id, a.name) for a in self.content.approaches]
        return self._ask(state, [Text(m.PICK_APPROACHES)], self._toggles(state, options), multiple=True)

    def _checklist(self, state: ConversationState, context: Context) -> Reply:
        approach = self.current_approach(state)
        question = approach.questions[state.position.question]
        given = state.answers.approach(approach.id).checklist.get(question.id)
        lines = [
            _t(
                m.QUESTION,
                number=state.position.question + 1,
                total=len(approach.questions),
                question=Text(question.plain),
            )
        ]
        choices = [
            _answer(a.id, a.label, a.id == given if given else None) for a in self.content.checklist_answers
        ]
        return self._ask(state, lines, choices)

    def _score(self, state: ConversationState, context: Context) -> Reply:
        given = state.answers.approach(self.current_approach(state).id)
        lines = [_t(m.ASK_SCORE, name=self._name(state))]
        if given.suggested_score is not None:
            label = Text(self.content.scale_level(given.suggested_score).label)
            lines.append(_t(m.SUGGEST_SCORE, score=given.suggested_score, label=label))
        choices = [
            Choice(
                str(level.value),
                _t(m.SCORE_CHOICE, value=level.value, label=Text(level.label)),
                suggested=level.value == given.suggested_score,
            )
            for level in self.content.scale
        ]
        return self._ask(state, lines, choices)

    def _confidence(self, state: ConversationState, context: Context) -> Reply:
        choices = [_answer(o.id, o.label) for o in self.content.confidence]
        return self._ask(state, [Text(m.ASK_CONFIDENCE)], choices)

    def _support(self, state: ConversationState, context: Context) -> Reply:
        options = [(o.id, o.label) for o in self.content.support]
        return self._ask(state, [Text(m.ASK_SUPPORT)], self._toggles(state, options), multiple=True)

    def _review(self, state: ConversationState, context: Context) -> Reply:
        choices = [_answer("ok", m.LOOKS_RIGHT), _answer("change", m.CHANGE_SOMETHING)]
        return self._ask(state, [Text(m.REVIEW), *review_lines(state, self.content)], choices)

    def _edit_approach(self, state: ConversationState, context: Context) -> Reply:
        choices = [_answer(i, self.content.approach(i).name) for i in state.answers.approaches]
        return self._ask(state, [Text(m.EDIT_WHICH_APPROACH)], choices)

    def _edit_field(self, state: ConversationState, context: Context) -> Reply:
        choices = [_answer(step, label) for step, label in edit_fields(state)]
        return self._ask(state, [_t(m.EDIT_WHICH_FIELD, name=self._name(state))], choices)

    def _consent(self, state: ConversationState, context: Context) -> Reply:
        choices = [_answer("yes", m.CONSENT_YES), _answer("no", m.CONSENT_NO)]
        return self._ask(state, [Text(m.ASK_CONSENT)], choices)

    def _finished(self, state: ConversationState, context: Context) -> Reply:
        choices = [] if state.answers.reference else [_answer("send", m.SEND_NOW)]
        return Reply((Text(m.FINISHED),), tuple(choices), step=Step.FINISHED)

    def _confirm_delete(self, state: ConversationState, context: Context) -> Reply:
        choices = [_answer("yes", m.DELETE_YES), _answer("no", m.DELETE_NO)]
        return Reply((Text(m.CONFIRM_DELETE),), tuple(choices), step=Step.CONFIRM_DELETE)
