"""Data protection: deleting erases everything everywhere; old drafts go; people can take their data;
logs keep no story text, codes or tokens."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.main import main
from bot.plan_links import PlanLinks
from bot.retention import retention_running, run_retention
from bot.settings import Settings
from storage import Evaluation, InboxMessage, Organisation, TranscriptEntry
from tests.conftest import Clock
from tests.fakes import updates
from tests.telegram.conftest import TelegramDriver, bot_api, telegram_app  # noqa: F401 - fixtures
from tests.telegram.conftest import telegram as telegram  # noqa: F401 - the fixture, used by name
from tests.telegram.test_conversation import start_annual
from tests.web.chat_client import ApiChat, complete_activity_check

from .servers import SECRET_KEY, Server, server_env

STORY = "Our secret garden story with Mrs Example at 12 Sample Street"


async def every_row(app: FastAPI) -> list[tuple[str, str]]:
    """(table, row as text) for every row of every table in the database, whatever the tables are."""
    db = app.state.db
    async with db.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        rows: list[tuple[str, str]] = []
        for table in tables:
            result = await connection.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608 - reflected names
            rows += [(table, json.dumps([str(v) for v in row], ensure_ascii=False)) for row in result]
    return rows


def found(rows: list[tuple[str, str]], *secrets: str) -> list[tuple[str, str]]:
    return [(table, row) for table, row in rows for s in secrets if s in row]


async def test_delete_leaves_nothing_of_the_person_in_any_table(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    chat = ApiChat(client)
    await chat.start()
    for said in ["@activity", "Zebra Crossing Friends", "Moonlight Walks", "@trusting", "@done", "@4"]:
        await chat.say(said)
    await chat.say(STORY)
    await chat.say("@time")
    await chat.say("@done")
    await chat.say("Ring Mrs Example every week")
    await chat.say("/skip")
    await chat.say("/skip")
    await chat.say("@ok")
    await chat.say("@board")  # sent to the board, too
    given = ["Zebra Crossing Friends", "Moonlight Walks", STORY, "Ring Mrs Example"]
    assert found(await every_row(app), *given)  # it is all there before
    await chat.say("/delete")
    await chat.say("@yes")
    assert found(await every_row(app), *given) == []
    async with app.state.service.sessions() as session:
        stored = await session.get(Evaluation, chat.id)
        assert stored is not None and stored.answers == {} and stored.status == "deleted"
        assert stored.organisation_id is None and stored.resume_code_hash is None


async def test_delete_over_telegram_empties_what_telegram_delivered(telegram: TelegramDriver) -> None:
    await start_annual(telegram, organisation="Quiet Otters Club")
    for _ in range(4):
        await telegram.tap("Yes")
    await telegram.tap("5:")
    await telegram.tap("High")
    await telegram.send(updates.message(STORY))
    rows = await every_row(telegram.app)
    assert found(rows, STORY) and all(table != "inbox" for table, _ in found(rows, STORY))
    await telegram.send(updates.message("/delete"))
    await telegram.tap("Yes, delete it all")
    assert found(await every_row(telegram.app), STORY, "Quiet Otters Club") == []
    async with telegram.app.state.service.sessions() as session:
        inbox = (await session.execute(select(InboxMessage))).scalars().all()
    assert inbox and all(row.payload == {} and row.processed_at for row in inbox)  # ids kept for repeats


async def _conversation_at(app: FastAPI, clock: Clock, when: datetime, *, submit: bool, org: str) -> str:
    """A conversation last touched ``when`` (its rows are dated so, whatever clock wrote them)."""
    clock.now = when
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        chat = ApiChat(http)
        await chat.start()
        await chat.say("@activity")
        await chat.say(org)
        if submit:
            await chat.say("Sports day")
            for said in [
                "@celebrating",
                "@done",
                "@4",
                "A story.",
                "@time",
                "@done",
                "/skip",
                "@ok",
                "@board",
            ]:
                await chat.say(said)
            assert chat.last["status"] == "submitted"
    async with app.state.service.sessions.begin() as session:
        await session.execute(update(Evaluation).where(Evaluation.id == chat.id).values(updated_at=when))
    return chat.id


async def test_drafts_untouched_for_the_retention_period_are_removed(
    app: FastAPI, settings: Settings, clock: Clock
) -> None:
    long_ago = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    old_draft = await _conversation_at(app, clock, long_ago, submit=False, org="Forgotten Draft Group")
    old_sent = await _conversation_at(app, clock, long_ago, submit=True, org="Sent Long Ago Group")
    recent = await _conversation_at(
        app, clock, long_ago + timedelta(days=100), submit=False, org="Recent Group"
    )
    sessions: async_sessionmaker[AsyncSession] = app.state.service.sessions
    now = long_ago + timedelta(days=181)

    report = await run_retention(sessions, settings, now)

    assert report.evaluations == 1
    async with sessions() as session:
        kept = set((await session.execute(select(Evaluation.id))).scalars())
        lines = set((await session.execute(select(TranscriptEntry.evaluation_id))).scalars())
        names = set((await session.execute(select(Organisation.name))).scalars())
    assert kept == {old_sent, recent} and old_draft not in lines
    assert "Forgotten Draft Group" not in names and {"Sent Long Ago Group", "Recent Group"} <= names
    assert (await run_retention(sessions, settings, now)).evaluations == 0  # the same again: nothing
    assert (await run_retention(sessions, settings, now + timedelta(days=100))).evaluations == 1
    keep_all = Settings(database_url=settings.database_url, secret_key=settings.secret_key, retention_days=0)
    assert (await run_retention(sessions, keep_all, now + timedelta(days=999))).evaluations == 0


async def test_retention_runs_by_itself_while_serving(app: FastAPI, settings: Settings, clock: Clock) -> None:
    assert any(task.get_name() == "retention" for task in asyncio.all_tasks())  # the app started it
    stale = await _conversation_at(
        app, clock, datetime(2025, 1, 1, tzinfo=UTC), submit=False, org="Old Group"
    )
    sessions: async_sessionmaker[AsyncSession] = app.state.service.sessions
    clock.now = datetime(2026, 11, 23, tzinfo=UTC)
    async with retention_running(
        sessions, settings, clock, first_after=timedelta(0), every=timedelta(hours=1)
    ):
        for _ in range(200):
            async with sessions() as session:
                if await session.get(Evaluation, stale) is None:
                    break
            await asyncio.sleep(0.02)
    async with sessions() as session:
        assert await session.get(Evaluation, stale) is None


async def test_icf_retention_run(
    app: FastAPI,
    settings: Settings,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _conversation_at(app, clock, datetime(2024, 6, 1, tzinfo=UTC), submit=False, org="Very Old Group")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ICF_SECRET_KEY", settings.secret_key.decode())
    monkeypatch.setenv("ICF_RETENTION_DAYS", "180")
    assert await asyncio.to_thread(main, ["retention", "run"]) == 0
    assert "removed 1 evaluations never sent (kept 180 days)" in capsys.readouterr().out


async def test_a_person_can_download_everything_they_gave(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await complete_activity_check(chat, story=STORY)
    url = f"/api/conversations/{chat.id}/export"
    export = await client.get(url, headers=chat.headers)
    assert export.status_code == 200 and export.headers["cache-control"] == "no-store"
    data: dict[str, Any] = export.json()
    assert data["conversation_id"] == chat.id and data["status"] == "completed"
    assert data["answers"]["organisation"] == "Ravensthorpe Friends"
    assert data["answers"]["by_approach"]["celebrating"]["story"] == STORY
    history = await chat.history()
    assert [(e["direction"], e["text"]) for e in data["transcript"]] == [
        (e["direction"], e["text"]) for e in history
    ]
    assert (await client.get(url)).status_code == 401
    other = ApiChat(client)
    await other.start()
    assert (await client.get(url, headers=other.headers)).status_code == 404


async def test_app_logs_hold_no_story_code_or_token(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # everything an operator would normally log, SQL statements too
    for name in ("bot", "storage", "dialogs"):
        caplog.set_level(logging.DEBUG, logger=name)
    chat = ApiChat(client)
    await complete_activity_check(chat, story=STORY)
    code = (await client.post(f"/api/conversations/{chat.id}/handoff", headers=chat.headers)).json()["code"]
    resumed = (await client.post("/api/resume", json={"code": code})).json()
    await client.get(
        f"/api/conversations/{chat.id}/export", headers={"Authorization": f"Bearer {resumed['token']}"}
    )
    await client.post("/api/resume", json={"code": code})  # used up: a 404, and still nothing logged
    logged = caplog.text
    for secret in (STORY, code, code.replace("-", ""), chat.token, resumed["token"]):
        assert secret not in logged


@pytest.mark.slow
async def test_server_logs_hold_no_story_code_or_token(tmp_path: Path) -> None:
    server = await Server(
        server_env(f"sqlite:///{tmp_path / 'icf.db'}", tmp_path), tmp_path / "server.log"
    ).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            chat = ApiChat(http)
            await complete_activity_check(chat, story=STORY)
            handoff = (await http.post(f"/api/conversations/{chat.id}/handoff", headers=chat.headers)).json()
            code = handoff["code"]
            page = await http.get(f"/?resume={code}")  # the hand-off link, opened on another phone
            assert page.status_code == 200
            resumed = (await http.post("/api/resume", json={"code": code})).json()
            links = PlanLinks(SECRET_KEY.encode(), server.url, 30)
            plan_url = links.url(chat.id, datetime.now(UTC))
            assert (await http.get(plan_url.removeprefix(server.url))).status_code == 200
            signature = plan_url.rsplit("sig=", 1)[1]
            await http.post("/api/resume", json={"code": code + "X"})  # a wrong one
    finally:
        server.stop()
    logged = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert '"GET /?[redacted] HTTP/1.1" 200' in logged  # requests are logged, without their query
    assert f"/plan/{chat.id}?[redacted]" in logged
    for secret in (STORY, code, code.replace("-", ""), chat.token, resumed["token"], signature):
        assert secret not in logged
