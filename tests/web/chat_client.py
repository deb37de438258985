"""A test's view of the chat API: start, send, and read what came back."""

from __future__ import annotations

from typing import Any

import httpx

from bot.web.schemas import ConversationOut


def as_documented(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a turn, checked to be exactly what the API schema says: no key more, none less."""
    data: dict[str, Any] = response.json()
    assert ConversationOut.model_validate(data).model_dump(mode="json") == data
    return data


class ApiChat:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.id = ""
        self.token = ""
        self.last: dict[str, Any] = {}

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def start(self, language: str | None = "en", **body: Any) -> dict[str, Any]:
        """Start, then pick ``language`` at the first question (None: leave it unanswered)."""
        response = await self.client.post("/api/conversations", json=body)
        assert response.status_code == 201, response.text
        self.last = as_documented(response)
        self.id, self.token = self.last["conversation_id"], self.last["token"]
        first = self.last
        if language is not None:
            assert first["step"] == "choose_language"
            await self.say(f"@{language}")
        return first

    async def post(self, body: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/conversations/{self.id}/messages", json=body, headers=self.headers
        )

    async def say(self, said: str, **extra: Any) -> str:
        """ "@id" taps a choice; anything else is typed. Returns all reply text shown."""
        body = {"choice": said[1:]} if said.startswith("@") else {"text": said}
        response = await self.post({**body, **extra})
        assert response.status_code == 200, response.text
        self.last = as_documented(response)
        return "\n".join(reply["text"] for reply in self.last["replies"])

    async def history(self) -> list[dict[str, Any]]:
        response = await self.client.get(f"/api/conversations/{self.id}/messages", headers=self.headers)
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result


async def complete_activity_check(chat: ApiChat, story: str = "We opened the park together.") -> str:
    """A whole quick check, up to the plan and the consent question."""
    await chat.start()
    for said in [
        "@activity",
        "Ravensthorpe Friends",
        "Park sessions",
        "@celebrating",
        "@done",
        "@4",
        story,
        "@time",
        "@done",
        "Plant bulbs with the girls.",
        "/skip",
        "/skip",
    ]:
        await chat.say(said)
    return await chat.say("@ok")
