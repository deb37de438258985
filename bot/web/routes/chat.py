"""The JSON chat API: start, send, resume, history and the plan page."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import orjson
import segno
from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response

from bot.channels.seam import InAnswer, Origin
from bot.service import FINISHED, ChatService, ResumeCodeInvalid, ReturnCodeInvalid, TurnResult
from bot.web.deps import ConversationToken, PublicOrigin, Service
from bot.web.errors import CONVERSATION, responses
from bot.web.limits import check_text
from bot.web.ratelimit import ResumeGuard, client_address
from bot.web.routes.plans import signed_address
from bot.web.schemas import (
    ConversationOut,
    HandoffOut,
    MessageIn,
    ResumeIn,
    StartIn,
    TranscriptEntryOut,
    reply_json,
)
from dialogs import Event

__all__ = ["router"]

# The web chat through the channel seam: buttons, and the replies in the HTTP answer.
WEB = Origin(InAnswer("web"))
router = APIRouter(prefix="/api", tags=["chat"])
PLAN_NOT_READY = {409: "The plan is ready once every part is answered and reviewed (`plan_not_ready`)."}
ONLY_ONE_TURN = {409: "The conversation is busy: send the same again (`busy`, with Retry-After)."}


class ConversationResponse(Response):
    """A turn's result as ConversationOut's JSON, written straight out.

    The replies are already JSON-ready dicts of ReplyOut's shape (bot/render.py, completed by
    ``reply_json``), so checking them against the model again on every turn only costs time; the API
    schema tests check the shape.
    """

    media_type = "application/json"

    def __init__(
        self, result: TurnResult, status_code: int = status.HTTP_200_OK, plan_url: str | None = None
    ) -> None:
        content = {
            "conversation_id": result.evaluation_id,
            "token": result.token,
            "step": result.step,
            "status": result.status,
            "language": result.language,
            "direction": result.direction,
            "repeated": result.repeated,
            "replies": [reply_json(reply, plan_url) for reply in result.replies],
        }
        super().__init__(orjson.dumps(content), status_code)


def _plan_url(request: Request, conversation_id: str, origin: str, ready: bool) -> str | None:
    """The plan's signed page, once there is a plan to show."""
    if not ready:
        return None
    service: ChatService = request.app.state.service
    return signed_address(request.app.state.plan_links, conversation_id, service.clock(), origin).url


def _answer(result: TurnResult, request: Request, origin: str) -> ConversationResponse:
    with_plan = any((reply.get("document") or {}).get("kind") == "plan" for reply in result.replies)
    return ConversationResponse(result, plan_url=_plan_url(request, result.evaluation_id, origin, with_plan))


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationOut,
    responses=responses(
        400,
        404,
        413,
        422,
        429,
        503,
        said={404: "No finished evaluation has that return code (`return_code_invalid`)."},
    ),
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


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=ConversationOut,
    responses=responses(400, 409, *CONVERSATION),
)
async def send_message(
    conversation_id: str, body: MessageIn, request: Request, token: ConversationToken, origin: PublicOrigin
) -> Response:
    """Send what the person typed or tapped; the replies come back once it is stored."""
    service: ChatService = request.app.state.service
    check_text(body.text, service.settings.max_text)
    event = Event.text(body.text) if body.text is not None else Event.choice(body.choice or "")
    result = await service.send(conversation_id, token, event, WEB, body.client_message_id)
    return _answer(result, request, origin)


@router.get("/conversations/{conversation_id}/messages", responses=responses(*CONVERSATION))
async def history(
    conversation_id: str, service: Service, token: ConversationToken, request: Request, origin: PublicOrigin
) -> list[TranscriptEntryOut]:
    """Every message in and out so far, oldest first."""
    conversation, entries = await service.everything(conversation_id, token)
    plan_url = _plan_url(request, conversation_id, origin, conversation.status in FINISHED)
    return [TranscriptEntryOut.of(entry, plan_url) for entry in entries]


@router.get(
    "/conversations/{conversation_id}/plan",
    response_class=HTMLResponse,
    responses=responses(409, *CONVERSATION, said=PLAN_NOT_READY),
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


@router.post(
    "/conversations/{conversation_id}/handoff", responses=responses(409, *CONVERSATION, said=ONLY_ONE_TURN)
)
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
    responses=responses(
        400,
        404,
        413,
        422,
        429,
        503,
        said={
            404: "Wrong, used or expired code (`resume_code_invalid`).",
            429: "Too many calls, wrong codes from here, or tries of this code (`rate_limited`): wait the "
            "seconds in Retry-After.",
        },
    ),
)
async def resume(body: ResumeIn, service: Service, request: Request, origin: PublicOrigin) -> Response:
    """Carry on with a resume code; a new token replaces the old one."""
    guard: ResumeGuard = request.app.state.rate_limits.resume
    client = client_address(request.scope)
    guard.before(client, body.code)
    try:
        return _answer(await service.resume(body.code, WEB, request_id=body.request_id), request, origin)
    except ResumeCodeInvalid:
        guard.failed(client)
        raise
