"""The flow: drawn in flow.mmd from the declarations, and every step reached by a real conversation."""

from __future__ import annotations

import gettext
from collections import deque
from pathlib import Path

from dialogs import Context, Engine, Event, Outcome, Step
from dialogs.flow import mermaid
from dialogs.state import ConversationState

DIAGRAM = Path(__file__).resolve().parents[2] / "dialogs" / "flow.mmd"
TYPED = [
    "A few words about our work.",
    "Zajęcia w parku.",
    "back",
    "Call 07700 900123",
    "/pause",
    "/delete",
    "/language",
]


def test_committed_diagram_matches_the_code() -> None:
    assert DIAGRAM.read_text(encoding="utf-8") == mermaid(), (
        "dialogs/flow.mmd is out of date: python -m dialogs.flow > dialogs/flow.mmd"
    )


def _where(state: ConversationState) -> tuple[object, ...]:
    """What tells one place in a conversation from another, for the walk: not the answers themselves,
    nor which toggles are on (only whether any, and "something else"), so the walk stays finite."""
    p, a = state.position, state.answers
    lead = a.level != "organisation"
    other = "other" in state.pending
    held = state.held is not None
    return (
        p.step,
        p.approach,
        p.question,
        a.scope,
        lead,
        state.language,
        state.status,
        state.editing,
        held,
        other,
    )


def _inputs(outcome: Outcome) -> list[Event]:
    return [Event.choice(c.id) for c in outcome.replies[-1].choices] + [Event.text(t) for t in TYPED]


def test_every_step_is_reached_by_a_walk_from_the_first(engine: Engine) -> None:
    """Breadth first through real turns: each place visited is reached by answering, from the start."""
    context = Context(
        translator=gettext.NullTranslations(), languages=("en", "pl"), organisations=("Locala", "The Branch")
    )
    first = engine.start(context)
    queue, seen, reached = deque([first]), {_where(first.state)}, {first.state.position.step}
    while queue and len(seen) < 20_000:
        outcome = queue.popleft()
        for event in _inputs(outcome):
            after = engine.handle(outcome.state, event, context)
            reached.add(after.state.position.step)
            where = _where(after.state)
            if where not in seen:
                seen.add(where)
                queue.append(after)
    missing = {s.value for s in Step} - reached
    assert not missing, f"no conversation reaches {sorted(missing)} ({len(seen)} places walked)"
