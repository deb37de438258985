"""FastAPI dependencies, as ``Annotated`` aliases the routes declare.

They are ``async`` although they never wait: FastAPI runs a plain ``def`` dependency in a thread pool,
two thread hand-offs on every chat turn for nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.service import ChatService
from bot.web.errors import TokenMissing

__all__ = ["ConversationToken", "PublicOrigin", "Service"]


async def _service(request: Request) -> ChatService:
    service: ChatService = request.app.state.service
    return service


# In the schema as the security scheme of every route that names a conversation; the 401 is our own.
_bearer = HTTPBearer(
    scheme_name="conversationToken",
    description="The token from starting (POST /api/conversations) or resuming (POST /api/resume).",
    auto_error=False,
)


async def _token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The conversation's own secret, sent as ``Authorization: Bearer <token>``."""
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise TokenMissing
    return token


async def _public_origin(request: Request) -> str:
    """ICF_PUBLIC_URL when set; otherwise the address this request came to (honouring proxy headers)."""
    settings = request.app.state.settings
    return str(settings.public_url) if settings.public_url_set else str(request.base_url).rstrip("/")


Service = Annotated[ChatService, Depends(_service)]
PublicOrigin = Annotated[str, Depends(_public_origin)]
ConversationToken = Annotated[str, Depends(_token)]
