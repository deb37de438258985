"""The printable plan behind a signed, expiring link (sent where no token can be: Telegram)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.service import ConversationNotFound
from bot.web.deps import Service

__all__ = ["router"]

router = APIRouter(tags=["plan"])


@router.get("/plan/{evaluation_id}", response_class=HTMLResponse)
async def signed_plan(
    evaluation_id: str, expires: int, sig: str, request: Request, service: Service
) -> HTMLResponse:
    """The plan, read-only, while the link's signature is good and it has not expired."""
    if not request.app.state.plan_links.valid(evaluation_id, expires, sig, service.clock()):
        raise ConversationNotFound(evaluation_id)
    return HTMLResponse(await service.plan_html_for(evaluation_id))
