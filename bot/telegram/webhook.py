"""The webhook route: check Telegram's secret, keep the update, answer at once.

Applying the update happens in the chat's lane (bot/channels/lanes.py), so Telegram gets its answer
within a second whatever the load, and an update it was told we have is never lost.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse

from bot.telegram.channel import arrived
from storage import inbox, transaction, utcnow

__all__ = ["SECRET_HEADER", "router"]

router = APIRouter(tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret


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
    message = arrived(update) if isinstance(update, dict) else None
    if message is None:
        return JSONResponse({"ok": True, "ignored": True})  # nothing we act on: do not make Telegram retry
    async with transaction(telegram.db) as connection:
        await inbox.store(connection, [message], utcnow())
    telegram.worker.wake()  # a repeat too: its replies, if still unsent, go now
    return JSONResponse({"ok": True})
