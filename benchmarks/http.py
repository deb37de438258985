"""A lean HTTP/1.1 client for the load: one keep-alive connection per respondent, JSON in and out.

httpx costs the client about a millisecond of CPU a request; on a two-core machine the client then
ran out of CPU before the ceiling app did, and the ceiling looked lower than it is. This client does
the little the benchmark needs (POST and GET with a JSON body, Content-Length or chunked answers) at
a small fraction of that, so what is measured is the server.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

__all__ = ["Answer", "Connection", "HttpError"]

_MAX_HEAD = 64 * 1024


class HttpError(RuntimeError):
    """The connection failed, timed out or the answer was not HTTP the client understands."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names; the last of a repeated one

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"


class Connection:
    """One keep-alive connection to ``host:port``, opened on first use and again after a failure.

    ``source``: the local address to send from (any of 127.0.0.0/8 on loopback), so the server sees
    that client address.
    """

    def __init__(self, host: str, port: int, *, timeout: float = 60.0, source: str | None = None) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.source = source
        self._host_header = f"Host: {host}:{port}\r\n".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, data: Any, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("POST", path, json.dumps(data).encode(), headers)

    async def post_form(
        self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None
    ) -> Answer:
        """A POST as an HTML form sends it (the board's sign-in)."""
        return await self.request("POST", path, urlencode(fields).encode(), headers, _FORM)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("GET", path, None, headers)

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str] | None = None,
        content_type: str = _JSON,
    ) -> Answer:
        for attempt in range(2):
            reused = self._writer is not None
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(method, path, body, headers, content_type)
            except (OSError, asyncio.IncompleteReadError) as error:
                await self.aclose()
                # The server closes a connection left idle (uvicorn after 5 s): nothing of the request
                # was read, so send it again on a new one, once, as HTTP clients do.
                closed = isinstance(error, ConnectionError) or getattr(error, "partial", None) == b""
                if attempt == 0 and reused and closed:
                    continue
                raise HttpError(f"{method} {path}: {error!r}") from error
            except (TimeoutError, asyncio.LimitOverrunError, ValueError) as error:
                await self.aclose()
                raise HttpError(f"{method} {path}: {error!r}") from error
        raise AssertionError("unreachable")

    async def _exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None, content_type: str
    ) -> Answer:
        if self._writer is None:
            local = (self.source, 0) if self.source else None
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, limit=_MAX_HEAD, local_addr=local
            )
        reader, writer = self._reader, self._writer
        assert reader is not None  # noqa: S101 - opened together with the writer
        head = [f"{method} {path} HTTP/1.1\r\n".encode(), self._host_header]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}\r\n".encode())
        if body is not None:
            head.append(b"Content-Type: %s\r\nContent-Length: %d\r\n" % (content_type.encode(), len(body)))
        head.append(b"\r\n")
        writer.write(b"".join(head) + (body or b""))
        status, fields = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        if fields.get("transfer-encoding", "").lower() == "chunked":
            answer = await _read_chunked(reader)
        else:
            answer = await reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            await self.aclose()
        return Answer(status, answer, fields)

    async def aclose(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    status_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1 answer: {status_line!r}")
    fields = {}
    for line in lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return int(rest[:3]), fields


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are sent to this client
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
