"""FastAPI dependencies, as ``Annotated`` aliases the routes declare.

They are ``async`` although they never wait: FastAPI runs a plain ``def`` dependency in a thread pool,
two thread hand-offs on every chat turn for nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from bot.service import ChatService

__all__ = ["ConversationToken", "PublicOrigin", "Service"]


async def _service(request: Request) -> ChatService:
    service: ChatService = request.app.state.service
    return service


async def _token(authorization: Annotated[str | None, Header()] = None) -> str:
    """The conversation's own secret, sent as ``Authorization: Bearer <token>``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing conversation token")
    return token.strip()


async def _public_origin(request: Request) -> str:
    """ICF_PUBLIC_URL when set; otherwise the address this request came to (honouring proxy headers)."""
    settings = request.app.state.settings
    return str(settings.public_url) if settings.public_url_set else str(request.base_url).rstrip("/")


Service = Annotated[ChatService, Depends(_service)]
PublicOrigin = Annotated[str, Depends(_public_origin)]
ConversationToken = Annotated[str, Depends(_token)]
