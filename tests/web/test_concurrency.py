"""Turns racing in one conversation are applied one after another: nothing lost, nothing corrupted."""

from __future__ import annotations

import asyncio

import httpx

from .chat_client import ApiChat


async def test_racing_toggles_in_one_conversation_all_count(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    for said in ["@activity", "Kirklees Council", "Youth voice"]:
        await chat.say(said)
    toggles = ["connecting", "communicating", "equalising", "trusting", "celebrating"]
    responses = await asyncio.gather(*(chat.post({"choice": t}) for t in toggles))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    last = max(responses, key=lambda r: sum(bool(c["selected"]) for c in r.json()["replies"][-1]["choices"]))
    selected = {c["id"] for c in last.json()["replies"][-1]["choices"] if c["selected"]}
    assert selected == set(toggles)  # every toggle applied once, on top of the others
    assert "Next: Connecting." in await chat.say("@done")
    ins = [e["choice"] for e in await chat.history() if e["direction"] == "in"]
    assert sorted(ins[4:9]) == sorted(toggles)
