"""Moving around: back, skip, help, language, delete, and input the engine does not expect."""

from __future__ import annotations

import gettext

from dialogs import Context, Engine, Erase, Event, Status

from .dialog import Dialog


def started(engine: Engine, context: Context) -> Dialog:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@annual", "choose_level", "Who are you answering for?"),
            ("@organisation", "organisation", "What is the name of your organisation?"),
            ("Ashbrow Youth Panel", "checklist", "Question 1 of 4"),
        ]
    )
    return chat


def to_the_story(engine: Engine, context: Context) -> Dialog:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Ravensthorpe Friends", "activity_name", "What is the activity called?"),
            ("Park sessions", "pick_approaches", "Which ways of working does this activity use?"),
            ("@trusting", "pick_approaches", "Which ways of working does this activity use?"),
            ("@done", "score", "Trusting: how well does this describe your work?"),
            ("@4", "story", "Trusting: please tell me a short story"),
        ]
    )
    return chat


def test_back_at_the_start_and_skip_when_needed_are_explained(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("/back", "choose_scope", "there is nowhere to go back to"),
            ("/skip", "choose_scope", "This one is needed, so it cannot be skipped."),
            ("/frobnicate", "choose_scope", "Sorry, I do not know that command."),
        ]
    )


def test_help_says_what_the_step_expects(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    for _ in range(4):
        chat.send("@yes")
    chat.check(
        [
            ("help", "score", "5 means this is how you always work"),
            ("/help", "score", "Connecting: how well does this describe your work?"),
        ]
    )


def test_every_reply_offers_the_commands_as_choices_with_stable_ids(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    nav = {c.id: c.secondary for c in chat.last.replies[-1].choices if c.kind == "nav"}  # type: ignore[union-attr]
    assert nav == {
        "/back": False,
        "/skip": False,
        "/help": False,
        "/pause": True,
        "/summary": True,
        "/language": True,
        "/delete": True,
    }
    chat.check([("@/summary", "checklist", "Here is a summary so far.")])  # tapped, not typed
    chat.check([("@/pause", "paused", "Your code is")])


def test_delete_asks_first_and_then_erases_everything(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    chat.check(
        [
            ("/delete", "confirm_delete", "Do you want to delete everything"),
            ("@no", "checklist", "OK, we will carry on."),
            ("@yes", "checklist", "Question 2 of 4"),
            ("/delete", "confirm_delete", "cannot be undone"),
            ("@yes", "deleted", "has been deleted"),
        ]
    )
    assert chat.state is not None
    assert chat.state.status == Status.DELETED
    assert chat.state.answers.organisation is None and chat.state.answers.by_approach == {}
    assert Erase() in chat.effects
    chat.check([("hello?", "deleted", "This check was deleted. Please start a new one.")])


def test_too_long_and_empty_text_get_a_kind_answer_and_change_nothing(
    engine: Engine, context: Context
) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like"),
            ("@activity", "organisation", "What is the name of your organisation?"),
        ]
    )
    before = chat.state
    chat.check(
        [
            ("x" * 4001, "organisation", "Please keep it under 4,000 characters."),
            ("  \x00\x07 ", "organisation", "I did not get any words."),
        ]
    )
    assert chat.state == before


def test_control_characters_are_dropped_but_words_kept(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Fartown\x00 Boxing\x1b Club", "activity_name", "What is the activity called?"),
        ]
    )
    assert chat.state is not None and chat.state.answers.organisation == "Fartown Boxing Club"


def test_terminal_keys_sent_as_escape_sequences_are_not_kept_as_words(
    engine: Engine, context: Context
) -> None:
    # A terminal without line editing sends Left as ESC [ D and Delete as ESC [ 3 ~: the whole
    # sequence goes, not only the ESC (which left "[D" in the answer).
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Holme\x1b[D\x1b[3~ Valley\x1bOP", "activity_name", "What is the activity called?"),
        ]
    )
    assert chat.state is not None and chat.state.answers.organisation == "Holme Valley"


def test_bidirectional_controls_cannot_disguise_a_name_or_a_story(engine: Engine, context: Context) -> None:
    chat = to_the_story(engine, context)
    chat.check(
        [("Our \u202egnp.exe\u202c story\u2067 here", "support", "What would help you do more of this?")]
    )
    assert chat.state is not None
    assert chat.state.answers.by_approach["trusting"].story == "Our gnp.exe story here"
    fresh = Dialog(engine, context)
    fresh.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Org \u202egnp.exe\u200f  ", "activity_name", "What is the activity called?"),
        ]
    )
    assert fresh.state is not None and fresh.state.answers.organisation == "Org gnp.exe"


def test_the_engine_never_changes_the_state_it_was_given(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    assert chat.state is not None
    snapshot = chat.state.to_json()
    engine.handle(chat.state, Event.choice("yes"), context)
    engine.handle(chat.state, Event.text("/delete"), context)
    assert chat.state.to_json() == snapshot


def test_switching_language_keeps_every_answer(engine: Engine) -> None:
    context = Context(translator=gettext.NullTranslations(), languages=("en", "pl"))
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_language", "Which language would you like to use?"),
            ("@en", "choose_scope", "What would you like to do?"),
            ("@annual", "choose_level", "Who are you answering for?"),
            ("@organisation", "organisation", "What is the name of your organisation?"),
            ("Iroko", "checklist", "Question 1 of 4"),
            ("@yes", "checklist", "Question 2"),
            ("/language", "choose_language", "Which language"),
            ("@pl", "checklist", "Question 2 of 4"),
        ]
    )
    assert chat.state is not None
    assert chat.state.language == "pl"
    assert chat.state.answers.organisation == "Iroko"
    assert chat.state.answers.by_approach["connecting"].checklist == {"connecting.1": "yes"}


def test_a_paused_conversation_resumes_on_any_message(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    chat.check([("/pause", "paused", "Your code is"), ("I am back", "checklist", "Welcome back!")])
    assert chat.state is not None and chat.state.answers.notes == []  # not taken as an answer


def test_score_is_suggested_from_the_checklist(engine: Engine) -> None:
    assert engine.suggest_score("connecting", {}) is None
    assert engine.suggest_score("connecting", {"a": "not_sure"}) is None
    assert engine.suggest_score("connecting", {"a": "yes", "b": "yes"}) == 5
    assert engine.suggest_score("connecting", {"a": "not_yet", "b": "not_yet"}) == 1
    assert engine.suggest_score("connecting", {"a": "partly", "b": "partly", "c": "not_sure"}) == 3
