"""The printed plan opens with its one-page summary: measured in Chromium's print emulation at A4."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.async_api import Browser

from bot.plan_links import PlanLinks
from bot.settings import Settings
from tests.web.chat_client import ApiChat

from .conftest import screenshot

A4_WIDTH_PX = 794  # 210 mm at 96 px an inch, as Chromium lays out print
A4_HEIGHT_PX = 1123  # 297 mm
MARGINS_PX = 2 * 38  # Chromium's default print margins, about a centimetre each, top and bottom


async def an_annual_plan(base: str) -> str:
    """A whole yearly check of a team with every answer, story and need, over the API; its plan's id."""
    async with httpx.AsyncClient(base_url=base) as http:
        chat = ApiChat(http)
        await chat.start()
        for said in ["@annual", "@team", "Kirklees Council", "Libraries and Museums team"]:
            await chat.say(said)
        while chat.last["step"] != "review":
            reply = chat.last["replies"][-1]
            answers = [c for c in reply["choices"] if c["kind"] == "answer"]
            if reply["step"] == "restorative_offer":
                await chat.say("@no")
            elif reply["multiple"]:
                picked = any(c["selected"] for c in answers)
                await chat.say("@done" if picked else f"@{answers[0]['id']}")
            elif reply["free_text"]:
                await chat.say(
                    "We ran a weekly drop-in with the library and local groups, and people came back."
                )
            else:
                await chat.say(f"@{answers[min(1, len(answers) - 1)]['id']}")  # Partly; a score of 2
        await chat.say("@ok")
        return chat.id


async def test_the_summary_fits_the_first_a4_page(
    browser: Browser, live_url: str, settings: Settings
) -> None:
    evaluation_id = await an_annual_plan(live_url)
    links = PlanLinks(settings.secret_key, live_url, settings.resume_days)
    context = await browser.new_context(viewport={"width": A4_WIDTH_PX, "height": A4_HEIGHT_PX})
    page = await context.new_page()
    await page.goto(links.url(evaluation_id, datetime.now(UTC)))
    await page.emulate_media(media="print")
    summary = await page.locator("section.summary").bounding_box()
    assert summary is not None
    top_of_summary = await page.evaluate(
        "document.querySelector('section.summary').getBoundingClientRect().top"
    )
    assert summary["height"] + top_of_summary <= A4_HEIGHT_PX - MARGINS_PX, summary
    breaks = await page.evaluate("getComputedStyle(document.querySelector('section.summary')).breakAfter")
    assert breaks == "page"  # the detail begins on a page of its own
    texts = await page.locator("section.summary").inner_text()
    assert "Three things to do first" in texts and "The help you asked for" in texts
    await screenshot(page, "plan-printed-summary")
    await context.close()
