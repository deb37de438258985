"""Board errors: not signed in goes to the sign-in page; anything not visible is a plain 404 (a page
in the browser, JSON for the API), and a request the board cannot act on is a 422.

A database too busy to answer in time (no pooled connection free within the pool's timeout, or
SQLite's write lock held past its busy timeout) is a 503 with ``Retry-After`` on a board route and
on the chat API: nothing was changed (the transaction did not start, or was rolled back), so
trying again is safe (a chat message sent again with its ``client_message_id`` is applied once).
On any other route it goes on to the app's own handler, as before.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.board.pages import SignInRequired
from bot.board.service import BadInput, NotVisible
from storage.database import is_busy

__all__ = ["RETRY_AFTER", "install_board_errors"]

RETRY_AFTER = 5  # seconds: a busy database is usually free again within a few
BUSY_PREFIXES = ("/board", "/api")  # the board's pages and API, and the chat API


def _for_a_browser(request: Request) -> bool:
    return request.url.path.startswith("/board")


def _answers_busy(request: Request) -> bool:
    path = request.url.path
    return any(path == p or path.startswith(p + "/") for p in BUSY_PREFIXES)


def install_board_errors(app: FastAPI) -> None:
    async def _database_busy(request: Request, exc: Exception) -> Response:
        if not (_answers_busy(request) and is_busy(exc)):
            raise exc  # on to the app's handler of the unexpected, as if this one were not here
        headers = {"Retry-After": str(RETRY_AFTER)}
        if _for_a_browser(request):
            page = request.app.state.board_templates.get_template("busy.html").render(user=None)
            return Response(page, 503, headers, media_type="text/html; charset=utf-8")
        body = {"error": "busy", "message": "The database is busy. Nothing was changed: try again soon."}
        return JSONResponse(body, status_code=503, headers=headers)

    for busy in (PoolTimeout, TimeoutError, OperationalError):
        app.add_exception_handler(busy, _database_busy)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/board/login?{urlencode({'next': exc.wanted})}", status_code=303)

    @app.exception_handler(NotVisible)
    async def _not_visible(request: Request, exc: NotVisible) -> Response:
        if _for_a_browser(request):
            page = request.app.state.board_templates.get_template("not_found.html").render(user=None)
            return Response(page, status_code=404, media_type="text/html; charset=utf-8")
        return JSONResponse({"error": "not_found", "message": "Nothing here you may see."}, status_code=404)

    @app.exception_handler(BadInput)
    async def _bad_input(request: Request, exc: BadInput) -> Response:
        return JSONResponse({"error": "invalid_request", "message": str(exc)}, status_code=422)
