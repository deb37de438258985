"""Kinds of question, and where answers are stored: the parts a step declaration is made of.

A kind knows how to offer its answers (as choices) and how to read one from what the person tapped
or typed; a store knows where in the answers a step's value lives. A new kind of question is one
class here; a new step is one declaration in dialogs/steps.py plus its words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dialogs import messages as m
from dialogs.content import Approach, Content, Question
from dialogs.events import Context, Event, EventKind
from dialogs.i18n import Text, render
from dialogs.replies import Choice, ChoiceKind
from dialogs.state import ApproachAnswers, ConversationState, Scope
from dialogs.words import fold, number, words

__all__ = [
    "DONE_ID",
    "SAME_ID",
    "STAY",
    "AnswerField",
    "ApproachField",
    "Asking",
    "ChecklistStore",
    "Done",
    "Kind",
    "OneOf",
    "Rejected",
    "RestorativeStore",
    "Saved",
    "SomeOf",
    "Store",
    "Typed",
    "TypedOrPicked",
    "answer",
    "pick",
]

DONE_ID = "done"
SAME_ID = "same"  # "still the same as last year"
STAY = object()  # an answer that keeps the conversation at this step (a toggle, say)

# Words people may type for an answer, beside its label and number: each a "|"-separated message.
ANSWER_WORDS = {"yes": m.WORDS_YES, "no": m.WORDS_NO, DONE_ID: m.WORDS_DONE}


class Rejected(Exception):
    """The input does not answer the question: say why, then ask again."""

    def __init__(self, *lines: Text) -> None:
        self.lines = lines


@dataclass(frozen=True, slots=True)
class Asking:
    """One step being asked: this turn's state, context and the content, and what they point at."""

    state: ConversationState
    context: Context
    content: Content

    @property
    def annual(self) -> bool:
        return self.state.answers.scope == Scope.ANNUAL

    @property
    def approach(self) -> Approach:
        return self.content.approach(self.state.answers.approaches[self.state.position.approach])

    @property
    def given(self) -> ApproachAnswers:
        return self.state.answers.approach(self.approach.id)

    @property
    def question(self) -> Question:
        return self.approach.questions[self.state.position.question]

    @property
    def restorative_prompt(self) -> Question:
        return self.content.restorative_prompts()[self.state.position.question][1]

    @property
    def last_year(self) -> Any:
        """Last year's answers (dialogs.state.Answers), when a return code brought them."""
        return self.state.previous.answers if self.state.previous else None


# -- where answers are stored ----------------------------------------------------------------------


class Store(Protocol):
    def get(self, asking: Asking) -> Any: ...

    def put(self, asking: Asking, value: Any) -> None: ...

    def last_year(self, asking: Asking) -> Any: ...


@dataclass(frozen=True, slots=True)
class AnswerField:
    """A field of the evaluation as a whole: ``answers.<name>``."""

    name: str

    def get(self, asking: Asking) -> Any:
        return getattr(asking.state.answers, self.name)

    def put(self, asking: Asking, value: Any) -> None:
        setattr(asking.state.answers, self.name, value)

    def last_year(self, asking: Asking) -> Any:
        return getattr(asking.last_year, self.name) if asking.last_year else None


@dataclass(frozen=True, slots=True)
class ApproachField:
    """A field of the current approach's answers: ``answers.by_approach[id].<name>``."""

    name: str

    def get(self, asking: Asking) -> Any:
        return getattr(asking.given, self.name)

    def put(self, asking: Asking, value: Any) -> None:
        setattr(asking.given, self.name, value)

    def last_year(self, asking: Asking) -> Any:
        before = asking.last_year.by_approach.get(asking.approach.id) if asking.last_year else None
        return getattr(before, self.name) if before else None


class ChecklistStore:
    """The answer to the checklist question at the current position."""

    def get(self, asking: Asking) -> Any:
        return asking.given.checklist.get(asking.question.id)

    def put(self, asking: Asking, value: Any) -> None:
        asking.given.checklist[asking.question.id] = value

    def last_year(self, asking: Asking) -> Any:
        before = asking.last_year.by_approach.get(asking.approach.id) if asking.last_year else None
        return before.checklist.get(asking.question.id) if before else None


class RestorativeStore:
    """The answer to the restorative checklist prompt at the current position."""

    def get(self, asking: Asking) -> Any:
        return asking.state.answers.restorative.get(asking.restorative_prompt.id)

    def put(self, asking: Asking, value: Any) -> None:
        asking.state.answers.restorative[asking.restorative_prompt.id] = value

    def last_year(self, asking: Asking) -> Any:
        return asking.last_year.restorative.get(asking.restorative_prompt.id) if asking.last_year else None


