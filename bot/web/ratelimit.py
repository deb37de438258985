"""Rate limits, kept in this process's memory: no Redis or other service needed.

Token buckets, each holding up to ``per_minute`` tokens and refilled at ``per_minute`` a minute, so
a burst up to the limit is fine and a steady flood is held to the limit. Three kinds:

- every ``/api/`` call, per client address (``ICF_RATE_PER_CLIENT``);
- every call on one conversation, wherever it comes from (``ICF_RATE_PER_CONVERSATION``);
- resume codes: wrong codes per client address (``ICF_RESUME_FAILS_PER_CLIENT``) and tries of one
  code from anywhere (``ICF_RESUME_TRIES_PER_CODE``).

Each process keeps its own buckets, so with N processes behind a load balancer a client may get up
to N times the limit. Over a limit the answer is 429 with ``Retry-After`` in whole seconds.

The client address is the one the server saw: behind a reverse proxy, run uvicorn with
``--proxy-headers`` and ``--forwarded-allow-ips`` (``icf serve`` trusts ``X-Forwarded-For`` from
127.0.0.1 only, uvicorn's default) so each person is not counted as the proxy.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.ids import normalise_code
from bot.settings import Settings

__all__ = ["Limiter", "RateLimited", "RateLimits", "ResumeGuard", "TokenBuckets", "install_rate_limits"]

WINDOW = 60.0  # seconds: every limit is "so many a minute"
MAX_KEYS = 100_000  # buckets kept at most, so a flood of addresses cannot grow memory without end
_CONVERSATION = re.compile(r"^/api/conversations/([^/]+)")


class RateLimited(Exception):
    """Over a limit: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """One bucket per key; ``take`` spends a token or says how long until one is back."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / WINDOW  # tokens a second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._pruned = clock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        return bucket

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0 when it has one now), without spending it."""
        if not self.enabled:
            return 0.0
        bucket = self._refilled(key, self.clock())
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate

    def take(self, key: str) -> float:
        """Spend a token: 0 when there was one, otherwise the seconds until there is (nothing spent)."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        self._prune(now)
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def spend(self, key: str) -> None:
        """Take a token if there is one; never refuses (for counting what already happened)."""
        if self.enabled:
            bucket = self._refilled(key, self.clock())
            bucket.tokens = max(0.0, bucket.tokens - 1)

    def _prune(self, now: float) -> None:
        """Forget buckets that are full again: they would start full anyway."""
        if now - self._pruned < WINDOW and len(self._buckets) < MAX_KEYS:
            return
        self._pruned = now
        full_after = self.capacity / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.at < full_after}
        while len(self._buckets) >= MAX_KEYS:  # still too many: the longest idle go first
            self._buckets.pop(min(self._buckets, key=lambda k: self._buckets[k].at))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class Limiter:
    """The per-client and per-conversation limits on every ``/api/`` call, as ASGI middleware."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/api/") and scope.get("method") != "OPTIONS":
            wait = self.limits.per_client.take(client_address(scope))
            conversation = _CONVERSATION.match(path)
            if not wait and conversation:
                wait = self.limits.per_conversation.take(conversation.group(1)[:64])
            if wait:
                await too_many(RateLimited(wait))(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ResumeGuard:
    """Resume codes: wrong guesses per client address, and tries of one code from anywhere."""

    def __init__(self, fails_per_client: TokenBuckets, tries_per_code: TokenBuckets) -> None:
        self.fails_per_client = fails_per_client
        self.tries_per_code = tries_per_code

    @staticmethod
    def _code_key(code: str) -> str:
        return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()  # no code kept in memory

    def before(self, client: str, code: str) -> None:
        """RateLimited when this client guessed wrong too often, or this code was tried too often."""
        wait = self.fails_per_client.wait(client)
        if wait:
            raise RateLimited(wait)
        wait = self.tries_per_code.take(self._code_key(code))
        if wait:
            raise RateLimited(wait)

    def failed(self, client: str) -> None:
        self.fails_per_client.spend(client)


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_client: TokenBuckets
    per_conversation: TokenBuckets
    resume: ResumeGuard

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> RateLimits:
        return cls(
            per_client=TokenBuckets(settings.rate_per_client, clock),
            per_conversation=TokenBuckets(settings.rate_per_conversation, clock),
            resume=ResumeGuard(
                TokenBuckets(settings.resume_fails_per_client, clock),
                TokenBuckets(settings.resume_tries_per_code, clock),
            ),
        )


def too_many(exc: RateLimited) -> JSONResponse:
    body = {"error": "rate_limited", "message": "Too many requests. Please wait and try again."}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(exc.retry_after)})


def install_rate_limits(app: FastAPI, settings: Settings) -> RateLimits:
    """Add the middleware and the 429 handler; ``app.state.rate_limits`` holds the buckets."""
    limits = RateLimits.from_settings(settings)
    app.state.rate_limits = limits

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: RateLimited) -> JSONResponse:
        return too_many(exc)

    app.add_middleware(Limiter, limits=limits)
    return limits
