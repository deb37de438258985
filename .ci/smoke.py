"""The first minutes of a newcomer, checked from outside with the standard library only.

Usage: python3 smoke.py http://127.0.0.1:PORT

Waits for /healthz, fetches the chat page, the widget script and the board's sign-in page, then
completes one short activity check over the JSON API, answering whatever each reply asks (so a new
step in the conversation does not break it), and fetches the plan. Exits non-zero on any failure.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any

MOST_TURNS = 80


def fetch(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_health(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, body = fetch(f"{base}/healthz")
            if status == 200 and json.loads(body) == {"status": "ok"}:
                return
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"smoke: {base}/healthz did not answer within {seconds:.0f} s")
        time.sleep(0.25)


def page(base: str, path: str, expect: str) -> None:
    status, body = fetch(base + path)
    if status != 200 or expect.encode() not in body:
        raise SystemExit(f"smoke: GET {path} answered {status} without {expect!r}")
    print(f"smoke: GET {path} -> {status}, {len(body):,} bytes")


def next_input(reply: dict[str, Any], toggled: set[str]) -> dict[str, str]:
    """What a person in a hurry would send: the first answer, Done after one toggle, or a few words."""
    answers = [c for c in reply["choices"] if c["kind"] == "answer"]
    step = reply["step"]
    if step == "choose_language":
        return {"choice": "en"}
    if step == "choose_scope":
        return {"choice": "activity"}
    if reply["multiple"]:
        if step in toggled:
            return {"choice": "done"}
        toggled.add(step)
        return {"choice": answers[0]["id"]}
    if reply["free_text"]:
        return {"text": "Smoke test"}
    if answers:
        return {"choice": answers[0]["id"]}
    raise SystemExit(f"smoke: nothing to answer at step {step!r}: {reply['text'][:200]!r}")


def activity_check(base: str) -> None:
    status, body = fetch(f"{base}/api/conversations", {"language": "en"})
    if status != 201:
        raise SystemExit(f"smoke: starting a conversation answered {status}: {body[:300]!r}")
    conversation = json.loads(body)
    identifier, token = conversation["conversation_id"], conversation["token"]
    toggled: set[str] = set()
    for turn in range(1, MOST_TURNS + 1):
        if conversation["status"] == "submitted":
            print(f"smoke: activity check sent to the board in {turn - 1} turns")
            break
        sent = next_input(conversation["replies"][-1], toggled)
        status, body = fetch(f"{base}/api/conversations/{identifier}/messages", sent, token)
        if status != 200:
            raise SystemExit(f"smoke: turn {turn} {sent} answered {status}: {body[:300]!r}")
        conversation = json.loads(body)
    else:
        raise SystemExit(f"smoke: not sent after {MOST_TURNS} turns (at {conversation['step']!r})")
    status, body = fetch(f"{base}/api/conversations/{identifier}/plan", token=token)
    if status != 200 or b"<html" not in body:
        raise SystemExit(f"smoke: the plan answered {status}")
    print(f"smoke: plan page -> {status}, {len(body):,} bytes")


def main(base: str) -> None:
    wait_for_health(base)
    page(base, "/", "<main")
    page(base, "/widget.js", "ORIGIN")
    page(base, "/board/login", "<form")
    activity_check(base)
    print("smoke: ok")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
