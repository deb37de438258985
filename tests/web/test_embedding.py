"""Embedding and moving between devices: the widget script, page words, hand-off, and the headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import Clock, FixedIds

from .chat_client import ApiChat

PARTNER = "https://www.partner.example"


@pytest.fixture
async def embedding_client(settings: Settings, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    application: FastAPI = create_app(
        replace(settings, embed_origins=(PARTNER,)), clock=clock, ids=FixedIds()
    )
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_hand_off_to_another_device_with_a_link_and_qr_code(client: httpx.AsyncClient) -> None:
    phone = ApiChat(client)
    await phone.start()
    await phone.say("@activity")
    answer = await client.post(f"/api/conversations/{phone.id}/handoff", headers=phone.headers)
    assert answer.status_code == 200, answer.text
    handoff = answer.json()
    assert handoff["link"] == "http://testserver/?resume=ABCD-EFGH-JK001" and handoff["days"] == 30
    assert handoff["qr_svg"].startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in handoff["qr_svg"]
    code = parse_qs(urlparse(handoff["link"]).query)["resume"][0]
    laptop = await client.post("/api/resume", json={"code": code})
    assert laptop.status_code == 200 and "name of your organisation" in laptop.json()["replies"][0]["text"]
    assert (await phone.post({"text": "Locala"})).status_code == 404  # the first device has handed over
    assert (
        await client.post(f"/api/conversations/{phone.id}/handoff", headers=phone.headers)
    ).status_code == 404


async def test_page_words_follow_the_conversation_language(client: httpx.AsyncClient) -> None:
    urdu = (await client.get("/api/words/ur")).json()
    english = (await client.get("/api/words/en")).json()
    assert urdu["direction"] == "rtl" and english["direction"] == "ltr"
    assert set(urdu["words"]) == set(english["words"]) and urdu["words"]["send"] != english["words"]["send"]
    missing = await client.get("/api/words/xx")
    assert missing.status_code == 404 and missing.json()["error"] == "http_error"


def widget_start(script: str) -> dict[str, Any]:
    """What the widget script is told when it is served: where the chat is, its words, its colour."""
    line = next(line for line in script.splitlines() if line.startswith("const START = "))
    start: dict[str, Any] = json.loads(line.removeprefix("const START = ").rstrip(";"))
    return start


async def test_the_widget_script_knows_where_the_chat_lives(client: httpx.AsyncClient) -> None:
    script = await client.get("/widget.js", headers={"Accept-Language": "pl-PL,pl;q=0.9"})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    polish = widget_start(script.text)
    assert polish["origin"] == "http://testserver" and polish["language"] == "pl"
    assert polish["words"]["open"] != "Check how inclusive your work is"  # Polish words, not English
    english = widget_start((await client.get("/widget.js")).text)
    assert english["words"]["open"] == "Check how inclusive your work is" and english["direction"] == "ltr"
    assert english["accent"] == "#1d70b8"
    urdu = widget_start((await client.get("/widget.js", headers={"Accept-Language": "fr, ur;q=0.8"})).text)
    assert urdu["language"] == "ur" and urdu["direction"] == "rtl"  # the first language we speak


async def test_every_page_is_hardened_and_only_listed_sites_may_embed(
    embedding_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    page = await embedding_client.get("/")
    policy = page.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {PARTNER}" in policy
    assert (
        "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert (
        page.headers["x-content-type-options"] == "nosniff"
        and page.headers["referrer-policy"] == "no-referrer"
    )
    assert (await client.get("/")).headers["content-security-policy"].endswith("frame-ancestors 'self'")

    allowed = await embedding_client.post("/api/conversations", json={}, headers={"Origin": PARTNER})
    assert allowed.headers["access-control-allow-origin"] == PARTNER
    other = await embedding_client.post(
        "/api/conversations", json={}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_the_chat_and_widget_are_small_enough_for_a_slow_phone() -> None:
    import gzip
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
    files = [static / "chat.js", static / "chat.css", static / "widget.js", static / "plan.js"]
    total = sum(len(gzip.compress(path.read_bytes(), 9)) for path in files)
    assert total < 30 * 1024, f"{total} bytes gzipped"
