"""Every language all the way through: a whole annual evaluation and an activity check over the API,
typed as a speaker types (their own words for "back" and "skip", their own digits), with every
reply read back for English."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI

from bot.settings import Settings
from bot.translations import LOCALES_DIR
from bot.web import create_app
from dialogs import load_default_content
from tests.conftest import Clock, FixedIds
from tests.web.chat_client import ApiChat

NON_LATIN = {"ur", "ar", "pa", "gu"}
# Left in English on purpose: the framework's own name and the board's, which stay as they are.
PROPER_NAMES = {"Kirklees", "Inclusive", "Communities", "Framework", "ICF", "Partnership", "Board"}
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}|ICF-\d{4}-[0-9A-Z]+|https?://\S+")


class Speaker:
    """How a speaker of the language types: their words for commands, their digits, their story."""

    def __init__(self, language: str, back: str, skip: str, digits: str, words: str) -> None:
        self.language, self.back, self.skip, self.digits, self.words = language, back, skip, digits, words

    def number(self, n: int) -> str:
        return "".join(self.digits[int(d)] for d in str(n))


SPEAKERS = [
    Speaker("ur", "پیچھے", "چھوڑیں", "۰۱۲۳۴۵۶۷۸۹", "ہم نے ہر ہفتے والدین سے ملاقات کی۔"),
    Speaker("ar", "رجوع", "تخطي", "٠١٢٣٤٥٦٧٨٩", "التقينا بالأهالي كل أسبوع."),
    Speaker("pa", "ਪਿੱਛੇ", "ਛੱਡੋ", "੦੧੨੩੪੫੬੭੮੯", "ਅਸੀਂ ਹਰ ਹਫ਼ਤੇ ਮਾਪਿਆਂ ਨੂੰ ਮਿਲੇ।"),
    Speaker("gu", "પાછળ", "છોડો", "૦૧૨૩૪૫૬૭૮૯", "અમે દર અઠવાડિયે વાલીઓને મળ્યા."),
    Speaker("pl", "wstecz", "pomiń", "0123456789", "Co tydzień spotykaliśmy się z rodzicami."),
    Speaker("ro", "înapoi", "omite", "0123456789", "Ne-am întâlnit cu părinții în fiecare săptămână."),
]


def english_sources() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as pot:
        return {m.id for m in read_po(pot) if isinstance(m.id, str) and m.id}


def english_in(text: str, typed: set[str], language: str, sources: set[str]) -> list[str]:
    """English in what the person read: Latin words (non-Latin languages), or whole English
    sentences and labels (Polish, Romanian). Their own words and codes do not count."""
    for mine in sorted(typed, key=len, reverse=True):
        text = text.replace(mine, " ")
    text = CODE.sub(" ", text)
    if language in NON_LATIN:
        return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in PROPER_NAMES]
    pieces = [p.strip() for p in re.split(r"\n+", text) if p.strip()]
    return [p for p in pieces if p in sources and not set(re.findall(r"[A-Za-z]{2,}", p)) <= PROPER_NAMES]


class ReadBack:
    def __init__(self, chat: ApiChat, speaker: Speaker) -> None:
        self.chat, self.speaker = chat, speaker
        self.typed: set[str] = set()
        self.english: list[tuple[str, str]] = []
        self.sources = english_sources()
        self.turn = 0

    def read(self) -> None:
        for reply in self.chat.last["replies"]:
            shown = [reply["text"], reply["progress"] or "", *(c["label"] for c in reply["choices"])]
            for text in shown:
                found = english_in(text, self.typed, self.speaker.language, self.sources)
                self.english += [(reply["step"], word) for word in found]

    async def tap(self, choice: str) -> None:
        await self.chat.say(f"@{choice}")
        self.read()

    async def type(self, text: str) -> None:
        self.typed.add(text)
        await self.chat.say(text)
        self.read()

    async def answer(self) -> None:
        """Answer whatever is asked, as this speaker would: by number in their digits every other
        time, by tapping otherwise; in their own words where words are wanted."""
        self.turn += 1
        reply = self.chat.last["replies"][-1]
        answers = [c for c in reply["choices"] if c["kind"] == "answer"]
        step = reply["step"]
        if reply["multiple"]:
            chosen = [c for c in answers if c["selected"]]
            pick = answers[0] if not chosen and answers[0]["id"] != "done" else answers[-1]
            await self.tap(pick["id"])
        elif reply["free_text"] and not answers or step in {"organisation", "action_owner"}:
            await self.type(f"{self.speaker.words} {self.turn}")
        elif answers:
            first = next((c for c in answers if c["id"] not in {"same", "keep"}), answers[0])
            if step == "consent":
                await self.tap("board")
            elif self.turn % 2:
                await self.type(self.speaker.number(answers.index(first) + 1))
            else:
                await self.tap(first["id"])
        else:
            raise AssertionError(f"nothing to answer at {step}")


@pytest.fixture
async def unhurried(settings: Settings, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """The app without its per-minute limits: a whole evaluation here takes a second, not twenty
    minutes, and a person's pace is not what this test is about."""
    app: FastAPI = create_app(
        replace(settings, rate_per_client=0, rate_per_conversation=0), clock=clock, ids=FixedIds()
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.mark.parametrize("speaker", SPEAKERS, ids=lambda s: s.language)
@pytest.mark.parametrize("scope", ["annual", "activity"])
async def test_a_whole_evaluation_reads_in_the_persons_language(
    unhurried: httpx.AsyncClient, speaker: Speaker, scope: str
) -> None:
    chat = ApiChat(unhurried)
    await chat.start(language=None)
    talk = ReadBack(chat, speaker)
    await talk.tap(speaker.language)
    assert chat.last["language"] == speaker.language
    await talk.tap(scope)
    if scope == "activity":
        await talk.type(f"{speaker.words} 0")  # the organisation
        await talk.type(f"{speaker.words} 00")  # the activity
        await talk.tap("trusting")
        await talk.tap("celebrating")
        await talk.tap("done")
    asked_back = said_skip = False
    for _ in range(200):
        step = chat.last["step"]
        if step == "finished":
            break
        if step == "story" and not asked_back:  # their word for "back", where a story is wanted
            asked_back = True
            await talk.type(speaker.back)
            assert chat.last["step"] == "check_typed", f"{speaker.back!r} was not recognised as back"
            await talk.tap("command")
            continue
        if step == "score" and not said_skip:  # their word for "skip", where a choice is wanted
            said_skip = True
            await talk.type(speaker.skip)
            assert chat.last["step"] != "score", f"{speaker.skip!r} was not recognised as skip"
            continue
        if talk.turn == 5:
            await talk.tap("/summary")
            await talk.tap("/help")
        await talk.answer()
    assert chat.last["status"] == "submitted", chat.last["step"]
    page = await plan_page_text(unhurried, chat)
    names, name_words = framework_names()
    found = english_in(page, talk.typed | names, speaker.language, talk.sources)
    talk.english += [("plan page", w) for w in found if w not in name_words]
    assert talk.english == [], f"English in the {speaker.language} conversation: {talk.english}"


async def plan_page_text(http: httpx.AsyncClient, chat: ApiChat) -> str:
    """The words of the printable plan page, as a reader sees them (tags, scripts and styles gone)."""
    link = await http.post(f"/api/conversations/{chat.id}/plan-link", headers=chat.headers)
    page = (await http.get(link.json()["url"])).text
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def framework_names() -> tuple[set[str], set[str]]:
    """What the plan keeps in English on purpose: the framework's original wordings (its appendix,
    for the board) and the names of case studies and ways of working, to look up in the framework;
    and those names' words, which a sentence in another script may use alone ("Healthwatch")."""
    content = load_default_content()
    originals = {q.original for a in content.approaches for q in a.questions}
    originals |= {h.original for h in content.restorative} | {
        q.original for _, q in content.restorative_prompts()
    }
    names = {c.name for a in content.approaches for c in a.case_studies}
    names |= {b.name for b in content.practice_bases.values()}
    return originals | names, {w for name in names for w in re.findall(r"[A-Za-z]{2,}", name)}
