"""The web chat in a real headless Chromium: keyboard only, a phone screen, reloads, the widget,
right-to-left languages, and axe-core accessibility checks."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Frame, FrameLocator, Page, expect

from bot.settings import Settings

from .conftest import axe_violations, load_axe, screenshot

Where = Page | FrameLocator


async def last_bot_text(where: Where) -> str:
    bubbles = where.locator(".msg.bot")
    await expect(bubbles.last).to_be_visible()
    return str(await bubbles.last.inner_text())


async def wait_for_text(where: Where, text: str) -> None:
    await expect(where.locator(".msg.bot").filter(has_text=text).last).to_be_visible(timeout=10_000)


async def tap(where: Where, label: str) -> None:
    await where.locator("#choices button").filter(has_text=re.compile(re.escape(label))).first.click()


async def type_answer(where: Where, text: str) -> None:
    await where.locator("#text").fill(text)
    await where.locator("#text").press("Enter")


async def activity_check(where: Where, shots: Page | None = None) -> None:
    """A quick check of one activity, by tapping and typing, up to the board's reference.

    ``shots``: save a screenshot of every step (data/screenshots/phone-NN-step.png)."""
    taken = 0

    async def shot(step: str) -> None:
        nonlocal taken
        if shots:
            taken += 1
            await shots.wait_for_timeout(600)  # the smooth scroll to the new message has ended
            await screenshot(shots, f"phone-{taken:02d}-{step}", whole_page=False)

    await wait_for_text(where, "Which language would you like to use?")
    await shot("welcome")
    await tap(where, "English")
    await wait_for_text(where, "What would you like to do?")
    await shot("scope")
    await tap(where, "Quick check of one activity")
    await wait_for_text(where, "name of your organisation")
    await shot("organisation")
    await type_answer(where, "Ravensthorpe Friends")
    await wait_for_text(where, "What is the activity called?")
    await shot("activity")
    await type_answer(where, "Park sessions")
    await wait_for_text(where, "Which ways of working")
    await tap(where, "Celebrating")
    await expect(where.locator("#choices button[aria-pressed=true]")).to_have_count(1)
    await shot("ways-of-working")
    await tap(where, "Done")
    await wait_for_text(where, "Celebrating: how well does this describe your work?")
    await shot("score")
    await tap(where, "4:")
    await wait_for_text(where, "tell me a short story")
    await shot("story")
    await type_answer(where, "The girls chose the new benches and opened the park day.")
    await wait_for_text(where, "What would help")
    await tap(where, "Time")
    await shot("support")
    await tap(where, "Done")
    await wait_for_text(where, "what is one thing you will do")
    await where.locator("#nav button").filter(has_text="Skip").first.click()
    await wait_for_text(where, "Here is what you told me.")
    await expect(where.locator(".summary-card")).to_have_count(2)
    await shot("review")
    await tap(where, "It looks right")
    await wait_for_text(where, "Who should get your answers and plan?")
    await expect(where.locator(".plan a").first).to_be_visible()
    await shot("plan-and-consent")
    await tap(where, "Send to the board")
    await wait_for_text(where, "Your reference is ICF-2026-")
    await shot("sent")


async def test_a_whole_check_on_a_360_pixel_phone(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await activity_check(page, shots=page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    await page.evaluate("localStorage.clear()")
    await page.reload()
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await wait_for_text(page, "What would you like to do?")
    await tap(page, "Quick check of one activity")
    await wait_for_text(page, "name of your organisation")
    targets = await page.locator("button:visible, a:visible").evaluate_all(  # every control, as shown
        "els => els.map(e => [e.className, e.offsetWidth, e.offsetHeight])"
    )
    for kind, width, height in targets:
        smallest = 24 if "link-button" in kind or kind in {"", "skip"} else 44  # WCAG 2.2: 24 px at least
        assert width >= smallest and height >= smallest, (kind, width, height)


async def test_reload_in_the_middle_and_carry_on(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await tap(page, "Quick check of one activity")
    await wait_for_text(page, "name of your organisation")
    await type_answer(page, "Locala")
    await wait_for_text(page, "What is the activity called?")
    await type_answer(page, "Walking group")
    await wait_for_text(page, "Which ways of working")
    await tap(page, "Connecting")
    await page.reload()
    await expect(page.locator("#choices button[aria-pressed=true]")).to_have_count(1)  # the toggle survived
    await tap(page, "Done")
    await wait_for_text(page, "Connecting: how well does this describe your work?")
    await page.reload()
    await tap(page, "5:")
    await wait_for_text(page, "tell me a short story")
    assert await page.locator(".msg.me").filter(has_text="Locala").count() == 1  # history redrawn once


async def test_the_widget_on_a_partner_site(browser: Browser, host_url: str, live_url: str) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(host_url)
    launcher = page.locator("#icf-launcher")
    await expect(launcher).to_have_accessible_name("Check how inclusive your work is")
    await launcher.click()
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#icf-panel")
    await expect(panel).to_have_accessible_name("Inclusive Communities self-check")
    assert await panel.get_attribute("aria-modal") is None  # beside the page on a wide screen, not over it
    await expect(page.locator("main")).not_to_have_attribute("inert", "")
    frame = page.frame_locator("#icf-frame")
    await activity_check(frame)
    await screenshot(page, "widget-finished")
    await frame.locator(".msg.bot").last.press("Escape")  # Escape inside the chat closes the panel
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await expect(panel).to_be_hidden()
    await launcher.click()
    await page.locator("#icf-close").click()
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await expect(launcher).to_be_focused()  # focus goes back where it came from
    await context.close()


async def test_urdu_and_arabic_are_laid_out_right_to_left(page: Page, live_url: str) -> None:
    for language, name in (("ur", "اردو"), ("ar", "العربية")):
        await page.goto(live_url)
        await page.evaluate("localStorage.clear()")
        await page.reload()
        await wait_for_text(page, "Which language")
        await tap(page, name)
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        await expect(page.locator("html")).to_have_attribute("lang", language)
        await expect(page.locator("#choices button").first).to_be_visible()
        await page.locator("#choices button").first.click()  # a yearly check
        await expect(page.locator(".msg.me")).to_have_count(2)
        person = await page.locator(".msg.me").last.bounding_box()
        assert person and person["x"] <= 17 and person["x"] + person["width"] < 330  # on the left, not wide
        edge = await page.locator(".msg.bot").last.evaluate(
            "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]"
        )
        assert edge == ["4px", "0px"]  # the assistant's messages are marked on the right, where lines start
        assert await page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert not re.search(r"[A-Za-z]{4,}", await last_bot_text(page))  # no English left in the reply
        await screenshot(page, f"rtl-{language}")


async def test_no_accessibility_violations(
    browser: Browser, live_url: str, host_url: str, settings: Settings
) -> None:
    context = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await load_axe(page)
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    assert await axe_violations(page) == []
    await activity_check(page)
    assert await axe_violations(page) == []

    await page.goto(await page.locator(".plan a").first.get_attribute("href") or "")
    await expect(page.locator("h1")).to_have_text("Your support plan")
    assert await axe_violations(page) == []

    await page.goto(host_url)
    await page.locator("#icf-launcher").click()
    frame: Frame | None = page.frame(url=re.compile(r"embed=1"))
    for _ in range(100):
        frame = page.frame(url=re.compile(r"embed=1"))
        if frame is not None and await frame.locator(".msg.bot").count():
            break
        await page.wait_for_timeout(50)
    assert frame is not None
    assert await axe_violations(page) == []
    assert await axe_violations(frame) == []  # type: ignore[arg-type]
    await context.close()
