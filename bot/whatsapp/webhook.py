"""The webhook route: Meta's verification (GET), then every POST checked by its signature, its
messages kept, its status reports recorded, and answered at once.

Applying a message happens in the chat's lane (bot/channels/lanes.py), so Meta gets its 200 within
a second whatever the load, and a message it was told we have is never lost. A request whose
``X-Hub-Signature-256`` is missing or wrong gets 403 and nothing of it is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.whatsapp.channel import CHANNEL, arrivals
from bot.whatsapp.statuses import record
from storage import inbox, transaction, utcnow

__all__ = ["SIGNATURE_HEADER", "router", "signed"]

router = APIRouter(tags=["whatsapp"])
SIGNATURE_HEADER = "X-Hub-Signature-256"
PATH = "/whatsapp/webhook"


def _refuse(code: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=code)


def signed(body: bytes, header: str | None, secret: str) -> bool:
    """The body was signed with the app secret: HMAC-SHA256, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (header or "").strip().encode())


@router.get(PATH, include_in_schema=False)
async def verify(
    request: Request,
    mode: str = Query(default="", alias="hub.mode"),
    token: str = Query(default="", alias="hub.verify_token"),
    challenge: str = Query(default="", alias="hub.challenge"),
) -> Response:
    whatsapp = getattr(request.app.state, "whatsapp", None)
    if whatsapp is None:
        return _refuse(status.HTTP_404_NOT_FOUND, "not_found", "WhatsApp is not set up here.")
    right = hmac.compare_digest(token.encode(), whatsapp.verify_token.encode())
    if mode != "subscribe" or not right:
        return _refuse(status.HTTP_403_FORBIDDEN, "forbidden", "Wrong or missing verify token.")
    return PlainTextResponse(challenge)


@router.post(PATH, include_in_schema=False)
async def webhook(request: Request) -> JSONResponse:
    whatsapp = getattr(request.app.state, "whatsapp", None)
    if whatsapp is None:
        return _refuse(status.HTTP_404_NOT_FOUND, "not_found", "WhatsApp is not set up here.")
    body = await request.body()
    if not signed(body, request.headers.get(SIGNATURE_HEADER), whatsapp.app_secret):
        return _refuse(status.HTTP_403_FORBIDDEN, "forbidden", "Wrong or missing signature.")
    try:
        update = json.loads(body)
    except ValueError:
        return _refuse(status.HTTP_400_BAD_REQUEST, "invalid_request", "The body is not JSON.")
    if not isinstance(update, dict):
        return JSONResponse({"ok": True, "ignored": True})
    messages, statuses = arrivals(update, whatsapp.phone_number_id, whatsapp.key)
    if not messages and not statuses:
        return JSONResponse({"ok": True, "ignored": True})  # nothing we act on: do not make Meta retry
    async with transaction(whatsapp.db) as connection:
        now = utcnow()
        await inbox.store(connection, messages, now)
        await record(connection, CHANNEL, statuses, now)
    whatsapp.worker.wake()  # a repeat too: its replies, if still unsent, go now
    return JSONResponse({"ok": True})
