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

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.settings import Settings
from bot.throttle import MAX_KEYS, RateLimited, ResumeGuard, TokenBuckets

__all__ = [
    "MAX_KEYS",
    "Limiter",
    "RateLimited",
    "RateLimits",
    "ResumeGuard",
    "TokenBuckets",
    "install_rate_limits",
]

_CONVERSATION = re.compile(r"^/api/conversations/([^/]+)")


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
