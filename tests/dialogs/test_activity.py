"""A quick check of one activity: only the approaches picked, a score, a story and a support need."""

from __future__ import annotations

from dialogs import Context, Engine, Status, build_plan

from .dialog import Dialog


def test_complete_activity_check(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "What would you like to do?"),
            ("@activity", "name of your organisation"),
            ("Ravensthorpe Friends", "What is the activity called?"),
            ("Holroyd Park girls' sessions", "Which ways of working does this activity use?"),
            ("@done", "Please choose at least one"),
            ("@celebrating", "Which ways"),
            ("Connecting", "Which ways"),  # typed label toggles too
            ("@done", "Next: Connecting."),
        ]
    )
    assert chat.state is not None and chat.state.answers.approaches == ["connecting", "celebrating"]
    assert chat.progress() == "Part 1 of 2: Connecting"
    assert "suggest" not in chat.shown(chat.last.replies)  # type: ignore[union-attr]
    chat.check(
        [
            ("@3", "Tell me a short story about Connecting"),
            ("/skip", "What would help you do more of this?"),
            ("A bigger room on Saturdays", "I added that as something else that would help."),
            ("@done", "Next: Celebrating."),
            ("@5", "Tell me a short story about Celebrating"),
            ("The girls chose the new benches and opened the park day.", "What would help"),
            ("@done", "Here is what you told me."),
        ]
    )
    review = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "Connecting: 3: Sometimes. Story: not given." in review
    assert "Help you asked for with Connecting: A bigger room on Saturdays." in review
    chat.check(
        [
            ("@ok", "Here is your support plan."),
            ("@no", "I have not sent it."),
        ]
    )
    assert chat.step == "finished" and chat.state.status == Status.COMPLETED
    chat.check([("@send", "May I send your answers"), ("@yes", "Your reference is ICF-2026-00000001.")])
    assert chat.state.status == Status.SUBMITTED

    plan = build_plan(chat.state, engine.content)
    assert [r.id for r in plan.strengths] == ["celebrating"]
    assert [p.approach.id for p in plan.priorities] == ["connecting"]
    assert plan.priorities[0].approach.support_other == "A bigger room on Saturdays"
    assert plan.overall == 4.0
