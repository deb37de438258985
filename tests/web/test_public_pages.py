"""The privacy notice, the accessibility statement and the site's header, through the real ASGI app:
in every language, saying who runs the service, and a demo banner when nobody is named."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import Clock, FixedIds

OPERATOR = {"operator_name": "Kirklees <Council> & Friends", "operator_contact": "icf@kirklees.example"}


@pytest.fixture
async def operated(settings: Settings, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """The app as a public service runs it: with the operator named, and a partner's colours and logo."""
    configured = replace(
        settings,
        **OPERATOR,
        retention_days=90,
        resume_days=14,
        accent_colour="#0b4f8a",
        logo_url="https://www.partner.example/logo.png",
    )
    application: FastAPI = create_app(configured, clock=clock, ids=FixedIds())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def lang_of(html: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', html)
    assert found, html[:200]
    return found.group(1), found.group(2)


@pytest.mark.parametrize("path", ["/privacy", "/accessibility"])
async def test_the_notices_speak_every_language_the_chat_speaks(client: httpx.AsyncClient, path: str) -> None:
    for language, direction in [("en", "ltr"), ("ur", "rtl"), ("pa", "ltr"), ("pl", "ltr"), ("ar", "rtl")]:
        page = await client.get(path, params={"lang": language})
        assert page.status_code == 200 and lang_of(page.text) == (language, direction)
        assert page.headers["content-language"] == language
    english = (await client.get(path)).text
    polish = (await client.get(path, headers={"Accept-Language": "fr-FR, pl;q=0.8, en;q=0.5"})).text
    assert lang_of(polish) == ("pl", "ltr")  # the browser's first language that the chat speaks
    assert polish != english
    unknown = await client.get(path, params={"lang": "xx"}, headers={"Accept-Language": "gu"})
    assert lang_of(unknown.text) == ("gu", "ltr")
    assert "content-security-policy" in page.headers


async def test_the_privacy_notice_says_what_is_kept_who_sees_it_and_how_to_remove_it(
    operated: httpx.AsyncClient,
) -> None:
    page = (await operated.get("/privacy")).text
    assert "Kirklees &lt;Council&gt; &amp; Friends" in page and "<Council>" not in page  # escaped
    assert 'href="mailto:icf@kirklees.example"' in page
    assert "we remove them 90 days after you last use the chat" in page
    assert "A code to carry on later works for 14 days" in page
    for who in (
        "You can see your own answers.",
        "your organisation&#39;s ICF lead, that lead can see them",
        "board staff can see them",
        "The service shows your answers to nobody else.",
    ):
        assert who in page
    assert "Save a copy of my answers" in page and "type delete in the chat" in page
    assert "/api/conversations/{id}/export" in page
    assert "DEMO" not in page.upper().replace("DEMOCRA", "")


async def test_without_an_operator_every_page_says_it_is_a_demo(client: httpx.AsyncClient) -> None:
    for path in ("/", "/privacy", "/accessibility", "/?embed=1"):
        page = (await client.get(path)).text
        assert (
            'class="phase"' in page
            and "This is a trial copy. Please do not give real details.</span>" in page
        )
    assert "Nobody runs it as a public service yet" in (await client.get("/privacy")).text


async def test_the_chat_page_names_the_operator_and_links_the_notices(operated: httpx.AsyncClient) -> None:
    page = (await operated.get("/", headers={"Accept-Language": "ur"})).text
    assert lang_of(page) == ("ur", "rtl")
    assert "Kirklees &lt;Council&gt; &amp; Friends" in page and 'class="phase"' not in page  # no demo banner
    assert 'href="/privacy?lang=ur"' in page and 'href="/accessibility?lang=ur"' in page
    assert '<img class="logo" src="https://www.partner.example/logo.png"' in page
    assert "<header" in page and "<main" in page
    framed = (await operated.get("/?embed=1")).text
    assert "<header" not in framed and "<footer" not in framed  # the partner's page has its own
    assert 'target="_blank"' in framed  # the notices open beside the widget, not inside it
    policy = (await operated.get("/")).headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://www.partner.example" in policy


async def test_the_accent_colour_comes_as_a_stylesheet(operated: httpx.AsyncClient) -> None:
    page = (await operated.get("/")).text
    link = re.search(r'href="(/brand\.css\?v=[0-9a-f]+)"', page)
    assert link
    css = await operated.get(link.group(1))
    assert css.headers["content-type"].startswith("text/css") and "--accent: #0b4f8a;" in css.text
    assert "immutable" in css.headers["cache-control"]
    assert "immutable" not in (await operated.get("/brand.css?v=old")).headers["cache-control"]


async def test_the_words_follow_the_language_for_the_page_and_the_widget(client: httpx.AsyncClient) -> None:
    urdu = (await client.get("/api/words/ur")).json()
    english = (await client.get("/api/words/en")).json()
    assert set(urdu["widget"]) == set(english["widget"]) == {"open", "close", "title", "blocked", "open_here"}
    assert urdu["widget"]["close"] != english["widget"]["close"] and urdu["direction"] == "rtl"
    assert {"privacy", "accessibility", "more", "type_instead", "suggested", "change"} <= set(
        english["words"]
    )
