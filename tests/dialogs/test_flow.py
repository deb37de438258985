"""The flow table: drawn in flow.mmd, and shared by every conversation."""

from __future__ import annotations

from pathlib import Path

from dialogs import Engine, Step
from dialogs.flow import TRANSITIONS, mermaid

DIAGRAM = Path(__file__).resolve().parents[2] / "dialogs" / "flow.mmd"


def test_committed_diagram_matches_the_code() -> None:
    assert DIAGRAM.read_text(encoding="utf-8") == mermaid(), (
        "dialogs/flow.mmd is out of date: python -m dialogs.flow > dialogs/flow.mmd"
    )


def test_every_step_can_be_reached() -> None:
    reached = {str(t["dest"]) for t in TRANSITIONS} | {Step.CHOOSE_LANGUAGE, Step.CHOOSE_SCOPE}
    assert {str(s) for s in Step} <= {str(s) for s in reached}


def test_one_machine_serves_every_conversation(engine: Engine) -> None:
    assert len(engine._machine.models) == 1  # noqa: SLF001 - the point of the test
