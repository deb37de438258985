"""FastAPI dependencies, as ``Annotated`` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from bot.service import ChatService

__all__ = ["ConversationToken", "PublicOrigin", "Service"]


def _service(request: Request) -> ChatService:
    service: ChatService = request.app.state.service
    return service


def _token(authorization: Annotated[str | None, Header()] = None) -> str:
    """The conversation's own secret, sent as ``Authorization: Bearer <token>``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing conversation token")
    return token.strip()


def _public_origin(request: Request) -> str:
    """ICF_PUBLIC_URL when set; otherwise the address this request came to (honouring proxy headers)."""
    settings = request.app.state.settings
    return str(settings.public_url) if settings.public_url_set else str(request.base_url).rstrip("/")


Service = Annotated[ChatService, Depends(_service)]
PublicOrigin = Annotated[str, Depends(_public_origin)]
ConversationToken = Annotated[str, Depends(_token)]
