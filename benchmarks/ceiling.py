"""The ceiling: a bare ASGI app whose one endpoint does one INSERT and one COMMIT.

It uses the product's own engine settings (``storage.database.create_engine``: the same pool, the same
SQLite pragmas) and writes as a turn does (``storage.transaction``: on SQLite in turn, ``BEGIN
IMMEDIATE``), and is served by uvicorn exactly as ``icf serve`` serves the app, so a chat turn can be
measured against the most a request that writes can do here.

    DATABASE_URL=sqlite:///ceiling.db python -m benchmarks.ceiling --port 8001
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import create_engine, transaction

__all__ = ["CeilingApp", "main", "read_body", "rows"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

metadata = MetaData()
# Shaped like a transcript entry: a line of text and a small JSON payload.
rows = Table(
    "ceiling_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("payload", JSON),
)
_JSON = [(b"content-type", b"application/json")]


class CeilingApp:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: AsyncEngine | None = None

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._engine = create_engine(self.database_url)
                async with self._engine.begin() as connection:
                    await connection.run_sync(metadata.create_all)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._engine is not None:
                    await self._engine.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Message, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        if scope["path"] == "/healthz":
            await _answer(send, 200, {"ok": True})
        elif scope["path"] == "/insert" and scope["method"] == "POST" and self._engine is not None:
            said = json.loads(body or b"{}")
            async with transaction(self._engine) as connection:  # one INSERT, one COMMIT, as a turn writes
                result = await connection.execute(
                    insert(rows).values(
                        at=datetime.now(UTC), channel="web", text=str(said.get("text", "")), payload=said
                    )
                )
            await _answer(send, 200, {"id": (result.inserted_primary_key or [None])[0]})
        else:
            await _answer(send, 404, {"error": "not_found"})


async def read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


async def _answer(send: Send, status: int, data: dict[str, Any]) -> None:
    body = json.dumps(data).encode()
    headers = [*_JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    app = CeilingApp(os.environ.get("DATABASE_URL", "sqlite:///./data/ceiling.db"))
    # The same call as ``icf serve`` (bot/cli/main.py): one worker, uvicorn's defaults otherwise.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
