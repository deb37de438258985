"""A complete annual evaluation, told as the conversation a team lead would have."""

from __future__ import annotations

from dialogs import Complete, Context, Engine, Event, IssueResumeCode, Status, Submit

from .dialog import Dialog


def answer_approach(chat: Dialog, name: str, questions: int, story: str, action: str) -> None:
    """Yes to every question, agree the suggested score, then story, no support, and an action."""
    for number in range(1, questions + 1):
        chat.check(
            [("@yes", f"Question {number + 1} of {questions}" if number < questions else "I suggest 5")]
        )
    chat.check(
        [
            ("@5", "How sure does your team feel"),
            ("@high", f"story about {name}"),
            (story, "What would help you"),
            ("@done", f"one thing you will do about {name}"),
        ]
    )
    chat.send(action)


def test_complete_annual_evaluation(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "What would you like to do?"),
            ("@annual", "Who are you answering for?"),
            ("@team", "name of your organisation"),
            ("Kirklees Youth Trust", "name of the team"),
            ("/back", "name of your organisation"),
            ("Kirklees Youth Trust", "name of the team"),
            ("Blue Team", "Next: Connecting."),
        ]
    )
    assert "Question 1 of 4" in chat.shown(chat.last.replies)  # type: ignore[union-attr]
    chat.check(
        [
            ("@yes", "Question 2 of 4"),
            # Unexpected free text: kept, and a kind re-prompt that says what is expected.
            ("maybe after the summer", "I have kept what you wrote. Please choose one of these answers."),
            ("partly", "Question 3 of 4"),  # a label typed instead of tapped
            ("/skip", "Question 4 of 4"),
            ("1", "From your answers, I suggest 4: Most of the time."),  # a number picks the first answer
        ]
    )
    suggested = [c.id for c in chat.last.replies[-1].choices if c.suggested]  # type: ignore[union-attr]
    assert suggested == ["4"], "the suggested score is marked on its button"
    chat.check(
        [
            ("@4", "How sure does your team feel"),
            ("@some", "Tell me a short story about Connecting"),
            ("We ran a welcome café with the library.", "What would help you do more of this?"),
            ("@training", "What would help you do more of this?"),
            ("@connect", "What would help you do more of this?"),
            ("@done", "What is one thing you will do about Connecting"),
        ]
    )
    assert chat.state is not None
    assert chat.state.answers.notes[0].text == "maybe after the summer"
    assert chat.state.answers.by_approach["connecting"].support == ["training", "connect"]

    chat.check([("/pause", "Paused. Your code is ABCD-EFGH-JK001.")])
    assert IssueResumeCode("ABCD-EFGH-JK001") in chat.effects
    outcome = engine.handle(chat.state, Event.resume(), context)
    assert "Welcome back!" in chat.shown(outcome.replies)
    assert "one thing you will do about Connecting" in chat.shown(outcome.replies)
    chat.state = outcome.state

    chat.check([("Hold a partner lunch every term.", "Next: Communicating.")])
    answer_approach(
        chat, "Communicating", 3, "We asked carers what they need.", "Invite carers to plan with us."
    )
    chat.check([("/summary", "Communicating: 5: How we always work.")])
    answer_approach(
        chat, "Equalising", 4, "Our panel is paid for its time.", "Pay everyone who joins a panel."
    )
    answer_approach(chat, "Trusting", 3, "We kept every promise this year.", "Say what we can and cannot do.")
    for _ in range(5):
        chat.send("@not_yet")
    assert chat.step == "score"
    chat.check(
        [
            ("@2", "How sure"),
            ("@low", "story about Celebrating"),
            ("/skip", "What would help"),
            ("@leaders", "What would help"),
            ("@done", "one thing you will do about Celebrating"),
            ("Hold a thank-you event for volunteers.", "Here is what you told me."),
        ]
    )
    review = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "For: Kirklees Youth Trust / Blue Team" in review
    assert "Connecting: 4: Most of the time. Confidence: Some. Story: given. Action: given." in review
    assert "Celebrating: 2: Starting. Confidence: Low. Story: not given. Action: given." in review

    # Change an answer at the review, then come straight back to it.
    chat.check(
        [
            ("@change", "Which part would you like to change?"),
            ("@connecting", "What would you like to change about Connecting?"),
            ("@score", "How well does Connecting describe your work?"),
            ("@5", "Here is what you told me."),
        ]
    )
    assert "Connecting: 5: How we always work." in chat.shown(chat.last.replies)  # type: ignore[union-attr]

    chat.check([("@ok", "Here is your support plan.")])
    plan_text = chat.shown(chat.last.replies)  # type: ignore[union-attr]
    assert "Overall score: 4.4 out of 5." in plan_text
    assert "Celebrating (2: Starting)" in plan_text
    assert "May I send your answers and plan" in plan_text
    assert Complete() in chat.effects and chat.state.status == Status.COMPLETED

    chat.check([("@yes", "I have sent it to the board. Your reference is ICF-2026-00000001.")])
    assert Submit("ICF-2026-00000001") in chat.effects
    assert chat.state.status == Status.SUBMITTED
    assert chat.step == "finished"
    assert chat.state.content_version == engine.content.version
    chat.check([("/back", "nowhere to go back to")])  # a sent evaluation stays as it was sent
    assert chat.step == "finished"
