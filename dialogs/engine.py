"""The conversation engine: ``handle(state, event, context) -> Outcome``.

Pure: it reads the stored state and one input and returns the new state, the replies and the
effects (issue a resume code, submit, erase) for the caller to carry out in the same transaction.
It never changes the state it was given, does no I/O and keeps nothing between turns.

What each step asks, stores and where it goes is declared in dialogs/steps.py; the commands in
dialogs/commands.py. This module runs them: read the answer with the step's kind, check typed words,
store the answer or hand it to the step's action, move along the flow.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dialogs import messages as m
from dialogs.commands import COMMAND_TABLE, typed_command
from dialogs.content import Content
from dialogs.events import (
    Command,
    Complete,
    Context,
    Effect,
    Erase,
    Event,
    EventKind,
    Ids,
    IssueResumeCode,
    IssueReturnCode,
    Outcome,
    Remind,
    Submit,
    clean_name,
    clean_text,
)
from dialogs.flow import build_machine
from dialogs.i18n import Text, counted, render
from dialogs.kinds import SAME_ID, STAY, AnswerField, Asking, Done, Rejected, Saved, pick
from dialogs.plan import build_plan, plan_lines, written_date
from dialogs.prompts import Prompter, review_lines
from dialogs.replies import Document, Reply
from dialogs.state import (
    Answers,
    ApproachAnswers,
    ConversationState,
    Held,
    Note,
    Position,
    Previous,
    Scope,
    SentTo,
    Status,
)
from dialogs.steps import SHORT_LIST, STEPS, Declared, Step
from dialogs.words import ascii_digits, fold

__all__ = ["MAX_TEXT", "Engine"]

MAX_TEXT = 4000
# Names are shown on one line everywhere: these steps' answers are cleaned as names.
NAME_FIELDS = frozenset({Step.ORGANISATION, Step.UNIT_NAME, Step.ACTIVITY_NAME, Step.ACTION_OWNER})
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{8,}\d(?![\w])")
MATCHES_SHOWN = 5


def looks_like_contact(text: str) -> bool:
    """An e-mail address, or a phone number (ten digits or more, in any script and layout)."""
    plain = ascii_digits(text)
    if EMAIL.search(plain):
        return True
    return any(sum(ch.isdigit() for ch in found.group()) >= 10 for found in PHONE.finditer(plain))


def _not_english(value: Any) -> bool:
    """Words with letters English does not use (Urdu, Polish, Romanian, ...): worth an English version."""
    return isinstance(value, str) and any(ch.isalpha() and not ch.isascii() for ch in value)


@dataclass
class _Turn:
    """The working copy for one turn: the state plus what to say and do."""

    state: ConversationState
    context: Context
    lines: list[Text] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    extra: list[Reply] = field(default_factory=list)
    moved: bool = False  # arrived at a new step this turn: introduce it, not just ask again
    facts: dict[str, Any] = field(default_factory=dict)  # codes and references for the last reply


class _Cursor:
    """The model the shared machine moves: conditions and cursor moves read the turn's state."""

    state: str

    def __init__(self, content: Content) -> None:
        self.content = content
        self.s = ConversationState(Position(Step.CHOOSE_LANGUAGE))

    def _given(self) -> ApproachAnswers:
        return self.s.answers.approach(self.s.answers.approaches[self.s.position.approach])

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
        given = self._given()
        return "other" in given.support and not given.support_other

    def wants_evidence_other(self) -> bool:
        given = self._given()
        return "other" in given.evidence and not given.evidence_other

    def has_evidence(self) -> bool:
        return bool(self.content.evidence)

    def asks_action(self) -> bool:
        """A yearly check asks an action for each approach; a quick check of one activity asks one,
        after its last approach."""
        return self.annual() or not self.more_approaches()

    def has_action(self) -> bool:
        return bool(self._given().action)

    def has_restorative(self) -> bool:
        return bool(self.content.restorative)

    def more_restorative(self) -> bool:
        return self.s.position.question + 1 < len(self.content.restorative_prompts())

    def first_approach(self) -> None:
        self.s.position = replace(self.s.position, approach=0, question=0)

    def first_question(self) -> None:
        self.s.position = replace(self.s.position, question=0)

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
        self._commands: dict[Command, Callable[[_Turn], None]] = {
            spec.command: getattr(self, f"_{spec.command.value}") for spec in COMMAND_TABLE
        }
        self._actions: dict[str, Callable[[_Turn, Any], None]] = {
            declared.action: getattr(self, f"_act_{declared.action}")
            for declared in STEPS.values()
            if declared.action
        }
        self._arrivals: dict[str, Callable[[_Turn], None]] = {
            declared.arrive: getattr(self, f"_arrive_{declared.arrive}")
            for declared in STEPS.values()
            if declared.arrive
        }

    # -- entry points ---------------------------------------------------------------------------

    def start(
        self, context: Context, language: str | None = None, previous: Previous | None = None
    ) -> Outcome:
        """A new conversation, in ``language`` when the person's device or link suggests one, and
        with last year's answers to offer back when a return code brought them."""
        first = Step.CHOOSE_LANGUAGE if len(context.languages) > 1 else Step.CHOOSE_SCOPE
        chosen = language if language in context.languages else context.languages[0]
        state = ConversationState(
            Position(first), language=chosen, content_version=self.content.version, previous=previous
        )
        return self._finish(_Turn(state, context, moved=True))

    def handle(self, state: ConversationState, event: Event, context: Context) -> Outcome:
        turn = _Turn(state.copy(), context)
        if event.kind is EventKind.START:
            return self.start(context, state.language, state.previous)
        if turn.state.status == Status.DELETED:
            return Outcome(turn.state, (Reply((Text(m.ALREADY_DELETED),), step=Step.DELETED),))
        if event.kind is EventKind.RESUME:
            self._resume(turn)
            return self._finish(turn)
        event = Event(event.kind, clean_text(event.value))
        if len(event.value) > self.max_text:
            turn.lines.append(Text(m.TOO_LONG, {"limit": f"{self.max_text:,}"}))
            return self._finish(turn)
        command, explicit = self._command_in(turn, event)
        resumed = turn.state.position.step == Step.PAUSED and command is not Command.DELETE
        if resumed:
            self._resume(turn)  # whatever was sent, first show where they were
        if command is None and explicit:
            turn.lines += [Text(m.NOT_UNDERSTOOD_COMMAND), Text(m.HELP_GENERAL)]
        elif command is None:
            if not resumed:
                self._answer(turn, event)
        elif not explicit and not resumed and self._typing(turn):
            self._hold(turn, event.value, "command", command)  # "back" typed where words are wanted
        elif not (resumed and command is Command.BACK):
            self._run_command(turn, command)
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
        if turn.facts:
            prompt = replace(prompt, **turn.facts)
        if turn.state.position.step != Step.PAUSED or not turn.extra:
            replies.append(prompt)
        return Outcome(turn.state, tuple(replies), tuple(turn.effects))

    def _asking(self, turn: _Turn) -> Asking:
        return Asking(turn.state, turn.context, self.content)

    def _command_in(self, turn: _Turn, event: Event) -> tuple[Command | None, bool]:
        """The command sent, if any: "/back", a tapped "/back", or a command word typed on its own."""
        if event.kind is EventKind.CHOICE:
            value = event.value
            name = value[1:] if value.startswith("/") else value
            found = next((spec.command for spec in COMMAND_TABLE if spec.command.value == name), None)
            return found, value.startswith("/") or found is not None
        return typed_command(event.value, turn.context.translator)

    def _typing(self, turn: _Turn) -> bool:
        """The step wants words typed (a story, a name), so a lone command word may be the answer."""
        return STEPS[turn.state.position.step].checks

    def _answer(self, turn: _Turn, event: Event) -> None:
        declared = STEPS[turn.state.position.step]
        if declared.kind is None:
            return
        if not event.value:
            turn.lines.append(Text(m.EMPTY_TEXT if declared.kind.free_text else m.HELP_CHOICE))
            return
        try:
            value = self._read(turn, declared, event)
        except Rejected as rejected:
            if event.kind is EventKind.TEXT and not declared.kind.free_text:
                turn.state.answers.notes.append(Note(declared.step, event.value))
            turn.lines.extend(rejected.lines)
            return
        if value is STAY:
            return
        if isinstance(value, Saved):
            turn.lines.append(Text(m.SAVED_OTHER))
            return
        if isinstance(value, str) and event.kind is EventKind.TEXT and declared.step in NAME_FIELDS:
            value = clean_name(value)
        if declared.checks and event.kind is EventKind.TEXT and looks_like_contact(event.value):
            self._hold(turn, value, "contact")
            return
        self._accept(turn, declared, value)

    def _read(self, turn: _Turn, declared: Declared, event: Event) -> Any:
        """The answer in what was sent: "still the same" as last year, or whatever the kind reads."""
        asking = self._asking(turn)
        same = self.prompter.still_the_same(declared, asking)
        if same is not None and declared.stores is not None:
            try:
                if pick(asking, event, [same]) == SAME_ID:
                    return declared.stores.last_year(asking)
            except Rejected:
                pass
        assert declared.kind is not None  # noqa: S101 - only called for steps with a question
        value = declared.kind.read(asking, event)
        return list(value.chosen) if isinstance(value, Done) else value

    def _accept(self, turn: _Turn, declared: Declared, value: Any) -> None:
        """Store the answer (or hand it to the step's action) and move on."""
        if declared.action:
            self._actions[declared.action](turn, value)
            return
        assert declared.stores is not None  # noqa: S101 - a declaration without an action stores
        declared.stores.put(self._asking(turn), value)
        self._fire(turn, "proceed")
        state = turn.state
        if declared.english and state.language != "en" and not state.no_english and _not_english(value):
            self._ask_in_english(turn, declared)

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
        """Prepare the step just reached, as its declaration says."""
        state = turn.state
        declared = STEPS[state.position.step]
        state.pending = []
        if declared.step not in {Step.CHECKLIST, Step.RESTORATIVE} and state.position.question:
            state.position = replace(state.position, question=0)  # only checklist steps use it
        if declared.kind is not None:
            declared.kind.arrive(self._asking(turn), declared.stores)
        if declared.arrive:
            self._arrivals[declared.arrive](turn)

    def _arrive_suggestion(self, turn: _Turn) -> None:
        asking = self._asking(turn)
        asking.given.suggested_score = self.suggest_score(asking.approach.id, asking.given.checklist)

    def _arrive_organisations(self, turn: _Turn) -> None:
        """A short list of partner organisations is offered as buttons; a long one is searched."""
        known = turn.context.organisations
        turn.state.pending = list(known) if len(known) <= SHORT_LIST else []

    # -- side questions -------------------------------------------------------------------------

    def _hold(self, turn: _Turn, value: str, reason: str, command: Command | None = None) -> None:
        """Ask what the typed words meant before storing them: contact details, or a command word."""
        state = turn.state
        state.held = Held(state.position.step, value, reason, command.value if command else None)
        state.after = state.position
        state.history.append(state.position)
        self._go(turn, replace(state.position, step=Step.CHECK_TYPED))

    def _act_check_typed(self, turn: _Turn, choice: str) -> None:
        state = turn.state
        held, typed_at = state.held, state.after
        state.held, state.after = None, None
        if held is None or typed_at is None:
            self._go(turn, state.history.pop() if state.history else Position(Step.CHOOSE_SCOPE))
            return
        if state.history and state.history[-1] == typed_at:
            state.history.pop()
        if choice == "change":
            self._go(turn, typed_at)
            return
        state.position = typed_at
        if choice == "command" and held.command:
            self._run_command(turn, Command(held.command))
        else:
            self._accept(turn, STEPS[held.step], held.value)

    def _ask_in_english(self, turn: _Turn, declared: Declared) -> None:
        """After words typed in another language: offer to add them in English for the board."""
        state = turn.state
        typed_at = state.history[-1]
        state.after = state.position
        state.held = Held(declared.step, "", "english")
        self._go(turn, replace(typed_at, step=Step.IN_ENGLISH))

    def _act_in_english(self, turn: _Turn, english: str) -> None:
        state = turn.state
        held = state.held
        if held is not None:
            declared = STEPS[held.step]
            name = getattr(declared.stores, "name", held.step)
            self._asking(turn).given.english[name] = english
        self._leave_side(turn)

    def _leave_side(self, turn: _Turn) -> None:
        state = turn.state
        after = state.after or Position(Step.REVIEW)
        state.held, state.after = None, None
        self._go(turn, after)

    # -- commands -------------------------------------------------------------------------------

    def _run_command(self, turn: _Turn, command: Command) -> None:
        state = turn.state
        if state.position.step == Step.CONFIRM_DELETE and command not in {Command.DELETE, Command.HELP}:
            self._go(turn, state.return_to or Position(Step.CHOOSE_SCOPE))  # any other command: keep it
            state.return_to = None
            turn.lines.append(Text(m.KEEP_GOING))
            if command is Command.BACK:
                return
        self._commands[command](turn)

    def _back(self, turn: _Turn) -> None:
        state = turn.state
        history = state.history
        while history and not self._valid(state, history[-1]):
            history.pop()  # left over from an earlier path, such as fewer activities picked since
        if not history:
            turn.lines.append(Text(m.AT_START))
            return
        state.editing = False
        state.held, state.after = None, None
        self._go(turn, history.pop())

    def _valid(self, state: ConversationState, position: Position) -> bool:
        declared = STEPS.get(position.step)
        if declared is None or declared.side:
            return False
        if not declared.in_approach:
            return position.step != Step.RESTORATIVE or position.question < len(
                self.content.restorative_prompts()
            )
        if position.approach >= len(state.answers.approaches):
            return False
        approach = self.content.approach(state.answers.approaches[position.approach])
        return position.step != Step.CHECKLIST or position.question < len(approach.questions)

    def _skip(self, turn: _Turn) -> None:
        declared = STEPS[turn.state.position.step]
        if not declared.skippable:
            turn.lines.append(Text(m.CANNOT_SKIP))
            return
        if declared.side:
            if declared.step == Step.IN_ENGLISH:
                turn.state.no_english = True  # once is enough to ask a person who does not want to
            self._leave_side(turn)
            return
        if declared.kind is not None and declared.kind.multiple and declared.stores is not None:
            declared.stores.put(self._asking(turn), list(turn.state.pending))
        self._fire(turn, "proceed")

    def _help(self, turn: _Turn) -> None:
        declared = STEPS[turn.state.position.step]
        kind = declared.kind
        if declared.step == Step.SCORE:
            turn.lines.append(Text(m.HELP_SCORE))
        elif kind is not None and kind.multiple:
            turn.lines.append(Text(m.HELP_MULTI))
        elif kind is not None and kind.free_text:
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
        turn.extra.append(Reply((paused,), step=Step.PAUSED, resume_code=code))

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

    # -- the steps' actions (named in their declarations) ------------------------------------------

    def _act_choose_language(self, turn: _Turn, language: str) -> None:
        turn.state.language = language
        if turn.state.return_to is not None:
            self._go(turn, turn.state.return_to)
            turn.state.return_to = None
            turn.lines.append(Text(m.LANGUAGE_CHANGED))
        else:
            self._fire(turn, "proceed")

    def _act_choose_scope(self, turn: _Turn, scope: str) -> None:
        answers = turn.state.answers
        if scope != answers.scope:
            answers.scope = scope
            answers.approaches = [a.id for a in self.content.approaches] if scope == Scope.ANNUAL else []
        self._fire(turn, "proceed")

    def _act_organisation(self, turn: _Turn, value: str) -> None:
        """A name from the board's list (tapped, or matched as typed), or a new one kept as typed."""
        state = turn.state
        shown = state.pending
        typed = state.held.value if state.held and state.held.reason == "search" else None
        if value.startswith("org") and value[3:].isdigit() and int(value[3:]) < len(shown):
            name = shown[int(value[3:])]
        elif value == "none" and typed:
            name = typed
        else:
            matches = self._matching(value, turn.context.organisations)
            exact = [known for known in matches if fold(known) == fold(value)]
            if exact:
                name = exact[0]
            elif matches:
                state.pending = matches
                state.held = Held(Step.ORGANISATION, value, "search")
                return
            else:
                name = value
        state.pending, state.held = [], None
        AnswerField("organisation").put(self._asking(turn), clean_name(name))
        self._fire(turn, "proceed")

    def _matching(self, typed: str, known: tuple[str, ...]) -> list[str]:
        """The listed organisations most like what was typed: containing it, or spelt nearly the same."""
        wanted = fold(typed)
        if not wanted or not known:
            return []
        folded = {fold(name): name for name in known}
        found = [name for key, name in folded.items() if wanted in key or key in wanted]
        digits = [ch for ch in wanted if ch.isdigit()]
        # A typo or two, not a different name that shares a word ("Recent Group", "Forgotten Group").
        close = difflib.get_close_matches(wanted, list(folded), n=MATCHES_SHOWN, cutoff=0.8)
        found += [folded[key] for key in close if [ch for ch in key if ch.isdigit()] == digits]
        return list(dict.fromkeys(found))[:MATCHES_SHOWN]

    def _act_score(self, turn: _Turn, value: Any) -> None:
        self._asking(turn).given.score = int(value)
        self._fire(turn, "proceed")

    def _act_restorative_offer(self, turn: _Turn, choice: str) -> None:
        self._fire(turn, "restorative" if choice == "yes" else "proceed")

    def _act_review(self, turn: _Turn, choice: str) -> None:
        self._fire(turn, "proceed" if choice == "ok" else "change")

    def _act_edit_approach(self, turn: _Turn, approach_id: str) -> None:
        index = turn.state.answers.approaches.index(approach_id)
        turn.state.position = replace(turn.state.position, approach=index, question=0)
        self._fire(turn, "proceed")

    def _act_edit_field(self, turn: _Turn, step: str) -> None:
        turn.state.history.append(turn.state.position)
        turn.state.editing = True
        self._go(turn, replace(turn.state.position, step=step, question=0))

    def _arrive_plan(self, turn: _Turn) -> None:
        state = turn.state
        state.editing = False
        if state.status == Status.DRAFT:
            state.status = Status.COMPLETED
            turn.effects.append(Complete())
        plan = build_plan(state, self.content, turn.context.today)
        document = Document("plan", Text(m.PLAN_TITLE), plan)
        lines = [Text(m.PLAN_READY), *plan_lines(plan, state.language)]
        code = None
        if not state.return_code_given:
            code = self.ids.return_code()
            state.return_code_given = True
            turn.effects.append(IssueReturnCode(code))
            lines.append(Text(m.RETURN_CODE, {"code": Text(code, verbatim=True)}))
        turn.extra.append(Reply(tuple(lines), document=document, step="plan", return_code=code))

    def _act_consent(self, turn: _Turn, choice: str) -> None:
        state = turn.state
        if choice in {SentTo.LEAD, SentTo.BOARD}:
            reference = self.ids.reference()
            state.answers.reference = reference
            state.answers.sent_to = choice
            state.status = Status.SUBMITTED
            turn.effects.append(Submit(reference, choice))
            said = m.SUBMITTED_LEAD if choice == SentTo.LEAD else m.SUBMITTED
            turn.lines.append(Text(said, {"reference": Text(reference, verbatim=True)}))
            turn.facts["reference"] = reference
        else:
            turn.lines.append(Text(m.KEPT_DRAFT))
        self._fire(turn, "proceed")
        if state.status == Status.SUBMITTED:
            state.history.clear()  # what was sent cannot be walked back into and changed

    def _act_finished(self, turn: _Turn, choice: str) -> None:
        if choice == "send":
            self._fire(turn, "reconsider")
        elif choice == "remind":
            state = turn.state
            rechecks = build_plan(state, self.content, turn.context.today).rechecks
            if rechecks:
                day = rechecks[0].on
                turn.effects.append(Remind(day, tuple(r.approach for r in rechecks if r.on == day)))
                state.reminder_set = True
                said = Text(written_date(day, state.language), verbatim=True)
                turn.lines.append(Text(m.REMINDER_SET, {"date": said}))

    def _act_confirm_delete(self, turn: _Turn, choice: str) -> None:
        state = turn.state
        if choice == "yes":
            state.answers = Answers()
            state.history, state.return_to, state.pending = [], None, []
            state.held, state.after, state.previous = None, None, None
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
        counted_weights = [
            weights[answer] for answer in checklist.values() if weights.get(answer) is not None
        ]
        if not counted_weights:
            return None
        share = sum(w for w in counted_weights if w is not None) / len(counted_weights)
        return 1 + int(share * 4 + 0.5)
