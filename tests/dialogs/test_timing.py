"""How long a check takes: the turns and words counted with the engine, the minutes the welcome says.

The content file ([tool.timing]) states each walk's taps, typed answers and words read, a reading
speed and the seconds an answer takes; the welcome's minutes are worked out from them. These tests
count the walks again with the engine, so the stated counts cannot drift from the conversation, and
check that the minutes fall inside the times people took when the tool was tried.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass

import pytest

from dialogs import Content, Context, Engine, Event, Outcome, render
from dialogs.content import parse_content
from tests.conftest import FixedIds

from .dialog import Dialog
from .test_content import SHIPPED

LANGUAGES = ("en", "ar", "gu", "pa", "pl", "ro", "ur")  # as the web chat offers them
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")
DRIFT = 0.10  # words read may change by a tenth (a message reworded) before the stated count is stale


@dataclass
class Counted:
    taps: int = 0
    typed: int = 0
    words: int = 0


def _read(outcome: Outcome, context: Context) -> int:
    """The English words a person reads in the replies: every line, and the answers offered (not
    the same Back / Skip / Help buttons under every question)."""
    shown = [render(line, context.translator) for reply in outcome.replies for line in reply.lines]
    shown += [render(c.label, context.translator) for c in outcome.replies[-1].answer_choices]
    return sum(len(WORDS.findall(text)) for text in shown)


def walk(engine: Engine, script: list[str]) -> Counted:
    """Start, then send each of ``script`` ("@id" taps a choice, anything else is typed)."""
    context = Context(translator=gettext.NullTranslations(), languages=LANGUAGES)
    outcome = engine.start(context)
    counted = Counted(words=_read(outcome, context))
    for said in script:
        tapped = said.startswith("@")
        event = Event.choice(said[1:]) if tapped else Event.text(said)
        before = outcome.state.position.step
        outcome = engine.handle(outcome.state, event, context)
        assert outcome.state.position.step != before or tapped, f"{said!r} was not taken at {before}"
        counted.taps += tapped
        counted.typed += not tapped
        counted.words += _read(outcome, context)
    return counted


def annual_script(content: Content) -> list[str]:
    """A fluent annual evaluation for a team: every question answered, the suggested score agreed,
    a few words for each reflection, story and action, one kind of evidence and of help, no owner
    or date, and no restorative checklist."""
    said = ["@en", "@annual", "@team", "Kirklees Youth Trust", "Blue Team"]
    engine = Engine(content, FixedIds())
    for approach in content.approaches:
        answers = ["yes", "partly"] * len(approach.questions)
        checklist = dict(zip((q.id for q in approach.questions), answers, strict=False))
        said += [f"@{checklist[q.id]}" for q in approach.questions]
        said += [f"@{engine.suggest_score(approach.id, checklist)}", "@some"]
        said += ["The café went well; we would start sooner.", "@lived", "@done"]
        said += ["We ran a welcome café with the library.", "@training", "@done"]
        said += ["Hold a partner lunch every term.", "@/skip", "@/skip"]
    return [*said, "@no", "@ok", "@board"]


def activity_script(content: Content) -> list[str]:
    """An activity check over three approaches: a score, a story, one kind of help and an action each."""
    said = ["@en", "@activity", "Ravensthorpe Friends", "Girls' park sessions"]
    picked = [a.id for a in content.approaches[:3]]
    said += [f"@{a}" for a in picked] + ["@done"]
    for _ in picked:
        said += ["@4", "The girls chose the new benches.", "@time", "@done"]
    said += ["Book the hall for the summer.", "@/skip", "@/skip"]  # one action, after the last part
    return [*said, "@ok", "@board"]


def restorative_script(content: Content) -> list[str]:
    """The restorative checklist on its own: saying yes to it, then an answer to each prompt."""
    return ["@yes"] + ["@yes"] * len(content.restorative_prompts())


def _restorative(engine: Engine) -> Counted:
    """Counted from the offer: the annual evaluation up to it is not part of this walk."""
    context = Context(translator=gettext.NullTranslations(), languages=LANGUAGES)
    chat = Dialog(engine, context)
    chat.send(None)
    for said in ["@en", "@annual", "@organisation", "Kirklees Youth Trust"]:
        chat.send(said)
    while chat.step != "restorative_offer":
        chat.send("/skip")
    assert chat.state is not None and chat.last is not None
    counted = Counted(words=_read(chat.last, context))
    outcome = chat.last
    for said in restorative_script(engine.content):
        outcome = engine.handle(outcome.state, Event.choice(said[1:]), context)
        counted.taps += 1
        counted.words += _read(outcome, context)
    assert outcome.state.position.step == "review"
    return counted


def measured(engine: Engine, walk_id: str) -> Counted:
    content = engine.content
    if walk_id == "restorative":
        return _restorative(engine)
    script = annual_script(content) if walk_id == "annual" else activity_script(content)
    return walk(engine, script)


@pytest.mark.parametrize("walk_id", ["annual", "activity", "restorative"])
def test_the_stated_counts_are_the_engines(engine: Engine, walk_id: str) -> None:
    stated = engine.content.timing.walk(walk_id)
    counted = measured(engine, walk_id)
    update = f"update [[tool.timing.walks]] id = {walk_id!r} to: {counted}"
    assert (stated.taps, stated.typed) == (counted.taps, counted.typed), update
    assert abs(stated.words - counted.words) <= DRIFT * counted.words, update


@pytest.mark.parametrize("walk_id", ["annual", "activity"])
def test_the_rates_give_the_times_people_took(content: Content, walk_id: str) -> None:
    """On the version people were timed on: the estimates for the conversation as it is now follow
    from its own counts at the same rates."""
    timing = content.timing
    tried = next(t for t in timing.tried if t.id == walk_id)
    low, high = tried.minutes
    assert low <= timing.minutes_of(tried.walk) <= high
    if tried.second_language_minutes is not None:
        low, high = tried.second_language_minutes
        assert low <= timing.minutes_of(tried.walk, second_language=True) <= high
    assert timing.minutes(walk_id) >= timing.minutes_of(tried.walk)  # it asks more now, never less


def test_the_welcome_gives_the_minutes_from_the_content(content: Content) -> None:
    chat = Dialog(Engine(content, FixedIds()), Context(translator=gettext.NullTranslations()))
    annual, activity = content.timing.minutes("annual"), content.timing.minutes("activity")
    chat.check([(None, "choose_scope", f"A yearly check takes about {annual} minutes.")])
    assert f"A quick check of one activity takes about {activity} minutes." in chat.shown(chat.last.replies)  # type: ignore[union-attr]
    slower = SHIPPED.replace("words_per_minute = 240\n", "words_per_minute = 60\n")
    assert slower != SHIPPED
    slow = parse_content(slower)
    assert slow.timing.minutes("annual") > annual
    later = Dialog(Engine(slow, FixedIds()), Context(translator=gettext.NullTranslations()))
    later.check(
        [(None, "choose_scope", f"A yearly check takes about {slow.timing.minutes('annual')} minutes.")]
    )


def test_one_minute_is_said_as_one() -> None:
    quick = SHIPPED.replace("seconds_per_tap = 2\n", "seconds_per_tap = 0\n").replace(
        "seconds_per_typed_answer = 40\n", "seconds_per_typed_answer = 0\n"
    )
    quick = re.sub(r"(id = \"activity\"\ntaps = \d+\ntyped = \d+\nwords = )\d+", r"\g<1>200", quick)
    content = parse_content(quick)
    assert content.timing.minutes("activity") == 1
    chat = Dialog(Engine(content, FixedIds()), Context(translator=gettext.NullTranslations()))
    chat.check([(None, "choose_scope", "A quick check of one activity takes about 1 minute.")])
