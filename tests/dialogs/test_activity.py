"""A quick check of one activity: only the approaches picked, each with a score, a story and a support
need, and one action for the activity at the end."""

from __future__ import annotations

from dialogs import Context, Engine, Status, Submit, build_plan

from .dialog import Dialog


def test_complete_activity_check(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Ravensthorpe Friends", "activity_name", "What is the activity called?"),
            (
                "Holroyd Park girls' sessions",
                "pick_approaches",
                "Which ways of working does this activity use?",
            ),
            ("@done", "pick_approaches", "Please choose at least one"),
            ("@celebrating", "pick_approaches", "Which ways of working does this activity use?"),
            (
                "Connecting",
                "pick_approaches",
                "Which ways of working does this activity use?",
            ),  # typed label toggles too
            ("@done", "score", "Next: Connecting."),
        ]
    )
    assert chat.state is not None and chat.state.answers.approaches == ["connecting", "celebrating"]
    assert chat.progress() == "Part 1 of 2: Connecting"
    assert "suggest" not in chat.shown(chat.last.replies)  # type: ignore[union-attr]
    chat.check(
        [
            ("@3", "story", "Connecting: please tell me a short story"),
            ("/skip", "support", "What would help you do more of this?"),
            ("A bigger room on Saturdays", "support", "I added that as something else that would help."),
            ("@done", "score", "Next: Celebrating."),  # one action for the activity, after its last part
            ("@5", "story", "Celebrating: please tell me a short story"),
            (
                "The girls chose the new benches and opened the park day.",
                "support",
                "What would help you do more of this?",
            ),
            ("@done", "action", "Celebrating: what is one thing you will do in the next 12 months?"),
            ("Book the big hall for the summer.", "action_owner", "Who will do it?"),
            ("Our chair", "action_due", "By when?"),
            ("@3m", "review", "Here is what you told me."),
        ]
    )
    review = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "Connecting: 3: Sometimes. Story: not given." in review
    assert "Connecting – help you asked for: A bigger room on Saturdays." in review
    assert "Restorative" not in review, "the extra part is left out of a quick check"
    chat.check(
        [
            ("@ok", "consent", "Here is your support plan."),
            ("@keep", "finished", "I have not sent it."),
        ]
    )
    assert chat.step == "finished" and chat.state.status == Status.COMPLETED
    chat.check(
        [
            ("@send", "consent", "Who should get your answers and plan?"),
            ("@lead", "finished", "I have sent it to your organisation's ICF lead. Your reference is"),
        ]
    )
    assert chat.state.status == Status.SUBMITTED and chat.state.answers.sent_to == "lead"

    plan = build_plan(chat.state, engine.content)
    assert [r.id for r in plan.strengths] == ["celebrating"]
    assert [p.approach.id for p in plan.priorities] == ["connecting"]
    assert plan.priorities[0].approach.support_other == "A bigger room on Saturdays"
    assert plan.overall == 4.0
    assert [(r.id, r.action) for r in plan.approaches if r.action] == [
        ("celebrating", "Book the big hall for the summer.")
    ]


def test_the_review_names_a_part_left_with_no_answers_before_anything_is_sent(
    engine: Engine, context: Context
) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Ravensthorpe Friends", "activity_name", "What is the activity called?"),
            ("Park sessions", "pick_approaches", "Which ways of working does this activity use?"),
            ("@trusting", "pick_approaches", "Which ways of working does this activity use?"),
            ("@celebrating", "pick_approaches", "Which ways of working does this activity use?"),
            ("@done", "score", "Next: Trusting."),
            ("/skip", "story", "Trusting: please tell me a short story"),
            ("/skip", "support", "What would help you do more of this?"),
            ("@done", "score", "Next: Celebrating."),
            ("@4", "story", "Celebrating: please tell me a short story"),
            ("/skip", "support", "What would help you do more of this?"),
            ("@done", "action", "Celebrating: what is one thing you will do in the next 12 months?"),
            ("/skip", "review", "These parts have no answers yet: Trusting."),
        ]
    )
    review = chat.last.replies[-1]  # type: ignore[union-attr]
    assert review.skipped_parts == ("trusting",)  # for a program, beside the words
    assert [c.id for c in review.answer_choices] == ["ok", "change"]  # add them, or go on without them
    chat.check([("@ok", "consent", "These parts have no answers: Trusting. Whoever you send it to will see")])
    assert chat.last.replies[-1].skipped_parts == ("trusting",)  # type: ignore[union-attr]
    assert Submit not in {type(e) for e in chat.effects}, "nothing is sent until the person chooses"

    chat.check([("/back", "review", "These parts have no answers yet: Trusting.")])
    chat.check([("@change", "edit_approach", "Which part would you like to change?")])
