"""The shape of the conversation: its steps and the moves between them, declared once.

``proceed`` is fired after a step has accepted an answer; the first transition whose conditions
hold wins, so the order of the table matters. Detours that return to wherever the person was
(back, pause, language, delete, edits from the review) restore a stored position instead, and are
listed in ``DETOURS`` so the diagram shows them too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from transitions import Machine

__all__ = [
    "APPROACH_STEPS",
    "DETOURS",
    "FREE_TEXT_STEPS",
    "SKIPPABLE_STEPS",
    "TRANSITIONS",
    "Step",
    "build_machine",
    "mermaid",
]


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
    STORY = "story"
    SUPPORT = "support"
    SUPPORT_OTHER = "support_other"
    ACTION = "action"
    REVIEW = "review"
    EDIT_APPROACH = "edit_approach"
    EDIT_FIELD = "edit_field"
    CONSENT = "consent"
    FINISHED = "finished"
    PAUSED = "paused"
    CONFIRM_DELETE = "confirm_delete"
    DELETED = "deleted"


FREE_TEXT_STEPS = frozenset(
    {Step.ORGANISATION, Step.UNIT_NAME, Step.ACTIVITY_NAME, Step.STORY, Step.SUPPORT_OTHER, Step.ACTION}
)
# The questions asked about one approach: they show progress and belong to an approach index.
APPROACH_STEPS = frozenset(
    {Step.CHECKLIST, Step.SCORE, Step.CONFIDENCE, Step.STORY, Step.SUPPORT, Step.SUPPORT_OTHER, Step.ACTION}
)
SKIPPABLE_STEPS = APPROACH_STEPS | {Step.UNIT_NAME, Step.ACTIVITY_NAME}

# The steps that close an approach's questions in each scope, and where editing returns.
_AFTER_APPROACH: list[dict[str, Any]] = [
    {"dest": Step.REVIEW, "conditions": "editing"},
    {"dest": Step.CHECKLIST, "conditions": ["annual", "more_approaches"], "before": "next_approach"},
    {"dest": Step.SCORE, "conditions": ["activity", "more_approaches"], "before": "next_approach"},
    {"dest": Step.REVIEW},
]


def _proceed(source: Step, *moves: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"trigger": "proceed", "source": source, **move} for move in moves]


TRANSITIONS: list[dict[str, Any]] = [
    *_proceed(Step.CHOOSE_LANGUAGE, {"dest": Step.CHOOSE_SCOPE}),
    *_proceed(
        Step.CHOOSE_SCOPE,
        {"dest": Step.CHOOSE_LEVEL, "conditions": "annual"},
        {"dest": Step.ORGANISATION},
    ),
    *_proceed(Step.CHOOSE_LEVEL, {"dest": Step.ORGANISATION}),
    *_proceed(
        Step.ORGANISATION,
        {"dest": Step.ACTIVITY_NAME, "conditions": "activity"},
        {"dest": Step.UNIT_NAME, "conditions": "needs_unit"},
        {"dest": Step.CHECKLIST, "before": "first_approach"},
    ),
    *_proceed(Step.UNIT_NAME, {"dest": Step.CHECKLIST, "before": "first_approach"}),
    *_proceed(Step.ACTIVITY_NAME, {"dest": Step.PICK_APPROACHES}),
    *_proceed(Step.PICK_APPROACHES, {"dest": Step.SCORE, "before": "first_approach"}),
    *_proceed(
        Step.CHECKLIST,
        {"dest": Step.CHECKLIST, "conditions": "more_questions", "before": "next_question"},
        {"dest": Step.REVIEW, "conditions": "editing"},
        {"dest": Step.SCORE},
    ),
    *_proceed(
        Step.SCORE,
        {"dest": Step.REVIEW, "conditions": "editing"},
        {"dest": Step.CONFIDENCE, "conditions": "annual"},
        {"dest": Step.STORY},
    ),
    *_proceed(Step.CONFIDENCE, {"dest": Step.REVIEW, "conditions": "editing"}, {"dest": Step.STORY}),
    *_proceed(Step.STORY, {"dest": Step.REVIEW, "conditions": "editing"}, {"dest": Step.SUPPORT}),
    *_proceed(
        Step.SUPPORT,
        {"dest": Step.SUPPORT_OTHER, "conditions": "wants_other"},
        {"dest": Step.ACTION, "conditions": "annual", "unless": "editing"},
        *_AFTER_APPROACH,
    ),
    *_proceed(
        Step.SUPPORT_OTHER,
        {"dest": Step.ACTION, "conditions": "annual", "unless": "editing"},
        *_AFTER_APPROACH,
    ),
    *_proceed(Step.ACTION, *_AFTER_APPROACH),
    *_proceed(Step.REVIEW, {"dest": Step.CONSENT}),
    {"trigger": "change", "source": Step.REVIEW, "dest": Step.EDIT_APPROACH},
    *_proceed(Step.EDIT_APPROACH, {"dest": Step.EDIT_FIELD}),
    *_proceed(Step.CONSENT, {"dest": Step.FINISHED}),
    {"trigger": "reconsider", "source": Step.FINISHED, "dest": Step.CONSENT},
    {"trigger": "pause", "source": "*", "dest": Step.PAUSED},
    {"trigger": "delete", "source": "*", "dest": Step.CONFIRM_DELETE},
    *_proceed(Step.CONFIRM_DELETE, {"dest": Step.DELETED}),
]

# Moves to a stored position, made with ``set_state``: (from, to, label) for the diagram.
DETOURS: list[tuple[str, str, str]] = [
    ("*", "previous step", "back"),
    ("*", Step.CHOOSE_LANGUAGE, "language"),
    (Step.CHOOSE_LANGUAGE, "where they were", "language chosen"),
    (Step.PAUSED, "where they were", "resume"),
    (Step.CONFIRM_DELETE, "where they were", "keep"),
    (Step.EDIT_FIELD, "the chosen step", "edit"),
]


def build_machine() -> Machine:
    """The one machine all conversations share; models are attached by the engine."""
    plain = [{k: _plain(v) for k, v in move.items()} for move in TRANSITIONS]
    return Machine(
        model=None,
        states=[step.value for step in Step],
        transitions=plain,
        initial=Step.CHOOSE_LANGUAGE.value,
        auto_transitions=False,
        send_event=False,
    )


def _plain(value: Any) -> Any:
    """``transitions`` names Enum states by member name; we store and pass the values."""
    return value.value if isinstance(value, Step) else value


def _label(move: dict[str, Any]) -> str:
    label = move["trigger"]
    conditions = move.get("conditions")
    unless = move.get("unless")
    parts = [conditions] if isinstance(conditions, str) else list(conditions or [])
    parts += [f"not {unless}"] if unless else []
    return f"{label} [{' and '.join(parts)}]" if parts else label


def mermaid() -> str:
    """The flow as a Mermaid state diagram, generated from the table above."""
    lines = ["stateDiagram-v2", f"    [*] --> {Step.CHOOSE_LANGUAGE.value}"]
    for move in TRANSITIONS:
        source = "any" if move["source"] == "*" else str(move["source"])
        lines.append(f"    {source} --> {move['dest']} : {_label(move)}")
    for source, dest, label in DETOURS:
        lines.append(f"    {'any' if source == '*' else source} --> {_node(dest)} : {label}")
    lines += [f"    {Step.FINISHED.value} --> [*]", f"    {Step.DELETED.value} --> [*]"]
    return "\n".join(lines) + "\n"


def _node(name: str) -> str:
    return name.replace(" ", "_")


if __name__ == "__main__":
    print(mermaid(), end="")
