"""The conversation engine: ``handle(state, event, context) -> Outcome``.

Pure: it reads the stored state and one input and returns the new state, the replies and the
effects (issue a resume code, submit, erase) for the caller to carry out in the same transaction.
It never changes the state it was given, does no I/O and keeps nothing between turns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dialogs import messages as m
from dialogs.content import Content
from dialogs.events import (
    COMMANDS,
    Command,
    Complete,
    Context,
    Effect,
    Erase,
    Event,
    EventKind,
    Ids,
    IssueResumeCode,
    Outcome,
    Submit,
    clean_text,
)
from dialogs.flow import APPROACH_STEPS, FREE_TEXT_STEPS, SKIPPABLE_STEPS, Step, build_machine
from dialogs.i18n import Text, counted, render
from dialogs.plan import build_plan, plan_lines
from dialogs.prompts import DONE_ID, Prompter, edit_fields, review_lines
from dialogs.replies import Document, Reply
from dialogs.state import Answers, ApproachAnswers, ConversationState, Note, Position, Scope, Status

__all__ = ["MAX_TEXT", "Engine"]

MAX_TEXT = 4000
MULTI_STEPS = frozenset({Step.PICK_APPROACHES, Step.SUPPORT})
POSITIONED_STEPS = APPROACH_STEPS | {Step.EDIT_FIELD}  # steps whose position names an approach


class _Rejected(Exception):
    """The input does not answer the question: say why, then ask again."""

    def __init__(self, *lines: Text) -> None:
        self.lines = lines


@dataclass
class _Turn:
    """The working copy for one turn: the state plus what to say and do."""

    state: ConversationState
    context: Context
    lines: list[Text] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    extra: list[Reply] = field(default_factory=list)
    moved: bool = False  # arrived at a new step this turn: introduce it, not just ask again


class _Cursor:
    """The model the shared machine moves: conditions and cursor moves read the turn's state."""

    state: str

    def __init__(self, content: Content) -> None:
        self.content = content
        self.s = ConversationState(Position(Step.CHOOSE_LANGUAGE))

    def annual(self) -> bool:
        return self.s.answers.scope == Scope.ANNUAL

    def activity(self) -> bool:
        return self.s.answers.scope == Scope.ACTIVITY

    def needs_unit(self) -> bool:
        return self.s.answers.level in {"directorate", "team"}

    def editing(self) -> bool:
        return self.s.editing

    def more_questions(self) -> bool:
        approach = self.content.approach(self.s.answers.approaches[self.s.position.approach])
        return self.s.position.question + 1 < len(approach.questions)

    def more_approaches(self) -> bool:
        return self.s.position.approach + 1 < len(self.s.answers.approaches)

    def wants_other(self) -> bool:
        approach_id = self.s.answers.approaches[self.s.position.approach]
        given = self.s.answers.approach(approach_id)
        return "other" in given.support and not given.support_other

    def first_approach(self) -> None:
        self.s.position = replace(self.s.position, approach=0, question=0)

    def next_question(self) -> None:
        self.s.position = replace(self.s.position, question=self.s.position.question + 1)

    def next_approach(self) -> None:
        self.s.position = replace(self.s.position, approach=self.s.position.approach + 1, question=0)


