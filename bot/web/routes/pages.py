"""The pages a person opens in a browser: the chat, its colours, and the health check for load balancers."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot.web.languages import page_language
from bot.web.page_messages import PAGE_WORDS
from bot.web.site import brand_css, render_page, site_for, translated

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(request: Request, embed: str = "") -> HTMLResponse:
    """The chat; ``?embed=1`` is the widget's frame, without the page's own banner and footer."""
    catalogs = request.app.state.catalogs
    language = page_language(request, catalogs)
    words = translated(catalogs, language, PAGE_WORDS)
    script_words = {**site_for(request, language).words, **words}
    return render_page(
        request,
        "chat.html",
        language,
        embedded=embed == "1",
        chat=True,
        words=words,
        words_json=json.dumps(script_words),
    )


@router.get("/brand.css", include_in_schema=False)
async def brand(request: Request, v: str = "") -> Response:
    """The accent colour set by ICF_ACCENT_COLOUR (checked for contrast at start-up)."""
    site = site_for(request, "en")
    cache = "public, max-age=31536000, immutable" if site.brand_css_url.endswith(f"v={v}") else "no-cache"
    css = brand_css(request.app.state.settings.accent_colour)
    return Response(css, media_type="text/css; charset=utf-8", headers={"Cache-Control": cache})


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> Response:
    """200 while the background check (``bot.web.health``) sees the database answer, else 503."""
    if request.app.state.health.healthy():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "detail": "the database is not answering"}, 503)
