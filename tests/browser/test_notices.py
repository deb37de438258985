"""The privacy notice and the accessibility statement: reached by keyboard from the chat and from the
widget, and clean in axe, in English and in a right-to-left language."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from .conftest import Partner, axe_violations, load_axe, screenshot
from .test_web_chat import wait_for_text


async def tab_to(page: Page, name: str, where: str = "document") -> None:
    """Press Tab until the link called ``name`` has focus (in the page, or in the widget's frame)."""
    for _ in range(30):
        await page.keyboard.press("Tab")
        frame = page.frame(url=re.compile(r"embed=1"))
        target = frame if where == "frame" and frame is not None else page
        if await target.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"could not reach {name!r} with Tab")


async def test_the_notices_are_a_few_tabs_away_in_the_chat(page: Page, live_url: str) -> None:
    await load_axe(page)
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    for name, heading, path in (
        ("Privacy", "Privacy notice", "/privacy?lang=en"),
        ("Accessibility", "Accessibility statement", "/accessibility?lang=en"),
    ):
        await tab_to(page, name)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{live_url}{path}")
        await expect(page.locator("h1")).to_have_text(heading)
        assert await axe_violations(page) == []
        await screenshot(page, f"notice-{name.lower()}")
        await page.go_back()
        await wait_for_text(page, "Which language")  # the conversation is still there


async def test_the_notices_open_from_the_widget_in_a_new_tab(browser: Browser, partner: Partner) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(partner())
    await page.locator("#icf-launcher").click()
    await wait_for_text(page.frame_locator("#icf-frame"), "Which language")
    for name, heading in (("Privacy", "Privacy notice"), ("Accessibility", "Accessibility statement")):
        await tab_to(page, name, where="frame")
        async with context.expect_page() as opened:
            await page.keyboard.press("Enter")
        notice = await opened.value
        await notice.wait_for_load_state()
        await expect(notice.locator("h1")).to_have_text(heading)
        await load_axe(notice)
        await notice.reload()
        assert await axe_violations(notice) == []
        await notice.close()
        await expect(page.locator("#icf-panel")).to_be_visible()  # the chat stays open where it was
    await context.close()


async def test_the_notices_in_urdu_are_clean_too(page: Page, live_url: str) -> None:
    await load_axe(page)
    for path in ("/privacy?lang=ur", "/accessibility?lang=ur"):
        await page.goto(live_url + path)
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert await axe_violations(page) == []
    await screenshot(page, "notice-accessibility-ur")
