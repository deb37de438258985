"""The widget on partners' pages, on a 360 x 740 phone: a plain page, one wider than the screen with
big text, and one with hostile CSS and a strict Content-Security-Policy (with and without frame-src).

The panel must cover exactly the visible screen, at a readable size, whatever the page; it is modal
(the page behind inert and still); every control is reachable by keyboard; a whole activity check
completes; and axe finds nothing wrong on the partner's page with the panel open.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from .conftest import Partner, axe_violations, load_axe, screenshot
from .keyboard import keyboard_activity_check

HOSTS = {
    "plain": "",
    "wide-table-big-text": "wide",
    "hostile-css-strict-csp": "hostile",
}

GEOMETRY = """() => {
  const root = document.querySelector('#icf-widget').shadowRoot, vv = visualViewport;
  const box = (e) => {
    const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height};
  };
  return {vv: {x: vv.offsetLeft, y: vv.offsetTop, w: vv.width, h: vv.height, scale: vv.scale},
          panel: box(root.querySelector('#icf-panel')), close: box(root.querySelector('#icf-close')),
          launcher: box(root.querySelector('#icf-launcher')),
          frameWidth: root.querySelector('#icf-frame') ? root.querySelector('#icf-frame').offsetWidth : 0};
}"""


def inside(part: dict[str, float], screen: dict[str, float]) -> bool:
    return (
        part["x"] >= screen["x"] - 1
        and part["y"] >= screen["y"] - 1
        and part["x"] + part["w"] <= screen["x"] + screen["w"] + 1
        and part["y"] + part["h"] <= screen["y"] + screen["h"] + 1
    )


async def open_panel(phone: Page) -> dict[str, Any]:
    launcher = phone.locator("#icf-launcher")
    await expect(launcher).to_be_visible()
    await launcher.focus()
    await phone.keyboard.press("Enter")
    await expect(phone.locator("#icf-panel")).to_be_visible()
    geometry: dict[str, Any] = await phone.evaluate(GEOMETRY)
    return geometry


@pytest.mark.parametrize("host", list(HOSTS), ids=list(HOSTS))
async def test_the_panel_fills_the_phone_screen_on_any_page(phone: Page, partner: Partner, host: str) -> None:
    await load_axe(phone)
    await phone.goto(partner(HOSTS[host]))
    before = await phone.evaluate(GEOMETRY)
    screen = before["vv"]
    launcher = before["launcher"]
    assert inside(launcher, screen)
    assert round(launcher["w"] * screen["scale"]) == 56  # a compact round button on the screen, at any zoom
    geometry = await open_panel(phone)
    screen, panel = geometry["vv"], geometry["panel"]
    assert abs(panel["x"] - screen["x"]) < 1 and abs(panel["y"] - screen["y"]) < 1
    assert abs(panel["w"] - screen["w"]) < 1 and abs(panel["h"] - screen["h"]) < 1  # exactly the screen
    assert inside(geometry["close"], screen)
    # The page's styles do not reach the widget: not even a ::after that would add words to its buttons.
    await expect(phone.locator("#icf-close")).to_have_accessible_name("Close")
    assert abs(geometry["frameWidth"] - 360) < 1  # the chat is laid out for the phone, not the zoomed page

    # Modal on a phone: the dialog says so, and the page behind can be neither reached nor scrolled.
    panel_element = phone.locator("#icf-panel")
    await expect(panel_element).to_have_attribute("aria-modal", "true")
    assert await phone.evaluate("document.body.inert") is True
    assert await phone.evaluate("getComputedStyle(document.documentElement).overflow") == "hidden"

    frame = phone.frame_locator("#icf-frame")
    await expect(frame.locator(".msg.bot").first).to_be_visible()
    await screenshot(phone, f"widget-phone-{host}-open", whole_page=False)
    assert await axe_violations(phone) == []  # the partner's page with the panel open, frame included

    count = await keyboard_activity_check(phone, frame)
    assert count.navigation > 0
    await screenshot(phone, f"widget-phone-{host}-sent", whole_page=False)
    assert await axe_violations(phone) == []


@pytest.mark.parametrize("host", list(HOSTS), ids=list(HOSTS))
async def test_every_control_of_the_panel_is_reachable_and_nothing_behind_it(
    phone: Page, partner: Partner, host: str
) -> None:
    await phone.goto(partner(HOSTS[host]))
    await open_panel(phone)
    frame = phone.frame_locator("#icf-frame")
    await expect(frame.locator("#choices button").first).to_be_visible()
    reached: list[str] = []
    for _ in range(40):
        await phone.keyboard.press("Tab")
        name = await phone.evaluate(
            """() => {
              const root = document.querySelector('#icf-widget');
              if (document.activeElement !== root) return 'PAGE:' + document.activeElement.tagName;
              const inner = root.shadowRoot.activeElement;
              return inner && inner.id === 'icf-frame' ? 'FRAME' : 'PANEL:' + (inner ? inner.id : '');
            }"""
        )
        chat = phone.frame(url=re.compile(r"embed=1"))
        if name == "FRAME" and chat is not None:
            name += ":" + await chat.evaluate(
                "() => document.activeElement.id || document.activeElement.textContent.trim()"
            )
        reached.append(name)
    assert not [r for r in reached if r.startswith("PAGE:") and r != "PAGE:BODY"], reached
    for control in ("PANEL:icf-close", "FRAME:help", "FRAME:more", "FRAME:English", "FRAME:اردو"):
        assert any(r.startswith(control) for r in reached), (control, reached)
    privacy = [r for r in reached if "Privacy" in r or "privacy" in r.lower()]
    assert privacy, reached  # the privacy and accessibility links are on the way too


async def test_a_page_that_forbids_our_frame_gets_a_link_to_the_chat_instead(
    phone: Page, partner: Partner, live_url: str
) -> None:
    await load_axe(phone)
    await phone.goto(partner("no-frames"))
    await open_panel(phone)
    here = phone.locator("#icf-open-here")
    await expect(here).to_be_visible()
    await expect(phone.locator("#icf-panel")).to_contain_text("The chat cannot open inside this page.")
    assert await axe_violations(phone) == []
    await screenshot(phone, "widget-phone-no-frames", whole_page=False)
    await phone.keyboard.press("Tab")  # from Close
    await expect(here).to_be_focused()
    await phone.keyboard.press("Enter")  # the same tab, not a pop-up
    await phone.wait_for_url(re.compile(re.escape(live_url)))
    await keyboard_activity_check(phone)


async def test_the_launcher_moves_aside_for_whatever_has_focus(phone: Page, partner: Partner) -> None:
    await phone.goto(partner("long"))
    await expect(phone.locator("#icf-launcher")).to_be_visible()
    hidden: list[str] = []
    moved = False
    for _ in range(64):
        await phone.keyboard.press("Tab")
        await phone.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        found = await phone.evaluate(
            """() => {
              const e = document.activeElement, root = document.querySelector('#icf-widget');
              if (!e || e === root || e === document.body) return null;
              const a = e.getBoundingClientRect();
              const b = root.shadowRoot.querySelector('#icf-launcher').getBoundingClientRect();
              const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
              return [e.textContent.trim(), apart, b.left];
            }"""
        )
        if found is None:
            continue
        text, apart, left = found
        moved = moved or left < 100
        if not apart:
            hidden.append(text)
    assert hidden == []  # no focused link ever sat under the launcher
    assert moved  # it did have to move: the page's links are on the launcher's side


async def test_opening_the_panel_puts_focus_on_the_first_question(phone: Page, partner: Partner) -> None:
    await phone.goto(partner())
    await open_panel(phone)
    frame = phone.frame_locator("#icf-frame")
    await expect(frame.locator(".msg.bot").first).to_be_focused()  # read out first, with nothing to press
