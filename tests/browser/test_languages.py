"""Every piece of text knows its language: read from the accessibility tree, as assistive technology
reads it. After a switch to Urdu in the widget, the panel's own words are Urdu and right to left,
and whatever is in another language (an earlier message, a language's own name) is marked so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser, CDPSession, Page, expect

from .conftest import Partner, screenshot
from .test_web_chat import tap, wait_for_text

LATIN = re.compile(r"[A-Za-z]{2,}")
LATIN_SCRIPT = {"en", "pl", "ro"}
ALLOWED_LATIN = {"ICF", "Kirklees"}  # the framework's own names stay as they are in every language

LANGUAGE_OF = """function () {
  const e = this.nodeType === 1 ? this : this.nodeType === 9 ? this.documentElement : this.parentElement;
  if (!e) return {lang: '', dir: 'ltr', ours: false};
  const tagged = e.closest('[lang]');
  const host = e.getRootNode().host;
  const lang = tagged ? tagged.lang : host && host.closest('[lang]') ? host.closest('[lang]').lang : '';
  return {lang, dir: getComputedStyle(e).direction, ours: !!(host && host.id === 'icf-widget')};
}"""


@dataclass
class Spoken:
    role: str
    name: str
    lang: str
    dir: str
    ours: bool  # on the partner's page, inside the widget


async def spoken_text(session: CDPSession, frame_id: str | None) -> list[Spoken]:
    """Every name and text in a frame's accessibility tree, with the language and direction it is in."""
    params: dict[str, Any] = {"frameId": frame_id} if frame_id else {}
    tree = await session.send("Accessibility.getFullAXTree", params)
    found: list[Spoken] = []
    for node in tree["nodes"]:
        name = str((node.get("name") or {}).get("value") or "").strip()
        role = str((node.get("role") or {}).get("value") or "")
        if node.get("ignored") or not name or "backendDOMNodeId" not in node:
            continue
        resolved = await session.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})
        result = await session.send(
            "Runtime.callFunctionOn",
            {
                "objectId": resolved["object"]["objectId"],
                "functionDeclaration": LANGUAGE_OF,
                "returnByValue": True,
            },
        )
        assert "exceptionDetails" not in result, result
        value = result["result"]["value"]
        found.append(Spoken(role, name, value["lang"], value["dir"], value["ours"]))
    return found


def frame_id_of(tree: dict[str, Any], url_part: str) -> str:
    for child in tree.get("childFrames", []):
        if url_part in child["frame"]["url"]:
            return str(child["frame"]["id"])
        found = frame_id_of(child, url_part)
        if found:
            return found
    return ""


def problems(spoken: list[Spoken], language: str) -> list[str]:
    wrong = []
    for item in spoken:
        words = set(LATIN.findall(item.name)) - ALLOWED_LATIN
        base = item.lang.split("-")[0]
        if words and base not in LATIN_SCRIPT:
            wrong.append(f"Latin words {sorted(words)} marked lang={item.lang!r}: {item.role} {item.name!r}")
        if base == language and item.dir != "rtl":
            wrong.append(f"{language} text laid out {item.dir}: {item.role} {item.name!r}")
        if base in LATIN_SCRIPT and not words and re.search(r"[\u0600-\u06ff]", item.name):
            wrong.append(f"Urdu or Arabic text marked lang={item.lang!r}: {item.role} {item.name!r}")
    return wrong


async def test_after_switching_to_urdu_in_the_widget_its_words_are_urdu(
    browser: Browser, partner: Partner
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = await context.new_page()
    await page.goto(partner())
    await page.locator("#icf-launcher").click()
    frame = page.frame_locator("#icf-frame")
    await wait_for_text(frame, "Which language")
    languages = frame.locator("#choices button span.label[lang]")
    await expect(languages).to_have_count(7)  # each language's name is marked with its own language
    assert await frame.locator("#choices button span.label[lang=ur]").get_attribute("dir") == "rtl"
    await tap(frame, "اردو")
    await expect(frame.locator("html")).to_have_attribute("lang", "ur")
    await expect(page.locator("#icf-panel")).to_have_attribute("lang", "ur")  # the widget's words follow
    await expect(page.locator("#icf-panel")).to_have_attribute("dir", "rtl")
    await expect(frame.locator(".msg.bot").last).to_have_attribute("lang", "ur")
    await screenshot(page, "widget-urdu")

    session = await context.new_cdp_session(page)
    await session.send("DOM.enable")
    await session.send("Accessibility.enable")
    frames = await session.send("Page.getFrameTree")
    host_side = [s for s in await spoken_text(session, None) if s.ours]
    chat_side = await spoken_text(session, frame_id_of(frames["frameTree"], "embed=1"))
    assert any(s.role == "dialog" for s in host_side) and any(s.role == "button" for s in host_side)
    assert len(chat_side) > 20
    widget = [s for s in host_side if s.role in {"button", "dialog", "heading", "Iframe", "iframe"}]
    assert all(s.lang == "ur" for s in widget), widget  # launcher, panel, title, Close: all in Urdu now
    found = problems(host_side + chat_side, "ur")
    assert found == [], "\n".join(found)
    await context.close()


async def test_the_notices_are_marked_in_their_language(page: Page, live_url: str) -> None:
    for path in ("/privacy", "/accessibility"):
        await page.goto(f"{live_url}{path}?lang=ar")
        await expect(page.locator("html")).to_have_attribute("lang", "ar")
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        names = page.locator(".languages a")
        await expect(names).to_have_count(7)
        for code in ("en", "ur", "pa", "pl", "gu", "ar", "ro"):
            link = page.locator(f".languages a[lang={code}]")
            await expect(link).to_have_attribute("hreflang", code)
        await expect(page.locator(".languages a[lang=ur]")).to_have_attribute("dir", "rtl")
        await expect(page.locator(".languages a[lang=pl]")).to_have_attribute("dir", "ltr")
