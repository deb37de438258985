"""The Graph API calls the channel makes, each failure sorted for the outbox.

Three calls: send a message, upload a file, mark a message read. What goes wrong is sorted as the
outbox needs it: "try again" (5xx, timeouts, the network, 429 and Graph's throttling codes, with
the ``Retry-After`` when there is one, and an access token that has run out, which its owner can
renew without losing a reply) and "never" (the person's 24-hour window closed, a number that is not
on WhatsApp, a message the API calls invalid).
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.channels.seam import DeliveryFailed

__all__ = ["DEFAULT_URL", "GraphApi", "THROTTLED"]

DEFAULT_URL = "https://graph.facebook.com/v21.0"
# Graph's codes for "too many, slow down": tried again.
THROTTLED = frozenset({4, 80007, 130429, 131048, 131056})
# Graph's codes for "something went wrong on our side": tried again.
TRANSIENT = frozenset({1, 2, 131000, 131016, 133004})


class GraphApi:
    """One business number's messages endpoint and media endpoint, over one connection pool."""

    def __init__(self, token: str, phone_number_id: str, url: str = "", *, timeout: float = 15.0) -> None:
        root = (url or DEFAULT_URL).rstrip("/")
        self.http = httpx.AsyncClient(
            base_url=f"{root}/{phone_number_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            limits=httpx.Limits(max_connections=64),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, to: str, message: dict[str, Any]) -> str:
        """One message to one number; returns its wamid."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        answer = await self._post("/messages", json=body)
        return str(answer["messages"][0]["id"])

    async def upload(self, content: bytes, filename: str, mime_type: str) -> str:
        """A file for a document message; returns its media id."""
        files = {"file": (filename, content, mime_type)}
        data = {"messaging_product": "whatsapp", "type": mime_type}
        answer = await self._post("/media", data=data, files=files)
        return str(answer["id"])

    async def mark_read(self, wamid: str) -> None:
        """The person's message shows as read (blue ticks): we have it."""
        await self._post(
            "/messages", json={"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        )

    async def _post(self, path: str, **request: Any) -> dict[str, Any]:
        try:
            response = await self.http.post(path, **request)
        except httpx.TimeoutException as error:
            raise DeliveryFailed(f"timeout: {type(error).__name__}") from error
        except httpx.HTTPError as error:  # the network: try again
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
        if response.is_success:
            answer = response.json()
            if isinstance(answer, dict):
                return answer
            raise DeliveryFailed(f"unexpected answer: {response.text[:100]}")
        raise _sorted(response)


def _sorted(response: httpx.Response) -> DeliveryFailed:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    said = f"{response.status_code} {error.get('message', '') if isinstance(error, dict) else ''}".strip()
    if response.status_code == 429 or code in THROTTLED:
        return DeliveryFailed(said, retry_after=_retry_after(response))
    if response.status_code >= 500 or code in TRANSIENT:
        return DeliveryFailed(said)
    if response.status_code in {401, 403} or code == 190:  # the token: its owner renews it, nothing is lost
        return DeliveryFailed(said)
    return DeliveryFailed(f"refused: {said}", permanent=True)


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    try:
        return max(float(raw), 0.0) if raw else None
    except ValueError:
        return None
