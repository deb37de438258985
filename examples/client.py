"""A partner's client for the ICF chat API: it completes a quick check of one activity.

It decides what to send from the documented fields alone (``step``, ``choices`` with their ids and
kinds, ``free_text``, ``multiple``, ``suggested_score``, ``skipped_parts``, ``plan_url``,
``return_code``), never from the words of a reply, which are for people and come in their language.

    python examples/client.py http://127.0.0.1:8000 [--language ur]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from typing import Any

import httpx

# What this partner answers at each step: a choice id, words to type (str on a free-text step), the
# ids to toggle on a step of several choices, or a command (a nav choice such as "/skip").
ANSWERS: dict[str, str | list[str]] = {
    "choose_scope": "activity",
    "organisation": "Ravensthorpe Friends",
    "activity_name": "Park sessions",
    "pick_approaches": ["celebrating"],
    "story": "The girls chose the new benches and opened the park day.",
    "support": ["time"],
    "action": "Book the big hall for the summer.",
    "review": "ok",
    "consent": "keep",
}
SOON = {409: "busy", 429: "rate_limited"}  # send the same again after Retry-After


class Refused(Exception):
    """The API answered with an error a retry will not cure."""


async def call(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    for _ in range(5):
        response = await http.request(method, path, **kwargs)
        body: dict[str, Any] = response.json()
        if response.status_code < 400:
            return body
        if SOON.get(response.status_code) != body["error"]:
            raise Refused(f"{response.status_code} {body['error']}")
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    raise Refused("still busy")


def next_message(reply: dict[str, Any], language: str) -> dict[str, str]:
    """What to send to the reply's question, from its step and its choices' ids."""
    step, ids = reply["step"], {c["id"]: c for c in reply["choices"]}
    wanted = {**ANSWERS, "choose_language": language}.get(step)
    if step == "score":
        suggested = reply["suggested_score"] or 4
        return {"choice": str(suggested)}
    if isinstance(wanted, list) and reply["multiple"]:
        left = [i for i in wanted if i in ids and not ids[i]["selected"]]
        return {"choice": left[0] if left else "done"}
    if isinstance(wanted, str) and wanted in ids:
        return {"choice": wanted}
    if isinstance(wanted, str) and reply["free_text"]:
        return {"text": wanted}
    if "/skip" in ids and ids["/skip"]["kind"] == "nav":
        return {"choice": "/skip"}  # anything else this partner has no answer for
    raise Refused(f"no answer for step {step}")


async def complete_activity_check(
    base_url: str, language: str = "en", transport: httpx.AsyncBaseTransport | None = None
) -> dict[str, Any]:
    """Start, answer until the evaluation is finished, and say what came of it."""
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30) as http:
        conversation = await call(http, "POST", "/api/conversations", json={"language": language})
        token = {"Authorization": f"Bearer {conversation['token']}"}
        path = f"/api/conversations/{conversation['conversation_id']}/messages"
        found: dict[str, Any] = {"turns": 0, "skipped_parts": []}
        while conversation["step"] != "finished":
            reply = conversation["replies"][-1]
            if reply["step"] == "review":
                found["skipped_parts"] = reply["skipped_parts"]
            message = {**next_message(reply, language), "client_message_id": uuid.uuid4().hex}
            conversation = await call(http, "POST", path, json=message, headers=token)
            found["turns"] += 1
            for each in conversation["replies"]:
                for name in ("plan_url", "return_code", "reference"):
                    found[name] = each[name] or found.get(name)
        found["status"] = conversation["status"]
        found["plan_status"] = (await http.get(found["plan_url"])).status_code if found["plan_url"] else None
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where the assistant runs, such as http://127.0.0.1:8000")
    parser.add_argument("--language", default="en", help="a language the assistant speaks: en, ur, pl, ...")
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(complete_activity_check(arguments.base_url, arguments.language)), indent=2))


if __name__ == "__main__":
    main()
