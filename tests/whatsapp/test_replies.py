"""How replies look on WhatsApp, through the real render and the outbox: many choices as numbered
text, long labels shortened at a word with the whole label kept, long text in pieces; and what
WhatsApp reports later (sent, delivered, read, failed) recorded against the message."""

from __future__ import annotations

import gettext

from sqlalchemy import select

from bot.render import render_reply
from dialogs import Choice, ChoiceKind, Reply, Text
from storage import OutboxMessage, hash_secret, outbox, transaction, utcnow
from storage.outbox import Kind, Queued
from tests.fakes import graph_api as graph
from tests.fakes.graph_api import FakeGraphApi

from .conftest import WhatsAppDriver


async def shown(whatsapp: WhatsAppDriver, reply: Reply) -> list[dict[str, object]]:
    """The reply, rendered as every channel renders it, queued for the chat and delivered."""
    before = len(whatsapp.fake.shown())
    if not whatsapp.fake.shown():
        await whatsapp.type("Hello")  # the number writes first: its chat exists, and the window is open
        before = len(whatsapp.fake.shown())
    rendered = render_reply(reply, gettext.NullTranslations())
    address = hash_secret(graph.WA_ID, whatsapp.app.state.settings.secret_key)
    payload = {"reply": rendered, "version": 7, "context": None, "alone": True}
    async with transaction(whatsapp.app.state.db) as connection:
        await outbox.add(connection, [Queued("whatsapp", address, Kind.REPLY, payload, "en")], utcnow())
    whatsapp.app.state.whatsapp.worker.wake()
    await whatsapp.settled()
    return whatsapp.fake.shown()[before:]


def answers(labels: list[str]) -> tuple[Choice, ...]:
    return tuple(Choice(f"c{n}", Text(label, verbatim=True)) for n, label in enumerate(labels))


BACK = Choice("/back", Text("Back", verbatim=True), ChoiceKind.NAV)
SKIP = Choice("/skip", Text("Skip", verbatim=True), ChoiceKind.NAV)


async def test_twenty_five_choices_are_numbered_text_to_type(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    names = [f"Kirklees group number {n}" for n in range(1, 26)]
    sent = await shown(whatsapp, Reply((Text("Which group?", verbatim=True),), answers(names) + (BACK,)))
    assert [m["type"] for m in sent] == ["text"]
    body = sent[0]["text"]["body"]
    assert body.startswith("Which group?\n\n1. Kirklees group number 1\n")
    assert "\n17. Kirklees group number 17\n" in body and body.endswith("25. Kirklees group number 25")


async def test_up_to_three_are_buttons_four_to_ten_a_list_with_the_whole_labels(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    question = (Text("How sure are you?", verbatim=True),)
    sent = await shown(whatsapp, Reply(question, answers(["Low", "Some"]) + (SKIP,)))
    buttons = sent[0]["interactive"]["action"]["buttons"]
    assert [b["reply"] for b in buttons] == [
        {"id": "7:c0", "title": "Low"},
        {"id": "7:c1", "title": "Some"},
        {"id": "7:/skip", "title": "Skip"},
    ]
    long = ["Connect with someone doing it well", "Backing from leaders", "Funding or resources", "Time"]
    sent = await shown(whatsapp, Reply(question, answers(long) + (BACK, SKIP)))
    rows = sent[0]["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0] == {
        "id": "7:c0",
        "title": "Connect with someone…",
        "description": "Connect with someone doing it well",
    }
    assert [r["title"] for r in rows[1:]] == [
        "Backing from leaders",
        "Funding or resources",
        "Time",
        "Back",
        "Skip",
    ]
    assert sent[0]["interactive"]["action"]["button"] == "Choose an answer"
    # three answers too long for a button go as a list, so nothing is cut off without its whole words
    sent = await shown(whatsapp, Reply(question, answers(long[:3])))
    assert sent[0]["interactive"]["type"] == "list"


async def test_long_text_goes_in_pieces_the_buttons_under_the_last(whatsapp: WhatsAppDriver) -> None:
    story = "\n\n".join(f"Paragraph {n}. " + "We met parents at the school gate. " * 20 for n in range(12))
    sent = await shown(whatsapp, Reply((Text(story, verbatim=True),), answers(["Yes", "No"])))
    assert [m["type"] for m in sent[:-1]] == ["text"] * (len(sent) - 1) and sent[-1]["type"] == "interactive"
    parts = [m["text"]["body"] for m in sent[:-1]] + [sent[-1]["interactive"]["body"]["text"]]
    assert [word for part in parts for word in part.split()] == story.split()  # nothing lost or cut mid-word
    assert all(len(part) <= 4096 for part in parts) and len(parts[-1]) <= 1024


async def test_status_reports_are_recorded_and_a_failed_message_is_sent_again_once(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await whatsapp.type("Hello")
    wamid = next(c.id for c in reversed(graph_api.calls) if c.method == "interactive")
    assert wamid is not None
    for state in ("sent", "delivered", "read"):
        assert (await whatsapp.post(graph.status(wamid, state))).status_code == 200

    async def status() -> tuple[str | None, str | None]:
        async with transaction(whatsapp.app.state.db) as connection:
            row = (
                await connection.execute(
                    select(OutboxMessage.status, OutboxMessage.error).where(
                        OutboxMessage.provider_id == wamid
                    )
                )
            ).one()
        return row.status, row.error

    assert (await status())[0] == "read"
    language_lists = len(graph_api.called("interactive"))
    await whatsapp.send(graph.status(wamid, "failed", code=131000))  # WhatsApp's own trouble: sent again
    assert len(graph_api.called("interactive")) == language_lists + 1
    again = next(c.id for c in reversed(graph_api.calls) if c.method == "interactive")
    assert again is not None
    await whatsapp.send(graph.status(again, "failed", code=131000))  # and failed again: given up, reported
    assert len(graph_api.called("interactive")) == language_lists + 1
    async with transaction(whatsapp.app.state.db) as connection:
        failed = (
            (
                await connection.execute(
                    select(OutboxMessage.error).where(OutboxMessage.failed_at.is_not(None))
                )
            )
            .scalars()
            .all()
        )
    assert any("131000" in str(error) for error in failed)
    # a report about a message that is not ours changes nothing
    assert (await whatsapp.post(graph.status("wamid.not-ours", "failed"))).status_code == 200
