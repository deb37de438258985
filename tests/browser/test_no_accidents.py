"""No answer given by accident, and a calm page: where focus goes after a reply, the consent step,
Start again, the suggested score, toggles, the text box, and what a screen reader hears on a reload."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.async_api import Page, expect

from .conftest import screenshot
from .test_web_chat import tap, type_answer, wait_for_text


async def to_review(page: Page) -> None:
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await wait_for_text(page, "What would you like to do?")
    await tap(page, "Quick check of one activity")
    await wait_for_text(page, "name of your organisation")
    await type_answer(page, "Ravensthorpe Friends")
    await wait_for_text(page, "What is the activity called?")
    await type_answer(page, "Park sessions")
    await wait_for_text(page, "Which ways of working")
    await tap(page, "Celebrating")
    await expect(page.locator("#choices button[aria-pressed=true]")).to_have_count(1)
    await tap(page, "Done")
    await wait_for_text(page, "Celebrating: how well")
    await tap(page, "4:")
    await wait_for_text(page, "tell me a short story")
    await type_answer(page, "The girls chose the new benches and opened the park day.")
    await tap(page, "Time")
    await tap(page, "Done")
    await wait_for_text(page, "what is one thing you will do")
    await page.locator("#nav button").filter(has_text="Skip").first.click()
    await wait_for_text(page, "Here is what you told me.")


async def stored(page: Page) -> dict[str, Any]:
    """The conversation as the server has it, through the same API the page uses."""
    result: dict[str, Any] = await page.evaluate(
        """async () => {
          const c = JSON.parse(localStorage.getItem('icf.conversation'));
          const headers = {Authorization: 'Bearer ' + c.token};
          const r = await fetch(`/api/conversations/${c.id}/export`, {headers});
          return r.json();
        }"""
    )
    return result


async def focused_text(page: Page) -> str:
    return str(await page.evaluate("document.activeElement.textContent.trim()"))


async def test_enter_pressed_at_once_after_the_plan_arrives_does_not_send(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await to_review(page)
    await page.locator("#choices button").filter(has_text="It looks right").focus()
    await page.keyboard.press("Enter")
    await wait_for_text(page, "Who should get")
    await page.keyboard.press("Enter")  # the reflex: Enter again, at once
    await page.keyboard.press("Enter")
    await page.wait_for_timeout(500)
    assert "support plan" in await focused_text(page)  # focus is on the new message, not on a button
    assert await page.locator(".msg.bot").filter(has_text="Your reference is").count() == 0
    assert (await stored(page))["status"] == "completed"  # not sent
    # The deliberate way: Tab to "Send to the board", which is then wholly on the screen.
    for _ in range(6):
        await page.keyboard.press("Tab")
        if "Send to the board" in await focused_text(page):
            break
    box = await page.locator("#choices button").filter(has_text="Send to the board").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 740
    await page.keyboard.press("Enter")
    await wait_for_text(page, "Your reference is")
    assert (await stored(page))["status"] == "submitted"


async def test_a_consent_answer_out_of_sight_is_shown_first_not_taken(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await to_review(page)
    await tap(page, "It looks right")
    await wait_for_text(page, "Who should get")
    await page.evaluate("scrollTo(0, 0)")
    yes = page.locator("#choices button").filter(has_text="Send to the board")
    await yes.dispatch_event("click")  # a press that lands on it while it is off the screen
    await page.wait_for_timeout(300)
    assert (await stored(page))["status"] == "completed"
    box = await yes.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 740  # brought into view instead
    await yes.click()
    await wait_for_text(page, "Your reference is")


async def test_start_again_asks_first_and_offers_a_code(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await tap(page, "Quick check of one activity")
    await wait_for_text(page, "name of your organisation")
    await type_answer(page, "Locala")
    await wait_for_text(page, "What is the activity called?")
    more = page.locator("#more")
    await more.click()
    await expect(more).to_have_attribute("aria-expanded", "true")
    await screenshot(page, "phone-more-menu", whole_page=False)
    await page.locator("#restart").click()
    dialog = page.locator("#restart-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("you can only get back to them with a code")
    await screenshot(page, "phone-start-again", whole_page=False)
    await dialog.get_by_role("button", name="Keep going").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator(".msg.me").filter(has_text="Locala")).to_have_count(1)  # nothing lost

    await more.click()
    await page.locator("#restart").click()
    await dialog.get_by_role("button", name="Get a code first").click()
    await wait_for_text(page, "ABCD-EFGH-JK")
    code = re.search(r"ABCD-EFGH-JK\d{3}", await page.locator(".msg.bot").last.inner_text())
    assert code

    await more.click()
    await page.locator("#restart").click()
    await dialog.get_by_role("button", name="Start a new check").click()
    await wait_for_text(page, "Which language")
    await expect(page.locator(".msg.me")).to_have_count(0)

    await more.click()
    await page.locator("#code").fill(code.group(0))
    await page.locator("#code").press("Enter")
    await wait_for_text(page, "What is the activity called?")  # the first check carries on
    await expect(page.locator(".msg.me").filter(has_text="Locala")).to_have_count(1)


async def test_the_suggested_score_is_marked_and_reached_first(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await tap(page, "A yearly check")
    await tap(page, "A whole organisation")
    await wait_for_text(page, "name of your organisation")
    await type_answer(page, "Locala")
    for answer in ("Yes", "Yes", "Partly", "Yes"):
        await wait_for_text(page, "Question")
        await page.locator("#choices button").filter(has_text=re.compile(f"^{answer}$")).click()
    await wait_for_text(page, "I suggest")
    suggested = page.locator("#choices button.is-suggested")
    await expect(suggested).to_have_count(1)
    await expect(suggested).to_contain_text("5: How we always work")
    await expect(suggested.locator(".tag")).to_have_text("Suggested")  # marked in words, not colour alone
    assert "Connecting: how well" in await focused_text(page)  # focus on the question first
    await page.keyboard.press("Tab")
    await expect(suggested).to_be_focused()
    await screenshot(page, "phone-suggested-score", whole_page=False)


async def test_chosen_toggles_look_unlike_done(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await tap(page, "Quick check of one activity")
    await type_answer(page, "Locala")
    await wait_for_text(page, "What is the activity called?")
    await type_answer(page, "Walks")
    await wait_for_text(page, "Which ways of working")
    await tap(page, "Trusting")
    chosen = page.locator("#choices button[aria-pressed=true]")
    await expect(chosen).to_have_count(1)
    looks = """e => { const s = getComputedStyle(e), t = getComputedStyle(e, '::before');
                      return {bg: s.backgroundColor, tick: t.backgroundImage, border: s.borderTopColor}; }"""
    picked: dict[str, str] = await chosen.evaluate(looks)
    unpicked: dict[str, str] = await page.locator("#choices button[aria-pressed=false]").first.evaluate(looks)
    done: dict[str, str] = await page.locator("#choices button").filter(has_text="Done").evaluate(looks)
    assert "url(" in picked["tick"] and "url(" not in unpicked["tick"]  # a tick in the box
    assert picked["bg"] != unpicked["bg"] and picked["bg"] != done["bg"]  # filled, and unlike Done
    await screenshot(page, "phone-toggles", whole_page=False)


async def test_the_text_box_shows_when_typing_is_expected(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await wait_for_text(page, "What would you like to do?")
    await expect(page.locator("#text")).to_be_hidden()
    instead = page.locator("#type-instead")
    await expect(instead).to_be_visible()
    await instead.click()
    await expect(page.locator("#text")).to_be_focused()
    await page.keyboard.type("quick check of one activity")  # typed words still count as an answer
    await page.keyboard.press("Enter")
    await wait_for_text(page, "name of your organisation")
    await expect(page.locator("#text")).to_be_visible()
    await expect(instead).to_be_hidden()
    assert await page.locator("#text").get_attribute("aria-describedby")  # the question describes the box


async def test_the_persons_own_message_stays_in_sight_when_the_reply_comes(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await tap(page, "Quick check of one activity")
    await wait_for_text(page, "name of your organisation")
    await type_answer(page, "Ravensthorpe Friends")
    await wait_for_text(page, "What is the activity called?")
    await type_answer(page, "Park sessions")
    await tap(page, "Celebrating")
    await tap(page, "Done")
    await tap(page, "4:")
    await wait_for_text(page, "tell me a short story")
    await type_answer(page, "We asked the girls what they wanted, and they chose the benches.")
    await wait_for_text(page, "What would help")
    await page.wait_for_timeout(700)  # the scroll has settled
    mine = await page.locator(".msg.me").last.bounding_box()
    bar = await page.locator("#progress").bounding_box()
    first = await page.locator("#choices button").first.bounding_box()
    assert mine and bar and first
    assert mine["y"] >= bar["y"] + bar["height"] - 1  # not under the sticky progress line
    assert first["y"] + first["height"] <= 740  # and the first answer is in sight too


async def test_a_restored_history_is_not_read_out_again(page: Page, live_url: str) -> None:
    await page.goto(live_url)
    await wait_for_text(page, "Which language")
    await tap(page, "English")
    await tap(page, "Quick check of one activity")
    await type_answer(page, "Locala")
    await wait_for_text(page, "What is the activity called?")
    await page.add_init_script(
        """new MutationObserver((records) => {
             for (const r of records) {
               if (r.target.id !== 'log') continue;
               window.icfLog = window.icfLog || [];
               // An attribute record knows the value before the change: null -> busy, "true" -> not busy.
               const busy = r.oldValue === null ? 'busy' : 'not busy';
               window.icfLog.push(r.type === 'attributes' ? busy : 'added');
             }
           }).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true,
                                 attributeFilter: ['aria-busy']});"""
    )
    await page.reload()
    await wait_for_text(page, "What is the activity called?")
    events = json.loads(await page.evaluate("JSON.stringify(window.icfLog || [])"))
    assert events[0] == "busy" and events[-1] == "not busy", events  # busy while the history is drawn
    assert "added" in events and all(e == "added" for e in events[1:-1])
    assert await page.locator("#log").get_attribute("aria-busy") is None
