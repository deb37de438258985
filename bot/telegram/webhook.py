"""The webhook route: check Telegram's secret, keep the update, answer at once.

Applying the update happens in the inbox worker, so Telegram gets its answer within a second
whatever the load, and an update it was told we have is never lost.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse

from storage import inbox, utcnow

__all__ = ["router"]

router = APIRouter(tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret


def _chat_id(update: dict[str, Any]) -> int | None:
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        chat = (update.get(key) or {}).get("chat") or {}
        if isinstance(chat.get("id"), int):
            return int(chat["id"])
    query = update.get("callback_query") or {}
    chat = ((query.get("message") or {}).get("chat")) or query.get("from") or {}
    return int(chat["id"]) if isinstance(chat.get("id"), int) else None


def _refuse(code: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=code)


@router.post("/telegram/webhook", include_in_schema=False)
async def webhook(
    request: Request, secret: str | None = Header(default=None, alias=SECRET_HEADER)
) -> JSONResponse:
    telegram = getattr(request.app.state, "telegram", None)
    if telegram is None:
        return _refuse(status.HTTP_404_NOT_FOUND, "not_found", "Telegram is not set up here.")
    if not hmac.compare_digest((secret or "").encode(), telegram.secret.encode()):
        return _refuse(status.HTTP_403_FORBIDDEN, "forbidden", "Wrong or missing secret token.")
    try:
        update = await request.json()
    except ValueError:
        return _refuse(status.HTTP_400_BAD_REQUEST, "invalid_request", "The body is not JSON.")
    update_id = update.get("update_id") if isinstance(update, dict) else None
    chat_id = _chat_id(update) if isinstance(update, dict) else None
    if not isinstance(update_id, int) or chat_id is None:
        return JSONResponse({"ok": True, "ignored": True})  # nothing we act on: do not make Telegram retry
    async with telegram.sessions.begin() as session:
        await inbox.store_update(session, update_id, chat_id, update, utcnow())
    telegram.worker.wake()
    return JSONResponse({"ok": True})
