"""The re-check dates as a calendar file that calendar programs read: parsed back with the library."""

from __future__ import annotations

import gettext
from datetime import UTC, date, datetime

from icalendar import Calendar

from bot.rechecks import calendar_file
from bot.translations import Catalogs
from dialogs import Content, build_plan
from dialogs.state import Answers, ApproachAnswers, ConversationState, Position, Status


def _plan(content: Content, scores: dict[str, int]) -> object:
    answers = Answers(scope="annual", organisation="Locala", unit="Blue Team", approaches=list(scores))
    answers.by_approach = {a: ApproachAnswers(score=s) for a, s in scores.items()}
    state = ConversationState(Position("finished"), answers=answers, status=Status.COMPLETED)
    return build_plan(state, content, made_on=date(2026, 11, 23))


def test_each_low_score_is_an_all_day_event_six_months_on(content: Content) -> None:
    plan = _plan(content, {"connecting": 2, "trusting": 1, "celebrating": 4})
    made_at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    parsed = Calendar.from_ical(calendar_file(plan, "ev123", gettext.NullTranslations(), made_at))  # type: ignore[arg-type]
    events = sorted(parsed.walk("VEVENT"), key=lambda e: str(e["summary"]))
    assert [str(e["summary"]) for e in events] == [
        "Quick inclusive check: Connecting",
        "Quick inclusive check: Trusting",
    ]
    assert {e.decoded("dtstart") for e in events} == {date(2027, 5, 23)}
    assert {e.decoded("dtend") for e in events} == {date(2027, 5, 24)}
    assert {str(e["uid"]) for e in events} == {
        "ev123-connecting@icf-assistant",
        "ev123-trusting@icf-assistant",
    }
    assert "For: Locala / Blue Team" in str(events[0]["description"])


def test_the_calendar_speaks_the_persons_language(content: Content) -> None:
    plan = _plan(content, {"connecting": 1})
    urdu = Catalogs().translator("ur")
    made_at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    event = Calendar.from_ical(calendar_file(plan, "e", urdu, made_at)).walk("VEVENT")[0]  # type: ignore[arg-type]
    assert str(event["summary"]) != "Quick inclusive check: Connecting"
