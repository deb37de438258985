"""``Cache-Control: no-store`` on every answer under /board and /api/board: pages, exports, errors.

Board pages and exports hold people's answers; no browser cache, proxy or back button should keep a
copy. An ASGI middleware, so it covers the answers no route handler made (redirects to sign in,
404s, 405s, validation errors).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["NoStoreUnder"]

PREFIXES = ("/board", "/api/board")


class NoStoreUnder:
    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = PREFIXES) -> None:
        self.app = app
        self.prefixes = prefixes

    def _covered(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._covered(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)
