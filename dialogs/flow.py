"""The shape of the conversation as a state machine, built from the step declarations.

``proceed`` is fired after a step has accepted an answer; the first move whose conditions hold
wins, so the order of a declaration's moves matters. The commands (dialogs/commands.py), side
questions and edits from the review move to a stored position instead; the diagram draws them too.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

from dialogs.commands import COMMAND_TABLE
from dialogs.steps import STEPS, Go, Step

__all__ = ["TRANSITIONS", "Step", "build_machine", "mermaid"]

FIRST = Step.CHOOSE_LANGUAGE


def _transition(source: str, go: Go) -> dict[str, Any]:
    move: dict[str, Any] = {"trigger": go.trigger, "source": source, "dest": go.to.value}
    if go.when:
        move["conditions"] = list(go.when)
    if go.unless:
        move["unless"] = list(go.unless)
    if go.before:
        move["before"] = go.before
    return move


TRANSITIONS: list[dict[str, Any]] = [
    _transition(name, go) for name, declared in STEPS.items() for go in declared.goes
]

# Moves to a stored position, made with ``set_state``: (from, to, label) for the diagram.
DETOURS: list[tuple[str, str, str]] = [
    *(("any", spec.goes_to, spec.command.value) for spec in COMMAND_TABLE),
    (Step.CHOOSE_LANGUAGE.value, "where they were", "language chosen"),
    (Step.PAUSED.value, "where they were", "resume"),
    (Step.CONFIRM_DELETE.value, "where they were", "keep"),
    (Step.EDIT_FIELD.value, "the chosen step", "edit"),
    ("a typed answer", Step.CHECK_TYPED.value, "contact details or a command word"),
    (Step.CHECK_TYPED.value, "where they were going", "keep, change or the command"),
    ("a story, need or action typed in another language", Step.IN_ENGLISH.value, "proceed"),
    (Step.IN_ENGLISH.value, "where they were going", "typed or skipped"),
]


def build_machine() -> Machine:
    """The one machine all conversations share; models are attached by the engine."""
    return Machine(
        model=None,
        states=[step.value for step in Step],
        transitions=TRANSITIONS,
        initial=FIRST.value,
        auto_transitions=False,
        send_event=False,
    )


def _label(move: dict[str, Any]) -> str:
    parts = list(move.get("conditions", [])) + [f"not {u}" for u in move.get("unless", [])]
    return f"{move['trigger']} [{' and '.join(parts)}]" if parts else move["trigger"]


def _node(name: str) -> str:
    return name.replace(" ", "_").replace(",", "")


def mermaid() -> str:
    """The flow as a Mermaid state diagram, generated from the declarations."""
    lines = ["stateDiagram-v2", f"    [*] --> {FIRST.value}"]
    lines += [f"    {move['source']} --> {move['dest']} : {_label(move)}" for move in TRANSITIONS]
    lines += [f"    {_node(source)} --> {_node(dest)} : {label}" for source, dest, label in DETOURS]
    lines += [f"    {Step.FINISHED.value} --> [*]", f"    {Step.DELETED.value} --> [*]"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(mermaid(), end="")
