"""The Graph API failing as the real one does: every reply still arrives, once, in order, and the chat
moves on within seconds of the failure ending.

Each test runs a whole quick check from two numbers in one app: one whose Graph API calls fail as
asked, one that never fails. What each person sees (every message's words, buttons and list rows,
the plan's document) must be the same for both, and every reply a turn stored must have reached the
fake once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.settings import Settings
from bot.web import create_app
from storage import OutboxMessage, transaction
from tests.conftest import Clock, FixedIds
from tests.fakes.graph_api import Call, FakeGraphApi

from .conftest import TIMEOUT, WhatsAppDriver, whatsapp_settings

FAILING, CLEAN = "447700900201", "447700900202"
SCRIPT: list[tuple[str, str]] = [
    ("type", "/start"),
    ("tap", "English"),
    ("tap", "Quick check"),
    ("type", "Ravensthorpe Friends"),
    ("type", "Park walks"),
    ("tap", "Celebrating"),  # a toggle: the list comes again, the pick ticked
    ("tap", "Done"),
    ("tap", "4:"),
    ("type", "We opened the park together."),
    ("tap", "Time"),
    ("tap", "Done"),
    ("tap", "Skip"),  # no action
    ("tap", "Show my plan"),  # the plan: its link, then the document (uploaded, then sent)
    ("tap", "Send to the board"),
]
METHODS = ("text", "interactive", "document", "media", "read")


@pytest.fixture
async def quick_app(settings: Settings, clock: Clock, graph_api: FakeGraphApi) -> AsyncIterator[FastAPI]:
    application = create_app(whatsapp_settings(settings, graph_api), clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def driver(quick_app: FastAPI, graph_api: FakeGraphApi) -> AsyncIterator[WhatsAppDriver]:
    whatsapp = WhatsAppDriver(quick_app, graph_api)
    yield whatsapp
    await whatsapp.http.aclose()


async def step(whatsapp: WhatsAppDriver, number: str, action: str, said: str) -> None:
    if action == "type":
        await whatsapp.type(said, wa_id=number)
    else:
        await whatsapp.tap(said, wa_id=number)


async def side_by_side(whatsapp: WhatsAppDriver, script: list[tuple[str, str]] = SCRIPT) -> None:
    """Both numbers through the script, a step each in turn."""
    for action, said in script:
        await step(whatsapp, CLEAN, action, said)
        await step(whatsapp, FAILING, action, said)


def _same(text: str) -> str:
    """Without what differs between the two chats: the reference, the plan's link, the codes."""
    return re.sub(r"ICF-2026-\d+|/plan/\S+|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", "…", text)


def seen(fake: FakeGraphApi, number: str) -> list[str]:
    """What the person saw, message by message, in order."""
    shown = []
    for call in fake.calls:
        if "#" in call.method or call.to != number:
            continue
        if call.method == "text":
            shown.append(f"text: {_same(call.params['text']['body'])}")
        elif call.method == "interactive":
            interactive = call.params["interactive"]
            action = interactive["action"]
            titles = [b["reply"]["title"] for b in action.get("buttons", [])]
            titles += [r["title"] for s in action.get("sections", []) for r in s["rows"]]
            shown.append(f"{interactive['type']}: {_same(interactive['body']['text'])} {titles}")
        elif call.method == "document":
            shown.append(f"document: {call.params['document']['caption']}")
    return shown


async def nothing_owed(app: FastAPI) -> None:
    async with transaction(app.state.db) as connection:
        rows = (
            await connection.execute(select(OutboxMessage.kind, OutboxMessage.sent_at, OutboxMessage.error))
        ).all()
    unsent = [row for row in rows if row.sent_at is None and row.kind in {"reply", "notice"}]
    assert unsent == [], unsent  # every reply and notice a turn stored went out


def recovered_within(fake: FakeGraphApi, method: str, seconds: float, waited: float = 0.0) -> None:
    """After each failed call of ``method``, the next call of it came within ``seconds`` of the failure
    ending (``waited``: how long a lost call leaves the channel waiting)."""
    calls: list[Call] = [c for c in fake.calls if c.method.split("#")[0] == method and c.to in {FAILING, ""}]
    for index, call in enumerate(calls):
        if "#" not in call.method:
            continue
        following = calls[index + 1 : index + 2]
        assert following, f"{method} was never tried again after {call.method}"
        assert following[0].at - (call.at + waited) <= seconds, (call, following[0])


async def test_a_quick_check_goes_through_with_nothing_failing(
    driver: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await side_by_side(driver)
    shown = seen(graph_api, CLEAN)
    assert any("Your reference is …" in line for line in shown)
    assert "document: Your support plan" in shown
    assert any(line.startswith("list:") for line in shown) and any(
        line.startswith("button:") for line in shown
    )
    assert seen(graph_api, FAILING) == shown
    await nothing_owed(driver.app)


CASES = [(method, kind) for method in METHODS for kind in ("500", "timeout", "slow", "429")]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "kind"), CASES, ids=[f"{m}-{k}" for m, k in CASES])
async def test_every_reply_arrives_once_in_order_whatever_fails(
    driver: WhatsAppDriver, graph_api: FakeGraphApi, method: str, kind: str
) -> None:
    times = 1 if kind in {"429", "slow"} else 2  # two in a row: the second try fails too
    to = None if method in {"media", "read"} else FAILING  # these name no one: the next one fails
    graph_api.fail(method, kind, times=times, seconds=1 if kind == "429" else 0.5, to=to)
    await side_by_side(driver)
    await driver.settled(holding=False)  # the marks as read too
    failed = graph_api.slowed if kind == "slow" else graph_api.failed_calls()
    assert [c for c in failed if c.method.startswith(method)], "the failure never happened"
    assert seen(graph_api, FAILING) == seen(graph_api, CLEAN)
    await nothing_owed(driver.app)
    recovered_within(graph_api, method, 5.0, TIMEOUT if kind == "timeout" else 0.0)
    if method == "media":  # the upload and its document are one step: one document each, whatever failed
        assert len(graph_api.called("document", FAILING)) == len(graph_api.called("document", CLEAN)) == 1


async def test_the_24_hour_window_closed_is_given_up_not_retried_for_ever(
    driver: WhatsAppDriver, graph_api: FakeGraphApi
) -> None:
    await side_by_side(driver, SCRIPT[:1])
    graph_api.fail("interactive", "window", to=FAILING)
    await step(driver, FAILING, "tap", "English")
    async with transaction(driver.app.state.db) as connection:
        errors = (
            (
                await connection.execute(
                    select(OutboxMessage.error).where(OutboxMessage.failed_at.is_not(None))
                )
            )
            .scalars()
            .all()
        )
    assert any("131047" in str(error) for error in errors)
    assert len([c for c in graph_api.calls if c.method.startswith("interactive") and c.to == FAILING]) == 2
    # the next message from the person opens the window again, and the chat goes on
    assert "What would you like to do?" in (await driver.type("English", wa_id=FAILING))[-1]
