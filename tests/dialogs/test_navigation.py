"""Moving around: back, skip, help, language, delete, and input the engine does not expect."""

from __future__ import annotations

import gettext

from dialogs import Context, Engine, Erase, Event, Status

from .dialog import Dialog


def started(engine: Engine, context: Context) -> Dialog:
    chat = Dialog(engine, context)
    chat.check(
        [(None, "What would you like to do?"), ("@annual", "Who are you"), ("@organisation", "name of")]
    )
    chat.check([("Ashbrow Youth Panel", "Question 1 of 4")])
    return chat


def test_back_at_the_start_and_skip_when_needed_are_explained(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "What would you like to do?"),
            ("/back", "there is nowhere to go back to"),
            ("/skip", "This one is needed, so it cannot be skipped."),
            ("/frobnicate", "Sorry, I do not know that command."),
        ]
    )
    assert chat.step == "choose_scope"


def test_help_says_what_the_step_expects(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    for _ in range(4):
        chat.send("@yes")
    chat.check([("help", "5 means this is how you always work"), ("/help", "How well does Connecting")])


def test_delete_asks_first_and_then_erases_everything(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    chat.check(
        [
            ("/delete", "Do you want to delete everything"),
            ("@no", "OK, we will carry on."),
        ]
    )
    assert chat.step == "checklist"
    chat.check([("@yes", "Question 2 of 4"), ("/delete", "cannot be undone"), ("@yes", "has been deleted")])
    assert chat.state is not None
    assert chat.state.status == Status.DELETED
    assert chat.state.answers.organisation is None and chat.state.answers.by_approach == {}
    assert Erase() in chat.effects
    chat.check([("hello?", "This check was deleted. Please start a new one.")])


def test_too_long_and_empty_text_get_a_kind_answer_and_change_nothing(
    engine: Engine, context: Context
) -> None:
    chat = Dialog(engine, context)
    chat.check([(None, "What would you like"), ("@activity", "name of your organisation")])
    before = chat.state
    chat.check(
        [("x" * 4001, "Please keep it under 4,000 characters."), ("  \x00\x07 ", "I did not get any words.")]
    )
    assert chat.state == before


def test_control_characters_are_dropped_but_words_kept(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [(None, "What would"), ("@activity", "organisation"), ("Fartown\x00 Boxing\x1b Club", "activity")]
    )
    assert chat.state is not None and chat.state.answers.organisation == "Fartown Boxing Club"


def test_terminal_keys_sent_as_escape_sequences_are_not_kept_as_words(
    engine: Engine, context: Context
) -> None:
    # A terminal without line editing sends Left as ESC [ D and Delete as ESC [ 3 ~: the whole
    # sequence goes, not only the ESC (which left "[D" in the answer).
    chat = Dialog(engine, context)
    chat.check(
        [(None, "What would"), ("@activity", "organisation"), ("Holme\x1b[D\x1b[3~ Valley\x1bOP", "activity")]
    )
    assert chat.state is not None and chat.state.answers.organisation == "Holme Valley"


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
    chat.check([(None, "Which language would you like to use?"), ("@en", "What would you like to do?")])
    chat.check(
        [("@annual", "Who"), ("@organisation", "name"), ("Iroko", "Question 1 of 4"), ("@yes", "Question 2")]
    )
    chat.check([("/language", "Which language"), ("@pl", "Question 2 of 4")])
    assert chat.state is not None
    assert chat.state.language == "pl"
    assert chat.state.answers.organisation == "Iroko"
    assert chat.state.answers.by_approach["connecting"].checklist == {"connecting.1": "yes"}


def test_a_paused_conversation_resumes_on_any_message(engine: Engine, context: Context) -> None:
    chat = started(engine, context)
    chat.check([("/pause", "Your code is"), ("I am back", "Welcome back!")])
    assert chat.step == "checklist"
    assert chat.state is not None and chat.state.answers.notes == []  # not taken as an answer


def test_score_is_suggested_from_the_checklist(engine: Engine) -> None:
    assert engine.suggest_score("connecting", {}) is None
    assert engine.suggest_score("connecting", {"a": "not_sure"}) is None
    assert engine.suggest_score("connecting", {"a": "yes", "b": "yes"}) == 5
    assert engine.suggest_score("connecting", {"a": "not_yet", "b": "not_yet"}) == 1
    assert engine.suggest_score("connecting", {"a": "partly", "b": "partly", "c": "not_sure"}) == 3
