"""Transcript tests for the engine: a test reads like the conversation it checks.

chat = Dialog(engine, context)
chat.check([
    (None, "choose_scope", "What would you like to do?"),
    ("@annual", "choose_level", "Who are you answering for?"),   # "@id" taps a choice
    ("Kirklees Youth", "unit_name", "name of the team"),          # anything else is typed
])

Each turn names the step the reply asks and a phrase of the reply that only one prompt has: a phrase
found in two messages (such as "Who", which several prompts start with) is refused, unless it is a
whole line of the reply, so the wrong prompt cannot pass for the right one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dialogs import Context, ConversationState, Effect, Engine, Event, Outcome, Reply, messages, render


def _messages(engine: Engine) -> list[str]:
    """Every English message a reply can show: the engine's own and the content's."""
    found = [*engine.content.strings()]
    for name, value in vars(messages).items():
        if name.isupper() and isinstance(value, str):
            found.append(value)
        elif name.isupper() and isinstance(value, tuple):
            found.append(" / ".join(value))  # one message, in its plural forms
    return found


class Dialog:
    def __init__(self, engine: Engine, context: Context, state: ConversationState | None = None) -> None:
        self.engine = engine
        self.context = context
        self.state = state
        self.effects: list[Effect] = []
        self.last: Outcome | None = None

    def _apply(self, outcome: Outcome) -> str:
        # Round-trip through JSON every turn, as the database does.
        self.state = ConversationState.from_json(json.loads(json.dumps(outcome.state.to_json())))
        self.last = outcome
        self.effects += outcome.effects
        return self.shown(outcome.replies)

    def shown(self, replies: Sequence[Reply]) -> str:
        return "\n".join(render(line, self.context.translator) for reply in replies for line in reply.lines)

    def send(self, said: str | None) -> str:
        if said is None:
            return self._apply(self.engine.start(self.context))
        assert self.state is not None, "start the dialog first"
        event = Event.choice(said[1:]) if said.startswith("@") else Event.text(said)
        return self._apply(self.engine.handle(self.state, event, self.context))

    def check(self, turns: Sequence[tuple[str | None, str, str]]) -> None:
        for said, step, expected in turns:
            shown = self.send(said)
            assert self.last is not None
            asked = self.last.replies[-1].step
            assert asked == step, f"after {said!r} expected step {step!r}, got {asked!r}:\n{shown}"
            assert expected in shown, f"after {said!r} expected {expected!r} in:\n{shown}"
            self.assert_unique(expected, shown)

    def assert_unique(self, phrase: str, shown: str) -> None:
        if phrase in shown.splitlines():
            return  # the whole of a line: only its own message shows exactly that
        shared = [message for message in _messages(self.engine) if phrase in message]
        assert len(shared) <= 1, f"{phrase!r} is in {len(shared)} messages, say more of the prompt: {shared}"

    @property
    def step(self) -> str:
        assert self.state is not None
        return self.state.position.step

    def progress(self) -> str:
        assert self.last is not None
        progress = self.last.replies[-1].progress
        return render(progress, self.context.translator) if progress else ""

    def shown_choices(self) -> list[str]:
        """The choices' labels as the person reads them."""
        assert self.last is not None
        return [render(c.label, self.context.translator) for c in self.last.replies[-1].choices]

    def choice_ids(self) -> list[str]:
        assert self.last is not None
        return [c.id for c in self.last.replies[-1].choices]
