"""The plan's suggested re-checks as a calendar file (.ics), made with the ``icalendar`` library.

One all-day event per approach that scored 1 or 2, on the date the plan suggests. Each event's UID
names the evaluation and the approach, so downloading the file again updates the same entries
instead of adding new ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from dialogs import Plan, Text, Translator, render
from dialogs import messages as m

__all__ = ["calendar_file"]

PRODUCT = "-//Kirklees ICF self-evaluation assistant//EN"


def calendar_file(plan: Plan, evaluation_id: str, translator: Translator, made_at: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    who = Text(plan.who, verbatim=True)
    for recheck in plan.rechecks:
        event = Event()
        event.add("uid", f"{evaluation_id}-{recheck.approach}@icf-assistant")
        event.add("dtstamp", made_at)
        event.add("dtstart", recheck.on)
        event.add("dtend", recheck.on + timedelta(days=1))
        event.add("summary", render(Text(m.RECHECK_EVENT, {"name": Text(recheck.name)}), translator))
        event.add("description", render(Text(m.RECHECK_EVENT_TEXT, {"who": who}), translator))
        calendar.add_component(event)
    return bytes(calendar.to_ical())
