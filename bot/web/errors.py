"""Every error as JSON ``{"error", "message"}`` with a 4xx status: never a bare 500 for bad input.

``responses`` documents them, route by route, in the OpenAPI schema: each status a route can answer,
with the body it has (tests/web/test_contract.py checks every answer against the schema).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from bot.web.schemas import ErrorOut, ValidationErrorOut
from bot.web.security import hardening_headers

__all__ = ["CONVERSATION", "TokenMissing", "errors_in_json", "install_error_handlers", "responses"]

DESCRIBED = {
    400: "The body is not JSON text in UTF-8, or is nested too deeply to read (`invalid_body`).",
    401: "No `Authorization: Bearer <token>` header (`unauthorized`).",
    404: "No conversation with that id and token: the same for both, so ids cannot be probed (`not_found`).",
    409: "The conversation is busy: send the same again (`busy`, with Retry-After); or that "
    "`client_message_id` came before with a different message, and nothing was applied "
    "(`client_message_id_reused`).",
    410: "The conversation was deleted, with everything in it (`gone`): the same on every route.",
    413: "The body is over ICF_MAX_BODY_BYTES (`too_large`).",
    422: "The body or a parameter is not valid: `detail` says which and why (`invalid_request`).",
    429: "Too many calls (`rate_limited`): wait the seconds in Retry-After.",
    503: "The database is too busy to answer in time (`busy`). Nothing was changed: send the same "
    "again after the seconds in Retry-After.",
}
# What every route that names a conversation by its id and token can answer.
CONVERSATION = (401, 404, 410, 413, 422, 429, 503)
_WAIT = {"description": "Seconds to wait.", "schema": {"type": "integer"}}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "enum": ["Bearer"]}}},
    409: {"Retry-After": {**_WAIT, "description": "With `busy`: seconds to wait."}},
    429: {"Retry-After": {**_WAIT, "required": True}},
    503: {"Retry-After": {**_WAIT, "required": True}},
}


def responses(*statuses: int, said: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route for ``responses=``: each status with its body and what it means
    (``said`` for words of the route's own)."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in sorted(set(statuses)):
        entry: dict[str, Any] = {
            "model": ValidationErrorOut if code == 422 else ErrorOut,
            "description": (said or {}).get(code, DESCRIBED[code]),
        }
        if code in _HEADERS and not (code == 409 and said and 409 in said and "busy" not in said[409]):
            entry["headers"] = _HEADERS[code]
        documented[code] = entry
    return documented


def errors_in_json(app: FastAPI) -> None:
    """Errors are JSON on every route, also where the answer itself is a page (the plan): FastAPI puts
    each documented body under the route's own media type, so the schema is put right once, here."""
    build = app.openapi
    done = False

    def openapi() -> dict[str, Any]:
        nonlocal done
        schema = build()
        if not done:
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for code, answer in operation.get("responses", {}).items():
                        content = answer.get("content", {})
                        if code.startswith("4") and "$ref" in content.get("text/html", {}).get("schema", {}):
                            content["application/json"] = content.pop("text/html")
            done = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


class TokenMissing(Exception):
    """No conversation token came with a call that needs one."""


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

    @app.exception_handler(TokenMissing)
    async def _no_token(request: Request, exc: TokenMissing) -> JSONResponse:
        response = _error(
            401, "unauthorized", "Send the conversation's token: Authorization: Bearer <token>."
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's own, for a body it cannot read as JSON
            return _error(400, "invalid_body", "The body is not JSON text in UTF-8, or is nested too deeply.")
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
