"""Board errors: not signed in goes to the sign-in page; anything not visible is a plain 404 (a page
in the browser, JSON for the API), and a request the board cannot act on is a 422."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from bot.board.pages import SignInRequired
from bot.board.service import BadInput, NotVisible

__all__ = ["install_board_errors"]


def _for_a_browser(request: Request) -> bool:
    return request.url.path.startswith("/board")


def install_board_errors(app: FastAPI) -> None:
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
