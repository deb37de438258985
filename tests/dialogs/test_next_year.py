"""Next year starts from this year: last year's answers offered back one tap away, and the optional
restorative checklist after the five approaches."""

from __future__ import annotations

from dialogs import Context, Engine
from dialogs.state import Answers, ApproachAnswers, Previous

from .dialog import Dialog


def last_year() -> Previous:
    answers = Answers(
        scope="annual",
        level="team",
        organisation="Locala",
        unit="Blue Team",
        approaches=["connecting", "communicating", "equalising", "trusting", "celebrating"],
        by_approach={
            "connecting": ApproachAnswers(
                checklist={"connecting.1": "partly", "connecting.2": "not_yet"}, score=2, confidence="low"
            )
        },
    )
    return Previous(year=2025, answers=answers, baseline_year=2024, baseline_scores={"connecting": 1})


def test_last_years_answers_are_one_tap_away(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.last = engine.start(context, previous=last_year())
    chat.state = chat.last.state
    chat.check([("@annual", "choose_level", "Who are you answering for?")])
    assert chat.choice_ids()[0] == "same"
    assert "Still the same (A team)" in chat.shown_choices()
    chat.check(
        [
            ("@same", "organisation", "What is the name of your organisation?"),
            ("@same", "unit_name", "What is the name of the team?"),
            ("@same", "checklist", "Question 1 of 4"),
        ]
    )
    assert chat.state is not None
    assert (chat.state.answers.level, chat.state.answers.organisation, chat.state.answers.unit) == (
        "team",
        "Locala",
        "Blue Team",
    )
    same = chat.last.replies[-1].choices[0]  # type: ignore[union-attr]
    assert same.id == "same" and same.label.params["answer"].msgid == "Partly"  # type: ignore[union-attr]
    chat.check(
        [
            ("@same", "checklist", "Question 2 of 4"),
            ("@yes", "checklist", "Question 3 of 4"),  # things change: a new answer, as usual
            ("/skip", "checklist", "Question 4 of 4"),
            ("/skip", "score", "Last year you chose 2."),
        ]
    )
    assert chat.state.answers.by_approach["connecting"].checklist == {
        "connecting.1": "partly",
        "connecting.2": "yes",
    }
    chat.check(
        [
            ("@3", "confidence", "How sure does your team feel about working this way?"),
            ("@same", "reflection", "What went well?"),
        ]
    )
    assert chat.state.answers.by_approach["connecting"].confidence == "low"


def test_nothing_from_last_year_is_offered_without_it(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@annual", "choose_level", "Who are you answering for?"),
        ]
    )
    assert "same" not in chat.choice_ids()


def test_the_restorative_checklist_is_an_optional_extra_part(engine: Engine, context: Context) -> None:
    chat = Dialog(engine, context)
    chat.check(
        [
            (None, "choose_scope", "What would you like to do?"),
            ("@annual", "choose_level", "Who are you answering for?"),
            ("@organisation", "organisation", "What is the name of your organisation?"),
            ("Kirklees Restorative Network", "checklist", "Question 1 of 4"),
        ]
    )
    while chat.step != "restorative_offer":
        chat.send("/skip")
    chat.check(
        [
            ("/help", "restorative_offer", "Would you like to do it?"),
            ("@yes", "restorative", "First: how you get on with people"),
        ]
    )
    assert chat.progress() == "Extra part · question 1 of 20"
    chat.check(
        [
            ("@yes", "restorative", "Question 2 of 20: Do you know how to build stronger links"),
            ("@partly", "restorative", "Question 3 of 20: Do you look for chances"),
            ("@yes", "restorative", "Question 4 of 20: Do people treat each other with care"),
            ("@not_yet", "restorative", "Next: working with people"),
        ]
    )
    while chat.step == "restorative":
        chat.send("/skip")
    assert chat.step == "review"
    assert chat.state is not None
    assert chat.state.answers.restorative == {
        "relationships.1": "yes",
        "relationships.1b": "partly",
        "relationships.2": "yes",
        "relationships.3": "not_yet",
    }
