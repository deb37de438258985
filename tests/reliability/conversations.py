"""Whole conversations over real HTTP, sent as a careful client would: every message carries a
``client_message_id`` and is sent again, unchanged, until the server acknowledges it with a 200."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from dialogs import load_default_content

# Each approach with how many plain questions it asks, as the content has them.
APPROACHES = [(a.id, len(a.questions)) for a in load_default_content().approaches]


def annual_script(organisation: str, team: str, tag: str = "") -> list[str]:
    """A whole yearly evaluation for a team, ending with consent to send it: "@id" taps, else typed."""
    said = ["@en", "@annual", "@team", organisation, team]
    for approach, questions in APPROACHES:
        said += ["@yes"] * (questions - 1) + ["@partly"]
        said += [
            "@4",
            "@high",
            f"What went well with {approach}{tag}.",
            "@done",
            f"Our {approach} story{tag}.",
        ]
        said += ["@training", "@done", f"Keep {approach}{tag}.", "Team lead", "@12m"]
    return [*said, "@no", "@ok", "@board"]


def body_of(said: str) -> dict[str, str]:
    return {"choice": said[1:]} if said.startswith("@") else {"text": said}


@dataclass
class Stats:
    dropped: int = 0  # requests that got no answer: the server died under them, or was not up
    repeated: int = 0  # acknowledged as already applied: the turn was stored, its answer lost
    busy: int = 0


@dataclass
class Acknowledged:
    client_message_id: str
    said: str
    replies: list[str]


@dataclass
class Conversation:
    id: str = ""
    token: str = ""
    acknowledged: list[Acknowledged] = field(default_factory=list)
    last: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Client:
    """Sends to whichever server ``url`` names at that moment; retries until a real answer comes."""

    def __init__(self, url: Callable[[], str], stats: Stats, deadline: float, pause: float = 0.0) -> None:
        self.url = url
        self.pause = pause
        self.stats = stats
        self.deadline = deadline
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0))

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        while time.monotonic() < self.deadline:
            try:
                response = await self.http.request(method, self.url() + path, **kwargs)
            except httpx.TransportError:
                self.stats.dropped += 1
                await asyncio.sleep(0.02)
                continue
            if response.status_code == 409 and response.json().get("error") == "busy":
                self.stats.busy += 1
                continue
            assert response.status_code < 500, response.text
            return response
        raise TimeoutError(f"no answer to {method} {path} in time")

    async def start(self) -> Conversation:
        """A new conversation; a start whose answer was lost just leaves an unused one behind."""
        response = await self.request("POST", "/api/conversations", json={})
        assert response.status_code == 201, response.text
        body = response.json()
        return Conversation(body["conversation_id"], body["token"], last=body)

    async def say(self, conversation: Conversation, said: str, client_message_id: str) -> dict[str, Any]:
        response = await self.request(
            "POST",
            f"/api/conversations/{conversation.id}/messages",
            json={**body_of(said), "client_message_id": client_message_id},
            headers=conversation.headers,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.stats.repeated += bool(body["repeated"])
        conversation.acknowledged.append(
            Acknowledged(client_message_id, said, [reply["text"] for reply in body["replies"]])
        )
        conversation.last = body
        return body

    async def run(self, script: list[str], prefix: str, pause_at: int | None = None) -> Conversation:
        """The script, one message after another; at ``pause_at``, pause and carry on with the code."""
        conversation = await self.start()
        for number, said in enumerate(script):
            if number == pause_at:
                await self.pause_and_resume(conversation, prefix)
            await self.say(conversation, said, f"{prefix}-{number}")
            await asyncio.sleep(self.pause)  # a person reads before answering; leaves room for the rest
        return conversation

    async def pause_and_resume(self, conversation: Conversation, prefix: str) -> None:
        """/pause, then the code as on another device: sent again, with its request id, until answered."""
        shown = await self.say(conversation, "/pause", f"{prefix}-pause")
        code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", shown["replies"][0]["text"])
        assert code, shown
        body = {"code": code.group(0), "request_id": secrets.token_urlsafe(16)}
        response = await self.request("POST", "/api/resume", json=body)
        assert response.status_code == 200, response.text
        resumed = response.json()
        self.stats.repeated += bool(resumed["repeated"])
        conversation.token = resumed["token"]
        replies = [reply["text"] for reply in resumed["replies"]]
        conversation.acknowledged.append(Acknowledged("", "/resume", replies))

    async def history(self, conversation: Conversation) -> list[dict[str, Any]]:
        response = await self.request(
            "GET", f"/api/conversations/{conversation.id}/messages", headers=conversation.headers
        )
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries


def said_in(entry: dict[str, Any]) -> str:
    """A transcript entry in as the script wrote it: "@id" for a tapped choice, else the text."""
    return f"@{entry['choice']}" if entry.get("choice") else str(entry["text"])
