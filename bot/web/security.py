"""Hardening headers on every response, and who may embed the chat.

The Content-Security-Policy allows no inline script anywhere; ``frame-ancestors`` lists the sites
allowed to show the chat in a frame (the embeddable widget), from ICF_EMBED_ORIGINS.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "content_security_policy", "hardening_headers"]


def content_security_policy(embed_origins: tuple[str, ...], logo_origin: str | None = None) -> str:
    ancestors = " ".join(("'self'", *embed_origins))
    images = " ".join(("'self'", "data:", "blob:", *([logo_origin] if logo_origin else [])))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # the plan page keeps its styles inline to print offline
            f"img-src {images}",  # the partner's logo may live on their own site (ICF_LOGO_URL)
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def hardening_headers(embed_origins: tuple[str, ...], logo_origin: str | None = None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(embed_origins, logo_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


class SecurityHeaders:
    def __init__(self, app: ASGIApp, embed_origins: tuple[str, ...], logo_origin: str | None = None) -> None:
        self.app = app
        self.headers = hardening_headers(embed_origins, logo_origin)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
