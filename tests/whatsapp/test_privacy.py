"""Phone numbers on WhatsApp: kept only as a keyed hash for linking, the number itself only to answer
the chat, both gone when the person deletes their evaluation; reminders only through the
pre-approved template, or not offered at all; the language only from the chat's choice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.settings import Settings
from bot.web import create_app
from storage import ChannelLink, Lane, hash_secret
from storage.models import Reminder
from tests.conftest import Clock, FixedIds
from tests.fakes import graph_api as graph
from tests.fakes.graph_api import FakeGraphApi

from .conftest import WhatsAppDriver, whatsapp_settings

TEMPLATE = "icf_reminder"


async def kept(app: FastAPI) -> tuple[list[str], list[str | None], int]:
    """The chat addresses linked to evaluations, the numbers kept to answer chats, and reminders."""
    async with app.state.service.sessions() as session:
        links = list((await session.execute(select(ChannelLink.external_id))).scalars())
        reaches = list((await session.execute(select(Lane.reach))).scalars())
        reminders = len((await session.execute(select(Reminder.evaluation_id))).scalars().all())
    return links, reaches, reminders


async def low_scored_check(whatsapp: WhatsAppDriver) -> list[str]:
    """A quick check of Trusting scored 1, kept: what was said at the end."""
    await whatsapp.type("/start")
    for label in ["English", "Quick check"]:
        await whatsapp.tap(label)
    for typed in ["Ravensthorpe Friends", "Park walks"]:
        await whatsapp.type(typed)
    for label in ["Trusting", "Done", "1:", "Skip", "Done", "Skip", "Show my plan"]:
        await whatsapp.tap(label)
    return await whatsapp.tap("Keep it to myself")


async def test_deleting_removes_the_number_and_its_hash(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await whatsapp.type("Hello")
    await whatsapp.tap("English")
    address = hash_secret(graph.WA_ID, whatsapp.app.state.settings.secret_key)
    assert await kept(whatsapp.app) == ([address], [graph.WA_ID], 0)
    assert "delete everything" in (await whatsapp.type("delete"))[-1]
    shown = await whatsapp.tap("Yes, delete it all")
    assert "deleted" in shown[-1].lower()  # the last words still reach the person
    assert await kept(whatsapp.app) == ([], [None], 0)
    # writing again starts afresh, and the number is kept again only to answer
    assert "Which language would you like to use?" in (await whatsapp.type("Hello again"))[-1]
    assert (await kept(whatsapp.app))[1] == [graph.WA_ID]


async def test_without_a_template_no_reminder_is_offered(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    assert not whatsapp.app.state.whatsapp.channel.abilities.reminders
    await low_scored_check(whatsapp)
    assert "Remind me" not in str(graph_api.last_interactive())
    assert (await kept(whatsapp.app))[2] == 0


@pytest.fixture
async def with_template(
    settings: Settings, clock: Clock, graph_api: FakeGraphApi
) -> AsyncIterator[WhatsAppDriver]:
    configured = whatsapp_settings(settings, graph_api, whatsapp_reminder_template=TEMPLATE)
    application = create_app(configured, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        driver = WhatsAppDriver(application, graph_api)
        yield driver
        await driver.http.aclose()


async def test_a_reminder_goes_only_as_the_approved_template(
    with_template: WhatsAppDriver, graph_api: FakeGraphApi, clock: Clock
) -> None:
    whatsapp = with_template
    await low_scored_check(whatsapp)
    shown = await whatsapp.tap("Remind me on 23 May 2027")
    assert "I will send you a reminder here on 23 May 2027" in shown[-1]
    service = whatsapp.app.state.service
    clock.now = datetime(2027, 5, 23, 9, 0, tzinfo=UTC)  # months later: the 24-hour window is long closed
    texts = len(graph_api.called("text")) + len(graph_api.called("interactive"))
    assert await service.send_due_reminders() == 1
    await whatsapp.settled()
    templates = graph_api.called("template")
    assert [t["template"] for t in templates] == [{"name": TEMPLATE, "language": {"code": "en"}}]
    assert templates[0]["to"] == graph.WA_ID
    assert len(graph_api.called("text")) + len(graph_api.called("interactive")) == texts  # nothing else sent


async def test_the_language_comes_from_the_chat_not_the_number(
    whatsapp: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    pakistan = (
        "923001234567"  # a Pakistani number: still asked, in English first, with every language offered
    )
    shown = await whatsapp.type("Hello", wa_id=pakistan)
    assert "Which language would you like to use?" in shown[-1]
    shown = await whatsapp.tap("polski", wa_id=pakistan)
    assert "Which language" not in shown[-1]
    assert graph_api.last_interactive(pakistan)["action"]["button"] == "Wybierz odpowiedź"
