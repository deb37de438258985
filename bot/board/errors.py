"""Board errors: not signed in goes to the sign-in page; anything not visible is a plain 404."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from bot.board.pages import SignInRequired
from bot.board.service import NotVisible

__all__ = ["install_board_errors"]


def install_board_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/board/login?{urlencode({'next': exc.wanted})}", status_code=303)

    @app.exception_handler(NotVisible)
    async def _not_visible(request: Request, exc: NotVisible) -> Response:
        return JSONResponse({"error": "not_found", "message": "Nothing here you may see."}, status_code=404)
