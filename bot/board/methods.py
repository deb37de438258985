"""A 405 names every method the path answers to, in ``Allow``.

Starlette answers 405 from the first route whose path matches, so a path served by two routes
(``GET /board/login`` and ``POST /board/login``) said only ``Allow: GET``. This looks at every route.
"""

from __future__ import annotations

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AllowEveryMethod"]


class AllowEveryMethod:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allowed = _allowed(scope)
                if allowed:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    message = {**message, "headers": [*headers, (b"allow", ", ".join(allowed).encode())]}
            await send(message)

        await self.app(scope, receive, send_allow)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed(scope: Scope) -> list[str]:
    """Each method some route answers fully for this path (routers may be nested: ask each route)."""
    app = scope.get("app")
    routes = getattr(getattr(app, "router", None), "routes", [])
    methods = {
        m for m in METHODS for route in routes if route.matches({**scope, "method": m})[0] is Match.FULL
    }
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
