"""Words typed that need a second look before they are kept: a lone command word where a story is
wanted, contact details, a name like one on the board's list, and the digits of every script."""

from __future__ import annotations

import gettext

import pytest

from dialogs import Context, Engine

from .dialog import Dialog
from .test_navigation import started, to_the_story


def test_a_command_word_typed_as_a_story_asks_what_was_meant(engine: Engine, context: Context) -> None:
    chat = to_the_story(engine, context)
    chat.check([("back", "check_typed", "Did you mean to go back, or is that your answer?")])
    chat.check([("@keep", "support", "What would help you do more of this?")])  # it was the story
    assert chat.state is not None and chat.state.answers.by_approach["trusting"].story == "back"

    chat.check([("/back", "story", "Trusting: please tell me a short story")])
    chat.check(
        [
            ("Skip", "check_typed", "Did you mean to skip this question, or is that your answer?"),
            ("@command", "support", "What would help you do more of this?"),  # it was the command
        ]
    )
    assert chat.state.answers.by_approach["trusting"].story == "back", "skipping keeps what was there"


def test_a_command_with_its_slash_or_at_a_choice_step_needs_no_question(
    engine: Engine, context: Context
) -> None:
    chat = to_the_story(engine, context)
    chat.check([("/back", "score", "Trusting: how well does this describe your work?")])
    chat.check(
        [("back", "pick_approaches", "Which ways of working does this activity use?")]
    )  # a choice step: it is a command


def test_contact_details_are_caught_kindly_once(engine: Engine, context: Context) -> None:
    chat = to_the_story(engine, context)
    chat.check(
        [
            (
                "Call Jane Smith on 07700 900123 about her son",
                "check_typed",
                "This looks like someone's contact details.",
            ),
            ("@change", "story", "Trusting: please tell me a short story"),
        ]
    )
    assert chat.state is not None and chat.state.answers.by_approach["trusting"].story is None
    chat.check(
        [
            ("Ask the office (office@holmfirth-friends.example)", "check_typed", "Keep it, or change it?"),
            ("@keep", "support", "What would help you do more of this?"),
        ]
    )
    assert (
        chat.state.answers.by_approach["trusting"].story
        == "Ask the office (office@holmfirth-friends.example)"
    )


@pytest.mark.parametrize(
    "typed",
    ["07700 900 123", "+44 7700 900123", "(01484) 221000", "٠٧٧٠٠٩٠٠١٢٣", "jane.smith@example.org"],
)
def test_phone_numbers_in_any_layout_or_script_and_emails_count(
    engine: Engine, context: Context, typed: str
) -> None:
    chat = to_the_story(engine, context)
    chat.check([(f"Contact: {typed}", "check_typed", "contact details")])


def test_numbers_are_not_mistaken_for_contact_details(engine: Engine, context: Context) -> None:
    chat = to_the_story(engine, context)
    chat.check(
        [("We met 12 times in 2025 and 40 people came.", "support", "What would help you do more of this?")]
    )


@pytest.mark.parametrize("two", ["2", "٢", "۲", "૨", "੨", "२", " 2. "])
def test_native_digits_of_every_script_are_numbers(engine: Engine, context: Context, two: str) -> None:
    chat = started(engine, context)
    chat.check([(two, "checklist", "Question 2 of 4")])
    assert chat.state is not None
    assert chat.state.answers.by_approach["connecting"].checklist == {"connecting.1": "partly"}


