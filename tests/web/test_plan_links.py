"""The plan at a signed, expiring address on our own origin: asked for with the conversation's token,
the same address all day, with Print and Save, and a clear page once it has ended."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from tests.conftest import Clock

from .chat_client import ApiChat, complete_activity_check


async def plan_link(client: httpx.AsyncClient, chat: ApiChat) -> httpx.Response:
    return await client.post(f"/api/conversations/{chat.id}/plan-link", headers=chat.headers)


async def test_the_token_holder_gets_a_link_once_the_plan_is_ready(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    early = await plan_link(client, chat)
    assert early.status_code == 409 and early.json()["error"] == "plan_not_ready"
    stranger = await client.post(
        f"/api/conversations/{chat.id}/plan-link", headers={"Authorization": "Bearer x"}
    )
    assert stranger.status_code == 404
    assert (await client.post(f"/api/conversations/{chat.id}/plan-link")).status_code == 401

    chat = ApiChat(client)
    await complete_activity_check(chat, story="<b>Benches</b> for everyone")
    answer = await plan_link(client, chat)
    assert answer.status_code == 200, answer.text
    link = answer.json()
    url = urlsplit(link["url"])
    assert url.scheme == "http" and url.netloc == "testserver" and url.path == f"/plan/{chat.id}"
    assert link["download_url"] == link["url"] + "&download=1"
    assert link["expires_at"] == "2026-12-23T00:00:00Z"  # from the start of today, for ICF_RESUME_DAYS
    assert (await plan_link(client, chat)).json()["url"] == link["url"]  # one address all day: a bookmark

    page = await client.get(link["url"])
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    html = page.text
    assert "&lt;b&gt;Benches&lt;/b&gt;" in html  # the story, escaped
    assert 'id="print-plan"' in html and re.search(
        r'<script src="/static/plan\.js\?v=[0-9a-f]+" defer>', html
    )
    assert 'href="/">Back to the chat</a>' in html
    assert 'href="/privacy?lang=en"' in html and 'href="/accessibility?lang=en"' in html
    assert "<!--icf:header-->" not in html and "<!--icf:footer-->" not in html  # both slots filled
    assert (
        html.index('<header class="chrome"')
        < html.index("<main>")
        < html.index('<footer class="chrome chrome-footer"')
    )

    saved = await client.get(link["download_url"])
    assert saved.headers["content-disposition"] == 'attachment; filename="icf-support-plan.html"'
    assert 'id="print-plan"' not in saved.text  # a copy kept offline has no buttons that need us
    assert 'href="http://testserver/privacy?lang=en"' in saved.text  # and its links still lead here


async def test_a_link_without_the_web_chat_has_no_way_back_to_it(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await complete_activity_check(chat)
    url = (await plan_link(client, chat)).json()["url"].replace("&chat=web", "")  # as Telegram sends it
    html = (await client.get(url)).text
    assert "Your support plan" in html and "Back to the chat" not in html


async def test_a_changed_or_old_link_gets_a_page_that_says_so(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    chat = ApiChat(client)
    await complete_activity_check(chat)
    url = (await plan_link(client, chat)).json()["url"]
    changed = await client.get(re.sub(r"sig=[0-9a-f]", "sig=g", url))
    assert changed.status_code == 404 and changed.headers["content-type"].startswith("text/html")
    assert "This link has ended" in changed.text and "Your support plan" not in changed.text
    clock.advance(days=29)
    assert (await client.get(url)).status_code == 200
    clock.advance(days=2)
    ended = await client.get(url, headers={"Accept-Language": "pl"})
    assert ended.status_code == 404 and '<html lang="pl"' in ended.text


async def test_the_plan_page_around_an_urdu_plan_is_in_urdu(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start(language="ur")
    for said in [
        "@activity",
        "Ravensthorpe",
        "Park",
        "@celebrating",
        "@done",
        "@4",
        "/skip",
        "@time",
        "@done",
        "/skip",
    ]:
        await chat.say(said)
    await chat.say("@ok")
    html = (await client.get((await plan_link(client, chat)).json()["url"])).text
    assert html.startswith('<!doctype html>\n<html lang="ur" dir="rtl">')
    assert 'href="/privacy?lang=ur"' in html
    english_words = (await client.get("/api/words/en")).json()["words"]
    urdu_words = (await client.get("/api/words/ur")).json()["words"]
    assert urdu_words["back_to_chat"] in html or english_words["back_to_chat"] == urdu_words["back_to_chat"]
