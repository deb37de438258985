"""A complete annual evaluation, told as the conversation a team lead would have."""

from __future__ import annotations

from dialogs import Complete, Context, Engine, Event, IssueResumeCode, IssueReturnCode, Status, Submit

from .dialog import Dialog


def answer_approach(chat: Dialog, approach_id: str, story: str, action: str) -> None:
    """Yes to every question (each asked in its own plain words), agree the suggested score, then a
    reflection, evidence, a story, no support, and an action with no owner or date."""
    approach = chat.engine.content.approach(approach_id)
    name, questions = approach.name, approach.questions
    for number, question in enumerate(questions[1:], start=2):
        chat.check([("@yes", "checklist", f"Question {number} of {len(questions)}: {question.plain}")])
    chat.check(
        [
            ("@yes", "score", "I suggest 5"),
            ("@5", "confidence", "How sure does your team feel"),
            ("@high", "reflection", "What went well?"),
            ("/skip", "evidence", "What shows this?"),
            ("@done", "story", f"{name}: please tell me a short story"),
            (story, "support", "What would help you"),
            ("@done", "action", f"{name}: what is one thing you will do"),
            (action, "action_owner", "Who will do it?"),
            ("/skip", "action_due", "By when?"),
        ]
    )


def test_complete_annual_evaluation(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@annual", "choose_level", "Who are you answering for?"),
            ("@team", "organisation", "What is the name of your organisation?"),
            ("Kirklees Youth Trust", "unit_name", "What is the name of the team?"),
            ("/back", "organisation", "What is the name of your organisation?"),
            ("Kirklees Youth Trust", "unit_name", "What is the name of the team?"),
            ("Blue Team", "checklist", "Next: Connecting."),
        ]
    )
    assert chat.progress() == "Part 1 of 5 · question 1 of 4: Connecting"
    chat.check(
        [
            ("@yes", "checklist", "Question 2 of 4"),
            # Unexpected free text: kept, and a kind re-prompt that says what is expected.
            ("maybe after the summer", "checklist", "I have kept what you wrote. Please choose one"),
            ("partly", "checklist", "Question 3 of 4"),  # a label typed instead of tapped
            ("/skip", "checklist", "Question 4 of 4"),
            ("1", "score", "From your answers, I suggest 4: Most of the time."),  # a number picks the first
        ]
    )
    suggested = [c.id for c in chat.last.replies[-1].choices if c.suggested]  # type: ignore[union-attr]
    assert suggested == ["4"], "the suggested score is marked on its button"
    assert chat.last.replies[-1].suggested_score == 4  # type: ignore[union-attr]
    chat.check(
        [
            ("@4", "confidence", "How sure does your team feel"),
            ("@some", "reflection", "What would you do differently next time?"),
            ("The café worked well. Next time we would start earlier.", "evidence", "What shows this?"),
            ("@lived", "evidence", "What shows this?"),
            ("Notes from the café's visitors' book", "evidence", "I added that as something else"),
            ("@done", "story", "Connecting: please tell me a short story"),
            ("We ran a welcome café with the library.", "support", "What would help you do more of this?"),
            ("@training", "support", "What would help you do more of this?"),
            ("@connect", "support", "What would help you do more of this?"),
            ("@done", "action", "Connecting: what is one thing you will do in the next 12 months?"),
        ]
    )
    given = chat.state.answers.by_approach["connecting"]  # type: ignore[union-attr]
    assert chat.state is not None and chat.state.answers.notes[0].text == "maybe after the summer"
    assert given.support == ["training", "connect"]
    assert given.reflection == "The café worked well. Next time we would start earlier."
    assert (
        given.evidence == ["lived", "other"]
        and given.evidence_other == "Notes from the café's visitors' book"
    )

    chat.check([("/pause", "paused", "Paused. Your code is ABCD-EFGH-JK001.")])
    assert IssueResumeCode("ABCD-EFGH-JK001") in chat.effects
    assert chat.last.replies[-1].resume_code == "ABCD-EFGH-JK001"  # type: ignore[union-attr]
    outcome = engine.handle(chat.state, Event.resume(), context)
    assert "Welcome back!" in chat.shown(outcome.replies)
    assert "Connecting: what is one thing you will do" in chat.shown(outcome.replies)
    chat.state = outcome.state

    chat.check(
        [
            ("Hold a partner lunch every term.", "action_owner", "Who will do it?"),
            ("Team leader", "action_due", "By when?"),
            ("@6m", "checklist", "Next: Communicating."),
        ]
    )
    assert (given := chat.state.answers.by_approach["connecting"]).action_owner == "Team leader"
    assert given.action_due == "6m"
    answer_approach(
        chat, "communicating", "We asked carers what they need.", "Invite carers to plan with us."
    )
    chat.check([("End of March", "checklist", "Next: Equalising.")])  # a date typed as it comes
    assert chat.state.answers.by_approach["communicating"].action_due == "End of March"
    chat.check([("/summary", "checklist", "Communicating: 5: How we always work.")])
    answer_approach(chat, "equalising", "Our panel is paid for its time.", "Pay everyone who joins a panel.")
    chat.send("/skip")
    answer_approach(chat, "trusting", "We kept every promise this year.", "Say what we can and cannot do.")
    chat.send("/skip")
    for _ in range(5):
        chat.send("@not_yet")
    assert chat.step == "score"
    chat.check(
        [
            ("@2", "confidence", "How sure does your team feel about working this way?"),
            ("@low", "reflection", "What went well?"),
            ("/skip", "evidence", "What shows this?"),
            ("/skip", "story", "Celebrating: please tell me a short story"),
            ("/skip", "support", "What would help you do more of this?"),
            ("@leaders", "support", "What would help you do more of this?"),
            ("@done", "action", "Celebrating: what is one thing you will do"),
            ("Hold a thank-you event for volunteers.", "action_owner", "Who will do it?"),
            ("/skip", "action_due", "By when?"),
            ("/skip", "restorative_offer", "There is one more part, if you want it"),
            ("@no", "review", "Here is what you told me."),
        ]
    )
    review = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "For: Kirklees Youth Trust / Blue Team" in review
    assert "Connecting: 4: Most of the time. Confidence: Some. Story: given. Action: given." in review
    assert "Celebrating: 2: Starting. Confidence: Low. Story: not given. Action: given." in review
    assert (
        "Connecting – help you asked for: Training or a workshop and Meet someone who does it well." in review
    )

    # Change an answer at the review, then come straight back to it.
    chat.check(
        [
            ("@change", "edit_approach", "Which part would you like to change?"),
            ("@connecting", "edit_field", "Connecting: what would you like to change?"),
            ("@score", "score", "Connecting: how well does this describe your work?"),
            ("@5", "review", "Here is what you told me."),
        ]
    )
    assert "Connecting: 5: How we always work." in chat.shown(chat.last.replies)  # type: ignore[union-attr]

    chat.check([("@ok", "consent", "Here is your support plan.")])
    plan_text = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "Overall score: 4.4 out of 5." in plan_text
    assert "Celebrating (2: Starting)" in plan_text
    assert "Who should get your answers and plan?" in plan_text
    assert "your organisation's ICF lead, they see your answers and stories" in plan_text
    assert "Next year, start with this return code" in plan_text and "RTRN-CODE-NX001" in plan_text
    assert IssueReturnCode("RTRN-CODE-NX001") in chat.effects
    assert chat.last.replies[0].return_code == "RTRN-CODE-NX001"  # type: ignore[union-attr]
    assert Complete() in chat.effects and chat.state.status == Status.COMPLETED
    assert [c.id for c in chat.last.replies[-1].answer_choices] == ["lead", "board", "keep"]  # type: ignore[union-attr]

    chat.check([("@board", "finished", "I have sent it to the board. Your reference is ICF-2026-00000001.")])
    assert Submit("ICF-2026-00000001", "board") in chat.effects
    assert chat.last.replies[-1].reference == "ICF-2026-00000001"  # type: ignore[union-attr]
    assert chat.state.status == Status.SUBMITTED and chat.state.answers.sent_to == "board"
    assert chat.state.content_version == engine.content.version
    chat.check([("/back", "finished", "nowhere to go back to")])  # a sent evaluation stays as it was sent


def test_a_whole_organisation_sends_to_the_board_or_keeps_it(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@annual", "choose_level", "Who are you answering for?"),
            ("@organisation", "organisation", "What is the name of your organisation?"),
            ("Ashbrow Youth Panel", "checklist", "Next: Connecting."),
        ]
    )
    while chat.step != "review":
        chat.send("/skip")
    chat.check([("@ok", "consent", "Who should get your answers and plan?")])
    shown = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "ICF lead" not in shown, "an organisation's own evaluation goes to the board or nowhere"
    assert [c.id for c in chat.last.replies[-1].answer_choices] == ["board", "keep"]  # type: ignore[union-attr]
    assert (
        "These parts have no answers: Connecting, Communicating, Equalising, Trusting and Celebrating."
        in shown
    )
    chat.check([("@keep", "finished", "I have not sent it.")])
    assert (
        chat.state is not None
        and chat.state.status == Status.COMPLETED
        and chat.state.answers.sent_to is None
    )