def test_a_typed_organisation_is_matched_to_the_boards_list(engine: Engine) -> None:
    partners = tuple(f"Partner {n}" for n in range(20)) + ("Locala Health and Wellbeing", "The Branch")
    context = Context(translator=gettext.NullTranslations(), organisations=partners)
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "Type it, and I will look for it in the list."),
            ("locala", "organisation", "Is it one of these?"),
        ]
    )
    labels = [c.label.msgid for c in chat.last.replies[-1].answer_choices]  # type: ignore[union-attr]
    assert labels == ["Locala Health and Wellbeing", "None of these"]
    chat.check([("@org0", "activity_name", "What is the activity called?")])
    assert chat.state is not None and chat.state.answers.organisation == "Locala Health and Wellbeing"

    other = Dialog(engine, context)
    other.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "look for it"),
            ("the branch", "activity_name", "What is the activity called?"),  # the same name: no question
        ]
    )
    assert other.state is not None and other.state.answers.organisation == "The Branch"
    new = Dialog(engine, context)
    new.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "look for it"),
            ("Partner 7 Friends", "organisation", "Is it one of these?"),
            ("@none", "activity_name", "What is the activity called?"),
        ]
    )
    assert new.state is not None and new.state.answers.organisation == "Partner 7 Friends"


def test_a_story_in_another_language_can_have_an_english_version(engine: Engine) -> None:
    context = Context(translator=gettext.NullTranslations(), languages=("en", "pl"))
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_language", "Which language"),
            ("@pl", "choose_scope", "What would you like to do?"),
            ("@activity", "organisation", "What is the name of your organisation?"),
            ("Polska Szkoła Sobotnia", "activity_name", "What is the activity called?"),
            ("Zajęcia w parku", "pick_approaches", "Which ways of working does this activity use?"),
            ("@trusting", "pick_approaches", "Which ways of working does this activity use?"),
            ("@done", "score", "Trusting: how well does this describe your work?"),
            ("@4", "story", "please tell me a short story"),
            ("Rodzice sami prowadzą zajęcia.", "in_english", "Would you like to add it in English too?"),
            ("Parents run the sessions themselves.", "support", "What would help you do more of this?"),
            ("@done", "action", "what is one thing you will do"),
            ("Zaprosić nowych rodziców.", "in_english", "in English too?"),
            ("/skip", "action_owner", "Who will do it?"),
        ]
    )
    given = chat.state.answers.by_approach["trusting"]  # type: ignore[union-attr]
    assert given.story == "Rodzice sami prowadzą zajęcia."  # the original is kept as written
    assert given.english == {"story": "Parents run the sessions themselves."}
    assert given.action == "Zaprosić nowych rodziców."


def test_a_person_who_skips_the_english_version_is_not_asked_again(engine: Engine) -> None:
    context = Context(translator=gettext.NullTranslations(), languages=("en", "ro"))
    chat = Dialog(engine, context)
    for said in [
        None,
        "@ro",
        "@activity",
        "Prietenii Parcului",
        "Plimbări",
        "@trusting",
        "@celebrating",
        "@done",
        "@4",
    ]:
        chat.send(said)
    chat.check(
        [
            ("Părinții conduc întâlnirile.", "in_english", "Would you like to add it in English too?"),
            ("/skip", "support", "What would help"),
            ("@done", "score", "Celebrating: how well does this describe your work?"),
            ("@5", "story", "Celebrating: please tell me a short story"),
            ("Am sărbătorit împreună ziua parcului.", "support", "What would help"),  # not asked again
        ]
    )
    assert chat.state is not None and chat.state.no_english


def test_contact_details_in_an_action_or_its_owner_are_caught_too(engine: Engine, context: Context) -> None:
    chat = to_the_story(engine, context)
    chat.check(
        [
            ("/skip", "support", "What would help you do more of this?"),
            ("@done", "action", "Trusting: what is one thing you will do in the next 12 months?"),
            ("Ring Asma on ۰۷۷۰۰ ۹۰۰۱۲۳ to book the hall", "check_typed", "contact details"),
            ("@change", "action", "Trusting: what is one thing you will do in the next 12 months?"),
            ("Book the hall for the summer", "action_owner", "Who will do it?"),
            ("asma.khan@example.org", "check_typed", "contact details"),
            ("@change", "action_owner", "Who will do it?"),
            ("Our chair", "action_due", "By when?"),
        ]
    )
    assert chat.state is not None
    given = chat.state.answers.by_approach["trusting"]
    assert (given.action, given.action_owner) == ("Book the hall for the summer", "Our chair")
