"""Static files as browsers and caches expect them: compressed, cached by content, answering HEAD.

Pages link to ``/static/chat.js?v=<hash of its content>``. A request that names the current hash
may be cached for a year (the URL changes when the file does); any other is revalidated with the
``ETag`` that Starlette's StaticFiles sends. Compression is Starlette's GZipMiddleware, used for
what a browser fetches with GET (pages, static files, the widget script), not for the chat API,
whose answers are small and on every turn's path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CompressPages", "HeadLikeGet", "StaticAssets"]

FOR_A_YEAR = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class StaticAssets:
    """The ``/static`` mount: files with content-hashed URLs."""

    def __init__(self, directory: Path, prefix: str = "/static") -> None:
        self.prefix = prefix
        self.hashes = {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(directory.iterdir())
            if path.is_file()
        }
        self.files = StaticFiles(directory=directory)

    def url(self, name: str) -> str:
        """The address to put in a page: it changes whenever the file's content does."""
        return f"{self.prefix}/{name}?v={self.hashes[name]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].rsplit("/", 1)[-1]
        asked = _query_value(scope, b"v")
        current = self.hashes.get(name)
        cache = FOR_A_YEAR if current is not None and asked == current else REVALIDATE

        async def with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in {200, 304}:
                MutableHeaders(scope=message)["Cache-Control"] = cache
            await send(message)

        await self.files(scope, receive, with_cache)


def _query_value(scope: Scope, key: bytes) -> str | None:
    query: bytes = scope.get("query_string", b"")
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == key:
            return value.decode("latin-1")
    return None


class CompressPages:
    """gzip for GET requests outside ``/api/`` when the client accepts it (Starlette's middleware)."""

    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        browsing = (
            scope["type"] == "http"
            and scope["method"] in {"GET", "HEAD"}
            and not scope["path"].startswith("/api/")
        )
        await (self.gzip if browsing else self.app)(scope, receive, send)


class HeadLikeGet:
    """HEAD answers exactly as GET would, without the body (link checkers and monitors use HEAD).

    FastAPI routes declare GET only; HTTP says every GET resource answers HEAD too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of the body follows: send nothing yet
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