# -- kinds of question ----------------------------------------------------------------------------

Options = Callable[[Asking], Sequence[tuple[str, Text]]]


def answer(choice_id: str, label: Text, selected: bool | None = None, suggested: bool = False) -> Choice:
    return Choice(choice_id, label, ChoiceKind.ANSWER, selected, suggested)


def pick(asking: Asking, event: Event, choices: Sequence[Choice]) -> str:
    """The id of the answer choice tapped, or typed by its number (in any script), label or word."""
    offered = [c for c in choices if c.kind is ChoiceKind.ANSWER]
    if event.kind is EventKind.CHOICE:
        if event.value in {c.id for c in offered}:
            return event.value
        raise Rejected(Text(m.NOT_UNDERSTOOD_CHOICE))
    typed = fold(event.value)
    chosen = number(event.value)
    translator = asking.context.translator
    for position, choice in enumerate(offered, start=1):
        labels = {choice.id, choice.label.msgid, render(choice.label, translator)}
        if chosen == position or typed in {fold(label) for label in labels}:
            return choice.id
        said = ANSWER_WORDS.get(choice.id)
        if said and typed in words(said, translator):
            return choice.id
    raise Rejected(Text(m.NOT_UNDERSTOOD_CHOICE))


class Kind:
    """A kind of question. ``free_text``: the person may type; ``multiple``: toggles and Done."""

    free_text = False
    multiple = False

    def choices(self, asking: Asking) -> list[Choice]:
        return []

    def read(self, asking: Asking, event: Event) -> Any:
        raise NotImplementedError

    def arrive(self, asking: Asking, store: Store | None) -> None:
        """Get ready to ask: start toggles from what was saved, work out a suggestion."""


class Typed(Kind):
    """Free text, in the person's own words."""

    free_text = True

    def read(self, asking: Asking, event: Event) -> Any:
        if event.kind is EventKind.CHOICE:
            raise Rejected(Text(m.HELP_TEXT))
        return event.value


@dataclass(frozen=True, slots=True)
class OneOf(Kind):
    """One answer from a list."""

    options: Options
    suggest: Callable[[Asking], str | None] | None = None  # the answer to mark as suggested

    def choices(self, asking: Asking) -> list[Choice]:
        chosen = self.suggest(asking) if self.suggest else None
        return [answer(i, label, suggested=i == chosen) for i, label in self.options(asking)]

    def read(self, asking: Asking, event: Event) -> Any:
        return pick(asking, event, self.choices(asking))


@dataclass(frozen=True, slots=True)
class TypedOrPicked(Kind):
    """Choose one of the answers, or type your own (a date, a name that is not listed)."""

    options: Options
    free_text = True

    def choices(self, asking: Asking) -> list[Choice]:
        return [answer(i, label) for i, label in self.options(asking)]

    def read(self, asking: Asking, event: Event) -> Any:
        try:
            return pick(asking, event, self.choices(asking))
        except Rejected:
            if event.kind is EventKind.CHOICE:
                raise
            return event.value


@dataclass(frozen=True, slots=True)
class Done:
    """The toggles chosen when the person chose Done."""

    chosen: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SomeOf(Kind):
    """Several answers, each tapped on or off, then Done. Words typed that match none of them are
    kept as "something else" when ``typed_other`` says where."""

    options: Options
    typed_other: Store | None = None
    at_least_one: bool = False
    multiple = True

    def choices(self, asking: Asking) -> list[Choice]:
        pending = asking.state.pending
        toggles = [answer(i, label, i in pending) for i, label in self.options(asking)]
        return [*toggles, answer(DONE_ID, Text(m.DONE))]

    def arrive(self, asking: Asking, store: Store | None) -> None:
        asking.state.pending = list(store.get(asking) or []) if store else []

    def read(self, asking: Asking, event: Event) -> Any:
        state = asking.state
        try:
            picked = pick(asking, event, self.choices(asking))
        except Rejected:
            if self.typed_other is None or event.kind is not EventKind.TEXT:
                raise
            self.typed_other.put(asking, event.value)
            if "other" not in state.pending:
                state.pending.append("other")
            return Saved()
        if picked == DONE_ID:
            if self.at_least_one and not state.pending:
                raise Rejected(Text(m.NEED_ONE)) from None
            order = [i for i, _ in self.options(asking)]
            return Done(tuple(sorted(state.pending, key=order.index)))
        if picked in state.pending:
            state.pending = [p for p in state.pending if p != picked]
        else:
            state.pending = [*state.pending, picked]
        return STAY


class Saved:
    """Typed words kept as "something else" on a several-answer question: say so, stay."""
