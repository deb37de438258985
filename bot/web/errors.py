"""Every error as JSON ``{"error", "message"}`` with a 4xx status: never a bare 500 for bad input."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bot.service import (
    ConversationGone,
    ConversationNotFound,
    MessageIdReused,
    PlanNotReady,
    ResumeCodeInvalid,
    ReturnCodeInvalid,
    TurnBusy,
)
from bot.web.security import hardening_headers

__all__ = ["install_error_handlers"]


# Errors that sending the same again, a moment later, may cure.
SOON = {"busy", "rate_limited"}


def _error(code: int, error: str, message: str, **extra: object) -> JSONResponse:
    headers = {"Retry-After": "1"} if error in SOON else None
    return JSONResponse({"error": error, "message": message, **extra}, status_code=code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return _error(422, "invalid_request", "The request body is not valid.", detail=detail)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        response = _error(exc.status_code, "http_error", str(exc.detail))
        response.headers.update(exc.headers or {})  # such as Allow on a 405, WWW-Authenticate on a 401
        return response

    @app.exception_handler(ConversationNotFound)
    async def _not_found(request: Request, exc: ConversationNotFound) -> JSONResponse:
        return _error(404, "not_found", "No conversation with that id and token.")

    @app.exception_handler(ConversationGone)
    async def _gone(request: Request, exc: ConversationGone) -> JSONResponse:
        return _error(410, "gone", "This conversation was deleted, with everything in it. Start a new one.")

    @app.exception_handler(MessageIdReused)
    async def _reused(request: Request, exc: MessageIdReused) -> JSONResponse:
        return _error(
            409,
            "client_message_id_reused",
            "That client_message_id was sent before with a different message. Nothing was applied: "
            "send a new message with a new id.",
        )

    @app.exception_handler(ResumeCodeInvalid)
    async def _bad_code(request: Request, exc: ResumeCodeInvalid) -> JSONResponse:
        return _error(404, "resume_code_invalid", "That code is wrong, used already or out of date.")

    @app.exception_handler(ReturnCodeInvalid)
    async def _bad_return_code(request: Request, exc: ReturnCodeInvalid) -> JSONResponse:
        return _error(404, "return_code_invalid", "No finished evaluation has that return code.")

    @app.exception_handler(PlanNotReady)
    async def _not_ready(request: Request, exc: PlanNotReady) -> JSONResponse:
        return _error(409, "plan_not_ready", "The plan is ready once every part is answered and reviewed.")

    @app.exception_handler(Exception)
    async def _crashed(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input. Starlette answers it from its outermost middleware, outside
        # SecurityHeaders, so the hardening headers are added here; the error is logged as usual.
        response = _error(500, "internal_error", "Something went wrong on our side. Please try again.")
        response.headers.update(hardening_headers(request.app.state.settings.embed_origins))
        return response

    @app.exception_handler(TurnBusy)
    async def _busy(request: Request, exc: TurnBusy) -> JSONResponse:
        return _error(409, "busy", "This conversation is busy. Please send again.")
