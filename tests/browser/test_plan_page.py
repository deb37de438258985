"""The plan at its own signed address: opened from the chat in a new tab, printed, saved, reloaded
later, and gone (with a clear page) once the link has expired."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.conftest import Clock

from .conftest import axe_violations, load_axe, screenshot
from .test_web_chat import activity_check


async def test_the_plan_has_an_address_people_can_keep(browser: Browser, live_url: str, clock: Clock) -> None:
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    chat = await context.new_page()
    await chat.goto(live_url)
    await activity_check(chat)
    opening = chat.locator(".plan a").filter(has_text="Open my plan")
    href = await opening.get_attribute("href") or ""
    assert re.fullmatch(rf"{re.escape(live_url)}/plan/[0-9a-f]+\?expires=\d+&sig=[0-9a-f]+&chat=web", href)
    async with context.expect_page() as opened:
        await opening.click()
    plan = await opened.value
    await plan.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    await load_axe(plan)
    await plan.reload()
    assert plan.url == href  # our own address, not blob:
    await expect(plan.locator("h1")).to_have_text("Your support plan")
    await expect(plan.get_by_role("button", name="Print this plan")).to_be_visible()
    await plan.get_by_role("button", name="Print this plan").click()
    assert await plan.evaluate("window.printed") == 1
    save = plan.get_by_role("link", name="Save my plan")
    assert (await save.get_attribute("href") or "").endswith("&download=1")
    async with plan.expect_download() as saving:
        await save.click()
    saved = await saving.value
    assert saved.suggested_filename == "icf-support-plan.html"
    await expect(plan.get_by_role("link", name="Back to the chat")).to_have_attribute("href", "/")
    await expect(plan.get_by_role("link", name="Privacy")).to_have_attribute("href", "/privacy?lang=en")
    assert await axe_violations(plan) == []
    await screenshot(plan, "plan-page")

    clock.advance(minutes=5)
    await plan.reload()  # a minute later, or a week later, the same address still works
    await expect(plan.locator("h1")).to_have_text("Your support plan")
    clock.advance(days=31)
    response = await plan.reload()
    assert response is not None and response.status == 404
    await expect(plan.locator("h1")).to_have_text("This link has ended")
    await expect(plan.get_by_role("link", name="Back to the chat")).to_be_visible()
    await context.close()
