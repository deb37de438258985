"""Caps on what a client sends: the body size, checked before anything is parsed, and the text."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimit", "check_text", "show_text_limit"]


class BodySizeLimit:
    """Answer 413 to a body over ``max_bytes``, whether or not it declares its length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        received = 0
        too_big = False

        async def counting_receive() -> Message:
            nonlocal received, too_big
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                too_big = True
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps({"error": "too_large", "message": "The request body is too large."}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def check_text(text: str | None, max_text: int) -> None:
    """ICF_MAX_TEXT: a longer message is a 422 like any other bad body, and nothing is applied."""
    if text is not None and len(text) > max_text:
        error = {"loc": ("body", "text"), "msg": f"at most {max_text} characters", "type": "string_too_long"}
        raise RequestValidationError([error])
    try:
        (text or "").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800": JSON allows it, nothing can store it
        error = {"loc": ("body", "text"), "msg": "not valid Unicode text", "type": "string_unicode"}
        raise RequestValidationError([error]) from None


def show_text_limit(app: FastAPI, max_text: int) -> None:
    """Put the configured ICF_MAX_TEXT into the OpenAPI schema in place of the default."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            message = schema.get("components", {}).get("schemas", {}).get("MessageIn", {})
            text = message.get("properties", {}).get("text", {})
            for option in text.get("anyOf", [text]):
                if option.get("type") == "string":
                    option["maxLength"] = max_text
            if "description" in text:
                text["description"] = f"What was typed: {max_text} characters at most."
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
