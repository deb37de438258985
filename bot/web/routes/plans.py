"""The printable plan at a signed, expiring address on this site, and how the web chat gets one.

Telegram sends the link in a message (no token can travel there); the web chat asks for it with the
conversation's token. A link is the same all day (it is signed from the start of the day), so a
person who opens their plan twice gets one address they can bookmark; it works for ICF_RESUME_DAYS.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from bot.plan_links import PlanLinks
from bot.service import ConversationGone
from bot.web.deps import ConversationToken, PublicOrigin, Service
from bot.web.errors import CONVERSATION, responses
from bot.web.languages import page_language
from bot.web.page_messages import PLAN_PAGE_WORDS
from bot.web.plan_page import dress_plan
from bot.web.site import render_page, translated

__all__ = ["router", "signed_address"]

router = APIRouter(tags=["plan"])


class PlanLinkOut(BaseModel):
    url: str = Field(description="The plan's page: a signed address that works until expires_at.")
    download_url: str = Field(description="The same page, sent as a file to save.")
    expires_at: datetime


@router.post(
    "/api/conversations/{conversation_id}/plan-link",
    responses=responses(
        409, *CONVERSATION, said={409: "The plan is ready once every part is answered and reviewed."}
    ),
)
async def plan_link(
    conversation_id: str, service: Service, token: ConversationToken, request: Request, origin: PublicOrigin
) -> PlanLinkOut:
    """A link to this conversation's plan, for whoever holds its token, once the plan is ready."""
    await service.plan_html(conversation_id, token)  # the token's own plan, and only once there is one
    found = signed_address(request.app.state.plan_links, conversation_id, service.clock(), origin)
    url = f"{found.url}&chat=web"
    return PlanLinkOut(url=url, download_url=f"{url}&download=1", expires_at=found.expires_at)


def signed_address(links: PlanLinks, conversation_id: str, now: datetime, origin: str) -> PlanLinkOut:
    """The plan's signed address on this site. It is the same all day (signed from the day's start)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    signed = urlsplit(links.url(conversation_id, today))
    expires = int(parse_qs(signed.query)["expires"][0])
    url = f"{origin}{signed.path}?{signed.query}"
    return PlanLinkOut(
        url=url, download_url=f"{url}&download=1", expires_at=datetime.fromtimestamp(expires, UTC)
    )


# The signed pages answer a person in a browser: an ended or deleted link is a page that says so.
_PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "A wrong or expired link: a page that says so.", "content": {"text/html": {}}},
    410: {"description": "The evaluation was deleted: a page that says so.", "content": {"text/html": {}}},
    **responses(413, 422),
}


@router.get("/plan/{evaluation_id}", response_class=HTMLResponse, responses=_PAGE_ERRORS)
async def signed_plan(
    evaluation_id: str,
    expires: int,
    sig: str,
    request: Request,
    service: Service,
    origin: PublicOrigin,
    download: bool = False,
    chat: str = "",
) -> HTMLResponse:
    """The plan, read-only, while the link's signature is good and it has not expired.

    ``download=1`` sends it as a file; ``chat=web`` adds the way back to the web chat.
    """
    links: PlanLinks = request.app.state.plan_links
    if not links.valid(evaluation_id, expires, sig, service.clock()):
        return _ended(request)
    calendar = f"{origin}/plan/{evaluation_id}/calendar.ics?{urlencode({'expires': expires, 'sig': sig})}"
    try:
        html = await service.plan_html_for(evaluation_id, links={"calendar": calendar})
    except ConversationGone:
        return _ended(request, status.HTTP_410_GONE)
    dressed = dress_plan(request, html, origin=origin, saving=download, back_to_chat=chat == "web")
    headers = {"Content-Disposition": 'attachment; filename="icf-support-plan.html"'} if download else {}
    return HTMLResponse(dressed, headers={**headers, "Cache-Control": "private, no-store"})


@router.get(
    "/plan/{evaluation_id}/calendar.ics",
    responses={200: {"content": {"text/calendar": {}}}, **_PAGE_ERRORS},
)
async def signed_calendar(
    evaluation_id: str, expires: int, sig: str, request: Request, service: Service
) -> Response:
    """The plan's suggested re-checks as a calendar file, behind the plan's own signed link."""
    links: PlanLinks = request.app.state.plan_links
    if not links.valid(evaluation_id, expires, sig, service.clock()):
        return _ended(request)
    headers = {
        "Content-Disposition": 'attachment; filename="icf-rechecks.ics"',
        "Cache-Control": "private, no-store",
    }
    try:
        body = await service.calendar_for(evaluation_id)
    except ConversationGone:
        return _ended(request, status.HTTP_410_GONE)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def _ended(request: Request, code: int = status.HTTP_404_NOT_FOUND) -> HTMLResponse:
    """A link that has expired or was changed: say so in words, and point to the chat for a new one."""
    catalogs = request.app.state.catalogs
    language = page_language(request, catalogs)
    words = translated(catalogs, language, PLAN_PAGE_WORDS)
    response = render_page(request, "plan_ended.html", language, page=words)
    response.status_code = code
    return response
