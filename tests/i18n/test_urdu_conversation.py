"""A whole conversation in Urdu shows no English but names; switching language keeps every answer."""

from __future__ import annotations

import re

import httpx

from bot.translations import Catalogs
from dialogs import Context, Engine, Reply, Text, load_default_content, messages, render
from tests.dialogs.dialog import Dialog
from tests.web.chat_client import ApiChat

# How many plain questions each approach asks, in order, as the content has them.
QUESTIONS = tuple(len(a.questions) for a in load_default_content().approaches)

# Left in English on purpose: the framework's name, the words people can type as commands, and the
# board's English name given in brackets.
ALLOWED_ENGLISH = {
    "Kirklees",
    "Inclusive",
    "Communities",
    "Framework",
    "Partnership",
    "Board",
    "back",
    "skip",
    "help",
    "pause",
    "summary",
    "language",
    "delete",
}


def urdu_words_shown(replies: tuple[Reply, ...], translator: object) -> set[str]:
    """Latin-script words in what the person sees, not counting what they typed or were given
    verbatim (names, codes, references)."""
    found: set[str] = set()

    def visit(text: Text) -> None:
        if text.verbatim:
            return
        shown = render(Text(text.msgid, {k: "" for k in text.params}, text.plural, text.count), translator)  # type: ignore[arg-type]
        found.update(re.findall(r"[A-Za-z]{2,}", shown))
        for value in text.params.values():
            if isinstance(value, Text):
                visit(value)

    for reply in replies:
        for line in reply.lines:
            visit(line)
        for choice in reply.choices:
            visit(choice.label)
        if reply.progress:
            visit(reply.progress)
    return found


def test_a_complete_annual_evaluation_in_urdu(engine: Engine) -> None:
    catalogs = Catalogs()
    context = Context(translator=catalogs.translator("ur"), languages=catalogs.languages)
    chat = Dialog(engine, context)
    english: set[str] = set()
    turns = [None, "@ur", "@annual", "@team", "خواتین کا مرکز", "نیلی ٹیم"]
    for questions in QUESTIONS:
        turns += ["@yes"] * questions + [
            "@4",
            "@some",
            "/skip",
            "@done",
            "ہم نے والدین سے ملاقات کی۔",
            "/skip",
        ]
        turns += ["@time", "@done", "اگلے سال مزید", "/skip", "/skip", "/skip"]
    turns += ["@no", "/summary", "/help", "@change", "@connecting", "@score", "@5", "@ok", "@board", "/pause"]
    for said in turns:
        chat.send(said)
        assert chat.last is not None
        english |= urdu_words_shown(chat.last.replies, context.translator)
    assert chat.state is not None and chat.state.status == "submitted"
    assert english - ALLOWED_ENGLISH == set()


async def test_switching_language_midway_keeps_every_answer(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    for said in ["@annual", "@organisation", "Iroko", "@yes", "@partly"]:
        await chat.say(said)
    await chat.say("/language")
    shown = await chat.say("@ur")
    assert chat.last["language"] == "ur" and chat.last["direction"] == "rtl"
    urdu = Catalogs().translator("ur")
    third = load_default_content().approach("connecting").questions[2].plain
    question = Text(messages.QUESTION, {"number": 3, "total": 4, "question": Text(third)})
    assert render(question, urdu) in shown  # the same question, now in Urdu
    await chat.say("@yes")
    await chat.say("/language")
    await chat.say("@en")
    summary = await chat.say("/summary")
    assert "For: Iroko" in summary
    stored = await chat.history()
    assert [e["choice"] for e in stored if e["direction"] == "in" and e["choice"] in {"yes", "partly"}] == [
        "yes",
        "partly",
        "yes",
    ]


async def test_codes_stay_whole_inside_right_to_left_sentences(client: httpx.AsyncClient) -> None:
    chat = ApiChat(
        client,
    )
    await chat.start(language="ur")
    shown = await chat.say("/pause")
    assert "\u2068ABCD-EFGH-JK001\u2069" in shown  # isolated, so it reads left to right in one piece
