"""The JSON chat API: start, send, resume, history and the plan page."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import orjson
import segno
from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response

from bot.channels.seam import InAnswer, Origin
from bot.service import ChatService, ResumeCodeInvalid, ReturnCodeInvalid, TurnResult
from bot.web.deps import ConversationToken, PublicOrigin, Service
from bot.web.limits import check_text
from bot.web.ratelimit import ResumeGuard, client_address
from bot.web.schemas import (
    ConversationOut,
    ErrorOut,
    HandoffOut,
    MessageIn,
    ResumeIn,
    StartIn,
    TranscriptEntryOut,
)
from dialogs import Event

__all__ = ["router"]

# The web chat through the channel seam: buttons, and the replies in the HTTP answer.
WEB = Origin(InAnswer("web"))
router = APIRouter(prefix="/api", tags=["chat"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut},
    404: {"model": ErrorOut, "description": "No conversation with that id and token."},
    422: {"model": ErrorOut},
    429: {"model": ErrorOut, "description": "Too many calls: wait the seconds in Retry-After."},
}


class ConversationResponse(Response):
    """A turn's result as ConversationOut's JSON, written straight out.

    The replies are already JSON-ready dicts of exactly ReplyOut's shape (bot/render.py), so checking
    them against the model again on every turn only costs time; the API schema tests check the shape.
    """

    media_type = "application/json"

    def __init__(self, result: TurnResult, status_code: int = status.HTTP_200_OK) -> None:
        content = {
            "conversation_id": result.evaluation_id,
            "token": result.token,
            "step": result.step,
            "status": result.status,
            "language": result.language,
            "direction": result.direction,
            "repeated": result.repeated,
            "replies": result.replies,
        }
        super().__init__(orjson.dumps(content), status_code)


@router.post(
    "/conversations", status_code=status.HTTP_201_CREATED, response_model=ConversationOut, responses=_ERRORS
)
async def start_conversation(service: Service, request: Request, body: StartIn | None = None) -> Response:
    """Start a new evaluation; the reply carries the token for every later call. With a return code,
    it starts from that evaluation's answers, offered back one tap away."""
    body = body or StartIn()
    if body.return_code is None:
        result = await service.start(WEB, body.language)
        return ConversationResponse(result, status.HTTP_201_CREATED)
    guard: ResumeGuard = request.app.state.rate_limits.resume  # guessing codes is slowed the same way
    client = client_address(request.scope)
    guard.before(client, body.return_code)
    try:
        result = await service.start(WEB, body.language, return_code=body.return_code)
    except ReturnCodeInvalid:
        guard.failed(client)
        raise
    return ConversationResponse(result, status.HTTP_201_CREATED)


@router.post("/conversations/{conversation_id}/messages", response_model=ConversationOut, responses=_ERRORS)
async def send_message(
    conversation_id: str, body: MessageIn, request: Request, token: ConversationToken
) -> Response:
    """Send what the person typed or tapped; the replies come back once it is stored."""
    service: ChatService = request.app.state.service
    check_text(body.text, service.settings.max_text)
    event = Event.text(body.text) if body.text is not None else Event.choice(body.choice or "")
    return ConversationResponse(
        await service.send(conversation_id, token, event, WEB, body.client_message_id)
    )


@router.get("/conversations/{conversation_id}/messages", responses=_ERRORS)
async def history(
    conversation_id: str, service: Service, token: ConversationToken
) -> list[TranscriptEntryOut]:
    """Every message in and out so far, oldest first."""
    _, entries = await service.everything(conversation_id, token)
    return [TranscriptEntryOut.of(entry) for entry in entries]


@router.get(
    "/conversations/{conversation_id}/plan",
    response_class=HTMLResponse,
    responses={**_ERRORS, 409: {"model": ErrorOut, "description": "The plan is not ready yet."}},
)
async def plan_page(
    conversation_id: str, service: Service, token: ConversationToken, download: bool = False
) -> HTMLResponse:
    """The printable support plan; ``download=true`` asks the browser to save it."""
    html = await service.plan_html(conversation_id, token)
    headers = {"Content-Disposition": 'attachment; filename="icf-support-plan.html"'} if download else {}
    return HTMLResponse(html, headers=headers)


def _svg(code: segno.QRCode) -> str:
    """A standalone SVG (with its namespace, so it also shows as an image)."""
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, scale=4, border=4)
    return out.getvalue().decode("utf-8")


@router.post("/conversations/{conversation_id}/handoff", responses=_ERRORS)
async def handoff(
    conversation_id: str, service: Service, token: ConversationToken, origin: PublicOrigin
) -> HandoffOut:
    """Carry on another device: a one-time link (and its QR code) that resumes this conversation."""
    code = await service.handoff(conversation_id, token)
    link = f"{origin}/?{urlencode({'resume': code})}"
    svg = _svg(segno.make(link, error="m"))
    return HandoffOut(code=code, link=link, qr_svg=svg, days=service.settings.resume_days)


@router.post(
    "/resume",
    response_model=ConversationOut,
    responses={
        **_ERRORS,
        404: {"model": ErrorOut, "description": "Wrong or expired code."},
        429: {"model": ErrorOut, "description": "Too many wrong codes from here, or tries of this code."},
    },
)
async def resume(body: ResumeIn, service: Service, request: Request) -> Response:
    """Carry on with a resume code; a new token replaces the old one."""
    guard: ResumeGuard = request.app.state.rate_limits.resume
    client = client_address(request.scope)
    guard.before(client, body.code)
    try:
        return ConversationResponse(await service.resume(body.code, WEB, request_id=body.request_id))
    except ResumeCodeInvalid:
        guard.failed(client)
        raise