class Engine:
    """One engine per process, sharing one state machine across all conversations."""

    def __init__(self, content: Content, ids: Ids, max_text: int = MAX_TEXT) -> None:
        self.content = content
        self.ids = ids
        self.max_text = max_text
        self.prompter = Prompter(content)
        self._machine = build_machine()
        self._cursor = _Cursor(content)
        self._machine.add_model(self._cursor)
        self._lock = threading.Lock()  # the cursor is shared: one move at a time
        self._steps: dict[str, Callable[[_Turn, Event], None]] = {
            Step.CHOOSE_LANGUAGE: self._choose_language,
            Step.CHOOSE_SCOPE: self._choose_scope,
            Step.CHOOSE_LEVEL: self._choose_level,
            Step.ORGANISATION: self._organisation,
            Step.UNIT_NAME: self._text_field("unit"),
            Step.ACTIVITY_NAME: self._text_field("activity"),
            Step.PICK_APPROACHES: self._toggle,
            Step.CHECKLIST: self._checklist,
            Step.SCORE: self._score,
            Step.CONFIDENCE: self._confidence,
            Step.STORY: self._approach_text("story"),
            Step.SUPPORT: self._toggle,
            Step.SUPPORT_OTHER: self._approach_text("support_other"),
            Step.ACTION: self._approach_text("action"),
            Step.REVIEW: self._review,
            Step.EDIT_APPROACH: self._edit_approach,
            Step.EDIT_FIELD: self._edit_field,
            Step.CONSENT: self._consent,
            Step.FINISHED: self._finished,
            Step.CONFIRM_DELETE: self._confirm_delete,
        }

    # -- entry points ---------------------------------------------------------------------------

    def start(self, context: Context, language: str | None = None) -> Outcome:
        """A new conversation, in ``language`` when the person's device or link suggests one."""
        first = Step.CHOOSE_LANGUAGE if len(context.languages) > 1 else Step.CHOOSE_SCOPE
        chosen = language if language in context.languages else context.languages[0]
        state = ConversationState(Position(first), language=chosen, content_version=self.content.version)
        return self._finish(_Turn(state, context, moved=True))

    def handle(self, state: ConversationState, event: Event, context: Context) -> Outcome:
        turn = _Turn(state.copy(), context)
        if event.kind is EventKind.START:
            return self.start(context, state.language)
        if turn.state.status == Status.DELETED:
            return Outcome(turn.state, (Reply((Text(m.ALREADY_DELETED),), step=Step.DELETED),))
        if event.kind is EventKind.RESUME:
            self._resume(turn)
            return self._finish(turn)
        event = Event(event.kind, clean_text(event.value))
        if len(event.value) > self.max_text:
            turn.lines.append(Text(m.TOO_LONG, {"limit": f"{self.max_text:,}"}))
            return self._finish(turn)
        word = _command_word(event)
        resumed = turn.state.position.step == Step.PAUSED and word != Command.DELETE
        if resumed:
            self._resume(turn)  # whatever was sent, first show where they were
        if word is None:
            if not resumed:
                self._answer(turn, event)
        elif word in COMMANDS:
            if not (resumed and word == Command.BACK):
                self._run_command(turn, Command(word))
        else:
            turn.lines += [Text(m.NOT_UNDERSTOOD_COMMAND), Text(m.HELP_GENERAL)]
        return self._finish(turn)

    def choice_label(self, state: ConversationState, choice_id: str, context: Context) -> str | None:
        """The label the person saw on the choice they tapped, for the transcript."""
        for choice in self.prompter.prompt(state, context).choices:
            if choice.id == choice_id:
                return render(choice.label, context.translator)
        return None

    # -- turn plumbing --------------------------------------------------------------------------

    def _finish(self, turn: _Turn) -> Outcome:
        replies = list(turn.extra)
        prompt = self.prompter.prompt(turn.state, turn.context)
        intro = self.prompter.intro(turn.state) if turn.moved else []
        if turn.lines or intro:
            prompt = replace(prompt, lines=(*turn.lines, *intro, *prompt.lines))
        if turn.state.position.step != Step.PAUSED or not turn.extra:
            replies.append(prompt)
        return Outcome(turn.state, tuple(replies), tuple(turn.effects))

    def _answer(self, turn: _Turn, event: Event) -> None:
        step = turn.state.position.step
        if not event.value:
            turn.lines.append(Text(m.EMPTY_TEXT if step in FREE_TEXT_STEPS else m.HELP_CHOICE))
            return
        try:
            self._steps[step](turn, event)
        except _Rejected as rejected:
            if event.kind is EventKind.TEXT and step not in FREE_TEXT_STEPS:
                turn.state.answers.notes.append(Note(step, event.value))
            turn.lines.extend(rejected.lines)

    def _fire(self, turn: _Turn, trigger: str) -> None:
        """Move along the flow table, remembering where we were for "back"."""
        before = turn.state.position
        with self._lock:
            cursor = self._cursor
            cursor.s = turn.state
            self._machine.set_state(str(before.step), model=cursor)
            getattr(cursor, trigger)()
            turn.state.position = replace(turn.state.position, step=str(cursor.state))
        turn.state.history.append(before)
        self._arrive(turn)
        turn.moved = True

    def _go(self, turn: _Turn, position: Position) -> None:
        """Jump to a stored position: the detours of ``flow.DETOURS``."""
        turn.state.position = position
        self._arrive(turn)
        turn.moved = True

    def _arrive(self, turn: _Turn) -> None:
        """Prepare the step just reached: toggles start from saved answers, scores get a suggestion."""
        state = turn.state
        step = state.position.step
        state.pending = []
        if step != Step.CHECKLIST and state.position.question:
            state.position = replace(state.position, question=0)  # only checklist steps use it
        if step == Step.PICK_APPROACHES and state.answers.scope == Scope.ACTIVITY:
            state.pending = list(state.answers.approaches)
        elif step == Step.SUPPORT:
            state.pending = list(self._given(state).support)
        elif step == Step.ORGANISATION:
            state.pending = list(turn.context.organisations[:8])
        elif step == Step.SCORE:
            given = self._given(state)
            given.suggested_score = self.suggest_score(
                self.prompter.current_approach(state).id, given.checklist
            )
        elif step == Step.CONSENT:
            self._offer_plan(turn)

    def _given(self, state: ConversationState) -> ApproachAnswers:
        return state.answers.approach(state.answers.approaches[state.position.approach])

    # -- commands -------------------------------------------------------------------------------

    def _run_command(self, turn: _Turn, command: Command) -> None:
        state = turn.state
        if state.position.step == Step.CONFIRM_DELETE and command not in {Command.DELETE, Command.HELP}:
            self._go(turn, state.return_to or Position(Step.CHOOSE_SCOPE))  # any other command: keep it
            state.return_to = None
            turn.lines.append(Text(m.KEEP_GOING))
            if command is Command.BACK:
                return
        handlers: dict[Command, Callable[[_Turn], None]] = {
            Command.BACK: self._back,
            Command.SKIP: self._skip,
            Command.HELP: self._help,
            Command.PAUSE: self._pause,
            Command.SUMMARY: self._summary,
            Command.LANGUAGE: self._language,
            Command.DELETE: self._delete,
        }
        handlers[command](turn)

    def _back(self, turn: _Turn) -> None:
        history = turn.state.history
        while history and not self._valid(turn.state, history[-1]):
            history.pop()  # left over from an earlier path, such as fewer activities picked since
        if not history:
            turn.lines.append(Text(m.AT_START))
            return
        turn.state.editing = False
        self._go(turn, history.pop())

    def _valid(self, state: ConversationState, position: Position) -> bool:
        if position.step not in POSITIONED_STEPS:
            return True
        if position.approach >= len(state.answers.approaches):
            return False
        approach = self.content.approach(state.answers.approaches[position.approach])
        return position.step != Step.CHECKLIST or position.question < len(approach.questions)

    def _skip(self, turn: _Turn) -> None:
        if turn.state.position.step not in SKIPPABLE_STEPS:
            turn.lines.append(Text(m.CANNOT_SKIP))
            return
        if turn.state.position.step == Step.SUPPORT:
            self._given(turn.state).support = list(turn.state.pending)
        self._fire(turn, "proceed")

    def _help(self, turn: _Turn) -> None:
        step = turn.state.position.step
        if step == Step.SCORE:
            turn.lines.append(Text(m.HELP_SCORE))
        elif step in MULTI_STEPS:
            turn.lines.append(Text(m.HELP_MULTI))
        elif step in FREE_TEXT_STEPS:
            turn.lines.append(Text(m.HELP_TEXT))
        else:
            turn.lines.append(Text(m.HELP_TAP if turn.context.tap_choices else m.HELP_CHOICE))
        turn.lines.append(Text(m.HELP_GENERAL))

    def _pause(self, turn: _Turn) -> None:
        code = self.ids.resume_code()
        turn.effects.append(IssueResumeCode(code))
        state = turn.state
        if state.position.step not in {Step.PAUSED, Step.FINISHED}:
            state.return_to = state.position
            state.position = Position(Step.PAUSED)
        days = turn.context.resume_days
        paused = counted(m.PAUSED, days, code=Text(code, verbatim=True))
        turn.extra.append(Reply((paused,), step=Step.PAUSED))

    def _resume(self, turn: _Turn) -> None:
        state = turn.state
        if state.position.step == Step.PAUSED:
            self._go(turn, state.return_to or Position(Step.CHOOSE_SCOPE))
            state.return_to = None
        turn.lines.append(Text(m.WELCOME_BACK))

    def _summary(self, turn: _Turn) -> None:
        lines = review_lines(turn.state, self.content)
        if not lines:
            turn.extra.append(Reply((Text(m.SUMMARY_EMPTY),), step="summary"))
            return
        scored = sum(1 for a in turn.state.answers.by_approach.values() if a.score is not None)
        count = counted(m.SCORED_COUNT, scored)
        turn.extra.append(Reply((Text(m.SUMMARY), count, *lines), step="summary"))

    def _language(self, turn: _Turn) -> None:
        if turn.state.position.step != Step.CHOOSE_LANGUAGE:
            turn.state.return_to = turn.state.position
        self._go(turn, Position(Step.CHOOSE_LANGUAGE))

    def _delete(self, turn: _Turn) -> None:
        if turn.state.position.step != Step.CONFIRM_DELETE:
            turn.state.return_to = turn.state.position
        self._go(turn, Position(Step.CONFIRM_DELETE))

    # -- matching answers -----------------------------------------------------------------------

    def _pick(self, turn: _Turn, event: Event) -> str:
        """The id of the answer choice the person picked or typed (by label or number)."""
        reply = self.prompter.prompt(turn.state, turn.context)
        choices = reply.answer_choices
        value = event.value.strip()
        by_id = {c.id: c.id for c in choices}
        if event.kind is EventKind.CHOICE and value in by_id:
            return value
        wanted = _fold(value)
        for number, choice in enumerate(choices, start=1):
            labels = {choice.id, render(choice.label, turn.context.translator), choice.label.msgid}
            if wanted == str(number) or wanted in {_fold(label) for label in labels}:
                return choice.id
        raise _Rejected(Text(m.NOT_UNDERSTOOD_CHOICE))

    # -- the steps ------------------------------------------------------------------------------

    def _choose_language(self, turn: _Turn, event: Event) -> None:
        turn.state.language = self._pick(turn, event)
        if turn.state.return_to is not None:
            self._go(turn, turn.state.return_to)
            turn.state.return_to = None
            turn.lines.append(Text(m.LANGUAGE_CHANGED))
        else:
            self._fire(turn, "proceed")

    def _choose_scope(self, turn: _Turn, event: Event) -> None:
        scope = self._pick(turn, event)
        answers = turn.state.answers
        if scope != answers.scope:
            answers.scope = scope
            answers.approaches = [a.id for a in self.content.approaches] if scope == Scope.ANNUAL else []
        self._fire(turn, "proceed")

    def _choose_level(self, turn: _Turn, event: Event) -> None:
        turn.state.answers.level = self._pick(turn, event)
        self._fire(turn, "proceed")

    def _organisation(self, turn: _Turn, event: Event) -> None:
        known = {f"org{i}": name for i, name in enumerate(turn.state.pending)}
        if event.kind is EventKind.CHOICE and event.value in known:
            turn.state.answers.organisation = known[event.value]
        elif event.kind is EventKind.CHOICE:
            raise _Rejected(Text(m.HELP_TEXT))
        else:
            turn.state.answers.organisation = event.value
        self._fire(turn, "proceed")

    def _text_field(self, name: str) -> Callable[[_Turn, Event], None]:
        def accept(turn: _Turn, event: Event) -> None:
            if event.kind is EventKind.CHOICE:
                raise _Rejected(Text(m.HELP_TEXT))
            setattr(turn.state.answers, name, event.value)
            self._fire(turn, "proceed")

        return accept

    def _approach_text(self, name: str) -> Callable[[_Turn, Event], None]:
        def accept(turn: _Turn, event: Event) -> None:
            if event.kind is EventKind.CHOICE:
                raise _Rejected(Text(m.HELP_TEXT))
            setattr(self._given(turn.state), name, event.value)
            self._fire(turn, "proceed")

        return accept

    def _toggle(self, turn: _Turn, event: Event) -> None:
        state = turn.state
        try:
            picked = self._pick(turn, event)
        except _Rejected:
            if state.position.step != Step.SUPPORT or event.kind is not EventKind.TEXT:
                raise
            self._given(state).support_other = event.value
            picked = "other" if "other" not in state.pending else ""
            turn.lines.append(Text(m.SAVED_OTHER))
        if picked == DONE_ID:
            self._done_toggling(turn)
        elif picked:
            state.pending = (
                [p for p in state.pending if p != picked]
                if picked in state.pending
                else [*state.pending, picked]
            )

    def _done_toggling(self, turn: _Turn) -> None:
        state = turn.state
        if state.position.step == Step.PICK_APPROACHES:
            if not state.pending:
                raise _Rejected(Text(m.NEED_ONE))
            order = [a.id for a in self.content.approaches]
            state.answers.approaches = sorted(state.pending, key=order.index)
        else:
            self._given(state).support = sorted(state.pending, key=[o.id for o in self.content.support].index)
        self._fire(turn, "proceed")

    def _checklist(self, turn: _Turn, event: Event) -> None:
        approach = self.prompter.current_approach(turn.state)
        question = approach.questions[turn.state.position.question]
        self._given(turn.state).checklist[question.id] = self._pick(turn, event)
        self._fire(turn, "proceed")

    def _score(self, turn: _Turn, event: Event) -> None:
        self._given(turn.state).score = int(self._pick(turn, event))
        self._fire(turn, "proceed")

    def _confidence(self, turn: _Turn, event: Event) -> None:
        self._given(turn.state).confidence = self._pick(turn, event)
        self._fire(turn, "proceed")

    def _review(self, turn: _Turn, event: Event) -> None:
        self._fire(turn, "proceed" if self._pick(turn, event) == "ok" else "change")

    def _edit_approach(self, turn: _Turn, event: Event) -> None:
        index = turn.state.answers.approaches.index(self._pick(turn, event))
        turn.state.position = replace(turn.state.position, approach=index, question=0)
        self._fire(turn, "proceed")

    def _edit_field(self, turn: _Turn, event: Event) -> None:
        step = self._pick(turn, event)
        assert step in {s for s, _ in edit_fields(turn.state)}  # noqa: S101 - _pick only returns offered ids
        turn.state.history.append(turn.state.position)
        turn.state.editing = True
        self._go(turn, replace(turn.state.position, step=step, question=0))

    def _offer_plan(self, turn: _Turn) -> None:
        state = turn.state
        state.editing = False
        if state.status == Status.DRAFT:
            state.status = Status.COMPLETED
            turn.effects.append(Complete())
        plan = build_plan(state, self.content)
        document = Document("plan", Text(m.PLAN_TITLE), plan)
        turn.extra.append(Reply((Text(m.PLAN_READY), *plan_lines(plan)), document=document, step="plan"))

    def _consent(self, turn: _Turn, event: Event) -> None:
        if self._pick(turn, event) == "yes":
            reference = self.ids.reference()
            turn.state.answers.reference = reference
            turn.state.status = Status.SUBMITTED
            turn.effects.append(Submit(reference))
            turn.lines.append(Text(m.SUBMITTED, {"reference": Text(reference, verbatim=True)}))
        else:
            turn.lines.append(Text(m.KEPT_DRAFT))
        self._fire(turn, "proceed")
        if turn.state.status == Status.SUBMITTED:
            turn.state.history.clear()  # what the board received cannot be walked back into and changed

    def _finished(self, turn: _Turn, event: Event) -> None:
        if self._pick(turn, event) == "send":
            self._fire(turn, "reconsider")

    def _confirm_delete(self, turn: _Turn, event: Event) -> None:
        state = turn.state
        if self._pick(turn, event) == "yes":
            state.answers = Answers()
            state.history, state.return_to, state.pending = [], None, []
            state.status = Status.DELETED
            state.position = Position(Step.DELETED)
            turn.effects.append(Erase())
            turn.extra.append(Reply((Text(m.DELETED),), step=Step.DELETED))
            return
        self._go(turn, state.return_to or Position(Step.CHOOSE_SCOPE))
        state.return_to = None
        turn.lines.append(Text(m.KEEP_GOING))

    # -- scoring --------------------------------------------------------------------------------

    def suggest_score(self, approach_id: str, checklist: dict[str, str]) -> int | None:
        """1 to 5 from the share of "yes" (and half of "partly"); "not sure" does not count."""
        weights = {a.id: a.weight for a in self.content.checklist_answers}
        counted = [weights[answer] for answer in checklist.values() if weights.get(answer) is not None]
        if not counted:
            return None
        share = sum(w for w in counted if w is not None) / len(counted)
        return 1 + int(share * 4 + 0.5)


def _command_word(event: Event) -> str | None:
    """The command in "/back" (or "/back@bot"), or a bare command word typed or tapped on its own."""
    value = event.value.strip().lower()
    if value.startswith("/") and len(value) > 1:
        return value[1:].split(maxsplit=1)[0].split("@", 1)[0]
    return value if value in COMMANDS else None


def _fold(value: str) -> str:
    return " ".join(value.casefold().strip(" .!?").split())
