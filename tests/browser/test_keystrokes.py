"""A whole activity check with the keyboard alone, counting the keys pressed.

The count is written to ``data/screenshots/keystrokes.json`` for the record. It measures the
design; it asserts only that the check can be finished and that each step is reachable.
"""

from __future__ import annotations

import json

from playwright.async_api import Page

from .conftest import SCREENSHOTS
from .keyboard import KeyCount, keyboard_activity_check, keyboard_annual_check


def record(name: str, count: KeyCount) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "keystrokes.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept[name] = {"keys": count.navigation, "typed": count.typed, "steps": count.steps}
    path.write_text(json.dumps(kept, indent=1), encoding="utf-8")
    print(f"\nkeys pressed to finish {name}: {count.navigation} (+ {count.typed} characters typed)")


async def test_an_activity_check_with_the_keyboard_alone(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    count = await keyboard_activity_check(page)
    assert all(presses >= 1 for _, presses in count.steps)
    focused = await page.evaluate(
        "[document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert "msg" in focused[0] and focused[1] != "none"  # the last message has focus, and shows it
    record("an activity check", count)


async def test_a_yearly_check_with_the_keyboard_alone(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    count = await keyboard_annual_check(page)
    suggested = [presses for label, presses in count.steps if label.startswith("5:")]
    assert suggested == [2] * 5  # from each score question, one Tab reaches the suggested score
    record("a yearly check", count)
