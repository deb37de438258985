"""Property-based tests of the engine: whatever sequence of inputs arrives, in any language,

- ``Engine.handle`` never raises and always answers;
- the state stays valid (the same checks as tests/dialogs/test_random_walk.py) and survives JSON;
- no answer is lost: an answer once in ``state.answers`` keeps its value unless the person answers
  that very question again, or deletes the whole conversation. Notes (text typed where a choice was
  wanted) only ever grow.

Hypothesis draws each input from what the last reply offered (a choice id), commands, junk and
random text, and shrinks a failure to the shortest sequence that shows it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.translations import Catalogs
from dialogs import Context, ConversationState, Engine, Event, Outcome, Status, Step, load_default_content
from tests.conftest import FixedIds
from tests.dialogs.test_random_walk import JUNK, check_valid

CATALOGS = Catalogs()
ENGINE = Engine(load_default_content(), FixedIds())
COMMAND_WORDS = ["back", "skip", "help", "pause", "summary", "language", "delete"]

# Which step's answer each stored answer is: only answering at that step may change it.
OWNERS: dict[str, set[str]] = {
    "scope": {Step.CHOOSE_SCOPE},
    "approaches": {Step.CHOOSE_SCOPE, Step.PICK_APPROACHES},
    "level": {Step.CHOOSE_LEVEL},
    "organisation": {Step.ORGANISATION},
    "unit": {Step.UNIT_NAME},
    "activity": {Step.ACTIVITY_NAME},
    "reference": {Step.CONSENT},
    "checklist": {Step.CHECKLIST},
    "score": {Step.SCORE},
    "confidence": {Step.CONFIDENCE},
    "story": {Step.STORY},
    "support": {Step.SUPPORT},
    "support_other": {Step.SUPPORT, Step.SUPPORT_OTHER},
    "action": {Step.ACTION},
}


def flat(state: ConversationState) -> dict[tuple[str, ...], Any]:
    """Every answer given, keyed by (field,) or (approach, field[, question])."""
    data = state.to_json()["answers"]
    out: dict[tuple[str, ...], Any] = {}
    for name in ("scope", "level", "organisation", "unit", "activity", "reference"):
        if data[name] is not None:
            out[(name,)] = data[name]
    if data["approaches"]:
        out[("approaches",)] = tuple(data["approaches"])
    for approach, answered in data["by_approach"].items():
        for question, answer in answered["checklist"].items():
            out[(approach, "checklist", question)] = answer
        for name in ("score", "confidence", "story", "support_other", "action"):
            if answered[name] is not None:
                out[(approach, name)] = answered[name]
        if answered["support"]:
            out[(approach, "support")] = tuple(answered["support"])
    return out


def changed_by_answering(key: tuple[str, ...], before: ConversationState) -> bool:
    """The person was at the question that owns ``key``, so answering it may change it."""
    step = before.position.step
    if len(key) == 1:
        return step in OWNERS[key[0]]
    approaches = before.answers.approaches
    here = approaches[before.position.approach] if before.position.approach < len(approaches) else None
    return here == key[0] and step in OWNERS[key[1]]


def check_nothing_lost(before: ConversationState, after: ConversationState, event: Event) -> None:
    if after.status == Status.DELETED:
        assert flat(after) == {} and after.answers.notes == []  # deleting keeps nothing
        return
    old, new = flat(before), flat(after)
    for key, value in old.items():
        if new.get(key) != value:
            assert changed_by_answering(key, before), (
                f"{key} was {value!r}, now {new.get(key)!r}, after {event} at {before.position}"
            )
    assert after.answers.notes[: len(before.answers.notes)] == before.answers.notes


TYPED = st.one_of(
    st.sampled_from(JUNK),
    st.sampled_from(COMMAND_WORDS).map(lambda w: f"/{w}"),
    st.text(max_size=40),
    st.integers(-1, 9).map(str),
)
UNKNOWN_CHOICE = st.text(min_size=1, max_size=12)


def draw_event(data: st.DataObject, outcome: Outcome) -> Event:
    """Mostly a tap on something the last reply offered, so conversations go far; else anything."""
    offered = [choice.id for reply in outcome.replies for choice in reply.choices]
    kind = data.draw(st.integers(0, 9), label="kind")
    if offered and kind < 7:
        return Event.choice(offered[data.draw(st.integers(0, len(offered) - 1), label="tap")])
    if kind == 9:
        return Event.resume()
    if kind == 8:
        return Event.choice(data.draw(UNKNOWN_CHOICE, label="unknown choice"))
    return Event.text(data.draw(TYPED, label="typed"))


@given(
    data=st.data(),
    language=st.sampled_from(sorted(CATALOGS.languages)),
    organisations=st.lists(st.text(min_size=1, max_size=30), max_size=3),
    turns=st.integers(1, 120),
)
def test_any_inputs_keep_a_valid_state_and_every_answer(
    data: st.DataObject, language: str, organisations: list[str], turns: int
) -> None:
    context = Context(
        translator=CATALOGS.translator(language),
        languages=CATALOGS.languages,
        organisations=tuple(organisations),
    )
    outcome = ENGINE.start(context, language)
    for _ in range(turns):
        event = draw_event(data, outcome)
        before = outcome.state
        snapshot = json.dumps(before.to_json(), sort_keys=True)
        outcome = ENGINE.handle(before, event, context)
        assert json.dumps(before.to_json(), sort_keys=True) == snapshot  # the input state is untouched
        assert outcome.replies, f"no reply to {event}"
        state = ConversationState.from_json(json.loads(json.dumps(outcome.state.to_json())))
        assert state == outcome.state  # survives storage
        check_valid(ENGINE, state)
        check_nothing_lost(before, state, event)
        outcome = Outcome(state, outcome.replies, outcome.effects)
