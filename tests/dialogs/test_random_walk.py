"""Random conversations: whatever people tap or type, the engine answers and stays in a valid state.

Seeded, so a failure names the seed that reproduces it.
"""

from __future__ import annotations

import dataclasses
import gettext
import json
import random

import pytest

from dialogs import Context, ConversationState, Engine, Event, Outcome, Step
from dialogs.steps import STEPS

JUNK = [
    "",
    " ",
    "/back",
    "/skip",
    "/help",
    "/pause",
    "/summary",
    "/language",
    "/delete",
    "/nope",
    "/",
    "//",
    "back",
    "skip",
    "1",
    "9",
    "0",
    "-1",
    "yes",
    "done",
    "x" * 5000,
    "\x00\x1b",
    "héllo 👋",
    "/back@icf_bot extra",
    "<script>alert(1)</script>",
    "ڈیٹا",
    "a story about our work",
    "پیچھے",
    "۳",
    "call 07700 900123",
    "wstecz",
]


def next_event(rnd: random.Random, outcome: Outcome) -> Event:
    choices = [choice.id for choice in outcome.replies[-1].choices]
    roll = rnd.random()
    if choices and roll < 0.7:
        return Event.choice(rnd.choice(choices))
    if roll < 0.9:
        return Event.text(rnd.choice(JUNK))
    if roll < 0.95:
        return Event.resume()
    return Event.choice(rnd.choice(JUNK) or "zz")


def check_valid(engine: Engine, state: ConversationState) -> None:
    declared = STEPS[state.position.step]  # a KeyError here is a step nobody declared
    if declared.in_approach:
        approach = engine.content.approach(state.answers.approaches[state.position.approach])
        assert state.position.question < max(1, len(approach.questions))
    if declared.step == Step.RESTORATIVE:
        assert state.position.question < len(engine.content.restorative_prompts())
    if declared.side:
        assert state.held is not None and state.after is not None
    for given in state.answers.by_approach.values():
        assert given.score is None or 1 <= given.score <= 5


@pytest.mark.parametrize("seed", range(60))
def test_random_conversations_never_break(engine: Engine, seed: int) -> None:
    rnd = random.Random(seed)
    context = Context(
        translator=gettext.NullTranslations(),
        languages=("en", "pl") if seed % 2 else ("en",),
        organisations=("Locala", "The Branch") if seed % 3 else (),
    )
    outcome = engine.start(context)
    for _ in range(250):
        event = next_event(rnd, outcome)
        outcome = engine.handle(outcome.state, event, context)
        assert outcome.replies, f"seed {seed}: no reply to {event}"
        # The hand-written serialiser and copy agree with the generic ones on every state reached.
        assert outcome.state.to_json() == dataclasses.asdict(outcome.state)
        assert outcome.state.copy() == outcome.state
        state = ConversationState.from_json(json.loads(json.dumps(outcome.state.to_json())))
        assert state == outcome.state
        check_valid(engine, state)
        outcome = Outcome(state, outcome.replies, outcome.effects)
