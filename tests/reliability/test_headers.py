"""Every kind of response carries the hardening headers; secrets never travel in a URL.

The two documented exceptions are links that must work when opened from a message: the signed plan
link (``/plan/{id}?expires=..&sig=..``, for Telegram) and the hand-off link (``/?resume=CODE``). Both
are kept out of the server's logs (tests/reliability/test_data_protection.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import Clock, FixedIds
from tests.web.chat_client import ApiChat, complete_activity_check

PARTNER = "https://www.partner.example"
SECRET_WORDS = re.compile(r"token|code|secret|sig|key|pass|auth|session", re.IGNORECASE)
# Signed and expiring (see the module docstring): the plan's page, and its calendar file beside it.
ALLOWED_IN_URL = {("/plan/{evaluation_id}", "sig"), ("/plan/{evaluation_id}/calendar.ics", "sig")}
STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"


@pytest.fixture
async def hardened(settings: Settings, clock: Clock) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(
        replace(settings, embed_origins=(PARTNER,), rate_per_client=40), clock=clock, ids=FixedIds()
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            yield app, http


def assert_hardened(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives.get("script-src") == ["'self'"], where  # no inline script, no other origin
    assert directives.get("object-src") == ["'none'"] and directives.get("base-uri") == ["'none'"], where
    assert directives.get("frame-ancestors") == ["'self'", PARTNER], where  # the embedding allow-list
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where  # a ?resume= link never leaks onward
    assert "camera=()" in headers.get("permissions-policy", ""), where
    assert headers.get("cross-origin-opener-policy") == "same-origin", where


async def test_every_kind_of_response_is_hardened(hardened: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, http = hardened
    chat = ApiChat(http)
    await complete_activity_check(chat)
    plan_link = app.state.plan_links.url(chat.id, app.state.service.clock())
    url = f"/api/conversations/{chat.id}/messages"
    responses = {
        "chat page": await http.get("/"),
        "chat page with a resume link": await http.get("/?resume=ABCD-EFGH-JKMNP"),
        "API JSON": await http.get(url, headers=chat.headers),
        "API created": await http.post("/api/conversations", json={}),
        "plan page": await http.get(f"/api/conversations/{chat.id}/plan", headers=chat.headers),
        "plan download": await http.get(
            f"/api/conversations/{chat.id}/plan?download=true", headers=chat.headers
        ),
        "signed plan page": await http.get(plan_link.removeprefix(app.state.settings.public_url)),
        "export": await http.get(f"/api/conversations/{chat.id}/export", headers=chat.headers),
        "static file": await http.get("/static/chat.js"),
        "widget": await http.get("/widget.js"),
        "schema": await http.get("/openapi.json"),
        "health": await http.get("/healthz"),
        "401": await http.get(url),
        "404 wrong token": await http.get(url, headers={"Authorization": "Bearer wrong"}),
        "404 no such page": await http.get("/no/such/page"),
        "404 static": await http.get("/static/missing.js"),
        "405": await http.delete("/api/conversations"),
        "409": await http.get(f"/api/conversations/{(await _fresh(http)).id}/plan", headers=chat.headers),
        "413": await http.post(url, content=b"x" * 70_000, headers=chat.headers),
        "422": await http.post(url, json={"surprise": 1}, headers=chat.headers),
        "CORS preflight": await http.options(
            "/api/conversations", headers={"Origin": PARTNER, "Access-Control-Request-Method": "POST"}
        ),
    }
    for _ in range(40):
        limited = await http.get("/api/words/en")
    responses["429"] = limited
    assert responses["429"].status_code == 429 and responses["413"].status_code == 413
    assert responses["signed plan page"].status_code == 200 and responses["static file"].status_code == 200
    for response in responses.values():
        assert_hardened(response)

    # and every other page the app serves without parameters (the board area too)
    for route in app.routes:
        if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path:
            assert_hardened(await http.get(route.path))

    # a bug: still JSON, still hardened (Starlette answers it outside the app's own middleware)
    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    crashing = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=crashing, base_url="http://testserver") as raw:
        crashed = await raw.get("/broken")
    assert crashed.status_code == 500 and crashed.json()["error"] == "internal_error"
    assert_hardened(crashed)


async def _fresh(http: httpx.AsyncClient) -> ApiChat:
    chat = ApiChat(http)
    await chat.start()
    return chat


async def test_no_secret_travels_in_a_url(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    in_url = [
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] in {"path", "query"} and SECRET_WORDS.search(parameter["name"])
    ]
    assert set(in_url) <= ALLOWED_IN_URL, in_url
    assert all(not SECRET_WORDS.search(path.replace("{", "").replace("}", "")) for path in schema["paths"])
    # tokens go in the Authorization header: the declared security or a header parameter
    chat = ApiChat(client)
    await chat.start()
    handoff = (await client.post(f"/api/conversations/{chat.id}/handoff", headers=chat.headers)).json()
    assert re.fullmatch(r"http://testserver/\?resume=[0-9A-Z-]+", handoff["link"])  # the one code link
    for script in STATIC.glob("*.js"):
        source = script.read_text(encoding="utf-8")
        assert not re.search(r"[?&](token|access_token)=", source), script.name
        assert "Bearer" in source or "token" not in source, script.name
