"""Finish an activity check with the keyboard alone, counting every key a person presses.

The walker does what a sighted keyboard user does: from wherever focus is, press Tab until the
wanted control has focus (taking a "skip to the main content" link when it meets one), then
Enter; text is typed into the focused text box. Each press is counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import FrameLocator, Page, expect

__all__ = ["KeyCount", "keyboard_activity_check"]

MAX_PRESSES = 60  # per control: more than this and the control is not reachable in any sensible way


@dataclass
class KeyCount:
    navigation: int = 0  # Tab, Shift+Tab, arrows, Enter, Space
    typed: int = 0  # characters of the answers themselves
    steps: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.navigation + self.typed


class KeyboardWalker:
    def __init__(self, page: Page, where: Page | FrameLocator | None = None) -> None:
        self.page = page
        self.where = where or page
        self.count = KeyCount()

    async def press(self, key: str) -> None:
        await self.page.keyboard.press(key)
        self.count.navigation += 1

    async def focused(self) -> dict[str, Any]:
        frame = self.page.frame(url=re.compile(r"embed=1"))
        target = frame if frame is not None and self.where is not self.page else self.page
        result: dict[str, Any] = await target.evaluate(
            """() => {
              const e = document.activeElement;
              if (!e) return {text: '', tag: '', id: '', skip: false};
              return {text: (e.textContent || '').trim(), tag: e.tagName, id: e.id,
                      skip: e.classList.contains('skip')};
            }"""
        )
        return result

    async def choose(self, label: str) -> None:
        """Reach the button whose text contains ``label`` and press Enter on it."""
        before = self.count.navigation
        for _ in range(MAX_PRESSES):
            now = await self.focused()
            if now["tag"] == "BUTTON" and label in now["text"]:
                await self.press("Enter")
                self.count.steps.append((label, self.count.navigation - before))
                return
            await self.press("Enter" if now["skip"] else "Tab")  # a skip link is taken, as people do
        raise AssertionError(f"could not reach {label!r} with the keyboard")

    async def say(self, text: str) -> None:
        """Reach the text box, type ``text`` and press Enter."""
        before = self.count.navigation
        for _ in range(MAX_PRESSES):
            now = await self.focused()
            if now["id"] == "text":
                break
            await self.press("Enter" if now["skip"] else "Tab")
        else:
            raise AssertionError("could not reach the text box with the keyboard")
        await self.page.keyboard.type(text)
        self.count.typed += len(text)
        await self.press("Enter")
        self.count.steps.append((text[:20], self.count.navigation - before))


async def wait_for(where: Page | FrameLocator, text: str) -> None:
    """Until the newest reply says ``text`` (an older reply saying it too does not count)."""
    await expect(where.locator(".msg.bot").last).to_contain_text(text, timeout=10_000)


async def keyboard_activity_check(page: Page, where: Page | FrameLocator | None = None) -> KeyCount:
    """The same activity check every time, from the first question to the board's reference."""
    walker = KeyboardWalker(page, where)
    where = where or page
    await wait_for(where, "Which language")
    await walker.choose("English")
    await wait_for(where, "What would you like to do?")
    await walker.choose("Quick check of one activity")
    await wait_for(where, "name of your organisation")
    await walker.say("Ravensthorpe Friends")
    await wait_for(where, "What is the activity called?")
    await walker.say("Park sessions")
    await wait_for(where, "Which ways of working")
    await walker.choose("Celebrating")
    await expect(where.locator("#choices button[aria-pressed=true]")).to_have_count(1)
    await walker.choose("Done")
    await wait_for(where, "Celebrating: how well does this describe your work?")
    await walker.choose("4:")
    await wait_for(where, "tell me a short story")
    await walker.say("The girls chose the new benches.")
    await wait_for(where, "What would help")
    await walker.choose("Time")
    await expect(where.locator("#choices button[aria-pressed=true]")).to_have_count(1)
    await walker.choose("Done")
    await wait_for(where, "what is one thing you will do")
    await walker.choose("Skip")
    await wait_for(where, "Here is what you told me.")
    await walker.choose("It looks right")
    await wait_for(where, "Who should get")
    await walker.choose("Send to the board")
    await wait_for(where, "Your reference is")
    return walker.count


async def keyboard_annual_check(page: Page) -> KeyCount:
    """A yearly check of a whole organisation: every question answered "Yes", each suggested score
    taken, a story, a need and an action for each of the five approaches, then the review and consent."""
    walker = KeyboardWalker(page)
    await wait_for(page, "Which language")
    await walker.choose("English")
    await wait_for(page, "What would you like to do?")
    await walker.choose("A yearly check")
    await wait_for(page, "Who are you answering for?")
    await walker.choose("A whole organisation")
    await wait_for(page, "name of your organisation")
    await walker.say("Locala")
    for approach in ("Connecting", "Communicating", "Equalising", "Trusting", "Celebrating"):
        await wait_for(page, f"Next: {approach}.")
        while "Question" in await page.locator(".msg.bot").last.inner_text():
            before = await page.locator(".msg.bot").count()
            await walker.choose("Yes")
            await expect(page.locator(".msg.bot")).to_have_count(before + 1)
        await wait_for(page, "I suggest 5")
        await walker.choose("5: How we always work")
        await wait_for(page, "How sure does your team feel")
        await walker.choose("High")
        await wait_for(page, "What went well?")
        await walker.choose("Skip")
        await wait_for(page, "What shows this?")
        await walker.choose("Done")
        await wait_for(page, "tell me a short story")
        await walker.say(f"Our {approach.lower()} story.")
        await wait_for(page, "What would help")
        await walker.choose("Time")
        await expect(page.locator("#choices button[aria-pressed=true]")).to_have_count(1)
        await walker.choose("Done")
        await wait_for(page, "what is one thing you will do")
        await walker.say("Keep going.")
        await wait_for(page, "Who will do it?")
        await walker.choose("Skip")
        await wait_for(page, "By when?")
        await walker.choose("Skip")
    await wait_for(page, "Restorative Approach Checklist")
    await walker.choose("No, thank you")
    await wait_for(page, "Here is what you told me.")
    await walker.choose("It looks right")
    await wait_for(page, "Who should get")
    await walker.choose("Send to the board")
    await wait_for(page, "Your reference is")
    return walker.count
