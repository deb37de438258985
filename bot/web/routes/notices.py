"""The privacy notice and the accessibility statement, in every language the chat speaks.

Both say who runs the service (ICF_OPERATOR_NAME, ICF_OPERATOR_CONTACT) and are linked from the
chat, the widget, the plan page and Telegram (``/privacy?lang=ur``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.settings import Settings
from bot.web.languages import page_language
from bot.web.page_messages import ACCESSIBILITY_WORDS, PRIVACY_WORDS
from bot.web.site import render_page, translated

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/privacy", response_class=HTMLResponse)
async def privacy(request: Request) -> HTMLResponse:
    """What is kept, for how long, who sees it, and how to take a copy or delete it."""
    settings: Settings = request.app.state.settings
    catalogs = request.app.state.catalogs
    language = page_language(request, catalogs)
    counts = {"unsent": settings.retention_days, "code": settings.resume_days}
    words = translated(catalogs, language, PRIVACY_WORDS, **counts)
    return render_page(
        request, "privacy.html", language, page=words, keeps_unsent=settings.retention_days == 0
    )


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request) -> HTMLResponse:
    """How accessible the service is, what does not work well yet, and where to report a problem."""
    catalogs = request.app.state.catalogs
    language = page_language(request, catalogs)
    words = translated(catalogs, language, ACCESSIBILITY_WORDS)
    return render_page(request, "accessibility.html", language, page=words)
