"""A whole evaluation over WhatsApp, through the signed webhook and a fake Graph API on loopback."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select

from dialogs import load_default_content
from storage import ChannelLink, InboxMessage, Lane, OutboxMessage, Submission, TranscriptEntry
from tests.fakes import graph_api as graph
from tests.fakes.graph_api import FakeGraphApi

from .conftest import WhatsAppDriver

# How many plain questions each approach asks, in order, as the content has them.
QUESTIONS = tuple(len(a.questions) for a in load_default_content().approaches)


async def count(app: FastAPI, model: type) -> int:
    async with app.state.service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def start_annual(whatsapp: WhatsAppDriver, organisation: str = "Kirklees Youth Trust") -> None:
    shown = await whatsapp.type("Hello")  # a first message starts, whatever it says
    assert "Which language would you like to use?" in shown[-1]
    assert "What would you like to do?" in (await whatsapp.tap("English"))[-1]
    assert "Who are you answering for?" in (await whatsapp.tap("yearly check"))[-1]
    assert "name of your organisation" in (await whatsapp.tap("whole organisation"))[-1]
    assert "Next: Connecting." in (await whatsapp.type(organisation))[-1]


async def test_a_complete_annual_evaluation_over_whatsapp(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await start_annual(whatsapp)
    for questions in QUESTIONS:
        for _ in range(questions):
            await whatsapp.tap("Yes")
        await whatsapp.tap("5:")
        await whatsapp.tap("High")
        await whatsapp.tap("Skip")  # what went well
        await whatsapp.tap("Done")  # what shows it
        await whatsapp.type("We met parents at the school gate every week.")
        await whatsapp.tap("Training")  # a several-answer question: a list again, the pick ticked
        assert "✅ Training" in str(graph_api.last_interactive())
        await whatsapp.tap("Done")
        await whatsapp.type("Invite two new partners.")
        await whatsapp.tap("Skip")  # who
        await whatsapp.tap("Skip")  # by when
    shown = await whatsapp.tap("No, thank you")  # the restorative checklist
    assert "Here is what you told me." in shown[-1]
    shown = await whatsapp.tap("Show my plan")
    assert any("Here is your support plan." in text for text in shown)
    assert any("You can open your plan to print or save it here: http" in text for text in shown)
    uploads, documents = graph_api.called("media"), graph_api.called("document")
    assert len(uploads) == 1 and b"Kirklees Youth Trust" in uploads[0]["file"]["content"]
    assert len(documents) == 1 and documents[0]["document"]["filename"] == "support-plan.html"
    assert documents[0]["document"]["id"] in graph_api.media  # the file uploaded, then sent
    shown = await whatsapp.tap("Send to the board")
    assert "Your reference is ICF-2026-00000001." in shown[0]
    assert await count(whatsapp.app, Submission) == 1
    # the person's messages were marked read; every call went to their number, and no number is kept
    assert len(graph_api.called("read")) > 30
    assert {c.to for c in graph_api.calls if c.method != "media"} <= {graph.WA_ID, ""}
    async with whatsapp.app.state.service.sessions() as session:
        addresses = set((await session.execute(select(OutboxMessage.address))).scalars())
        addresses |= set((await session.execute(select(ChannelLink.external_id))).scalars())
        inbox = (await session.execute(select(InboxMessage.payload))).scalars().all()
        transcript = (await session.execute(select(TranscriptEntry.text))).scalars().all()
    assert len(addresses) == 1 and graph.WA_ID not in next(iter(addresses))
    assert graph.WA_ID not in str(inbox) + str(transcript)


async def test_the_webhook_is_verified_with_the_verify_token(whatsapp: WhatsAppDriver) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": graph.VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = await whatsapp.http.get("/whatsapp/webhook", params=query)
    assert answer.status_code == 200 and answer.text == "1158201444"
    for wrong in ({**query, "hub.verify_token": "not-it"}, {**query, "hub.mode": "unsubscribe"}, {}):
        refused = await whatsapp.http.get("/whatsapp/webhook", params=wrong)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


async def test_a_bad_or_missing_signature_gets_403_and_stores_nothing(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    payload = graph.text("Hello")
    for secret in (None, "not-the-app-secret-0123456789", ""):
        response = await whatsapp.post(payload, secret=secret)
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    body = graph.raw(payload)
    tampered = body.replace(b"Hello", b"Hellp")
    headers = {"X-Hub-Signature-256": graph.signature(body), "Content-Type": "application/json"}
    response = await whatsapp.http.post("/whatsapp/webhook", content=tampered, headers=headers)
    assert response.status_code == 403
    await whatsapp.settled()
    assert await count(whatsapp.app, InboxMessage) == 0 and await count(whatsapp.app, Lane) == 0
    assert graph_api.calls == []


async def test_the_same_wamid_twice_is_applied_once(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await start_annual(whatsapp)
    kind, option, title = graph_api.option("Yes")
    tap = graph.tapped(kind, option, title)
    first = await whatsapp.send(tap)
    entries = await count(whatsapp.app, TranscriptEntry)
    calls = len(graph_api.calls)
    again = await whatsapp.send(tap)  # Meta sends a webhook again when it saw no 200 in time
    assert "Question 2 of 4" in first[-1] and again == []
    assert await count(whatsapp.app, TranscriptEntry) == entries and len(graph_api.calls) == calls
    assert await count(whatsapp.app, InboxMessage) == 5 + 1  # the repeat was not stored again


async def test_what_is_not_text_gets_a_kind_answer_and_loses_nothing(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await start_annual(whatsapp)
    for sent in (graph.audio(), graph.reaction(), graph.image()):
        assert (await whatsapp.send(sent))[
            -1
        ] == "Sorry, I can only read text. Please type your answer or tap a button."
    # words under a photo are the person's words, as on Telegram
    assert "Question 2 of 4" in (await whatsapp.send(graph.image(caption="Yes")))[-1]
    stale = graph.button_reply("1:yes", "Yes")  # a button of an earlier question
    assert await whatsapp.send(stale) == [
        "That button is from an earlier question. Please use the newest one."
    ]
    assert "Question 3 of 4" in (await whatsapp.tap("Yes"))[-1]  # the newest still works
    history = await whatsapp.app.state.service.linked("whatsapp", graph_api_address(whatsapp))
    assert history is not None and history.step == "checklist"


def graph_api_address(whatsapp: WhatsAppDriver) -> str:
    from storage import hash_secret

    return hash_secret(graph.WA_ID, whatsapp.app.state.settings.secret_key)
