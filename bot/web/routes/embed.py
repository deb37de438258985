"""The embeddable widget script and the page words, in the visitor's language."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from bot.settings import Settings
from bot.translations import Catalogs
from bot.web.deps import PublicOrigin
from bot.web.errors import responses
from bot.web.languages import page_language
from bot.web.page_messages import CHROME_WORDS, PAGE_WORDS, WIDGET_WORDS
from bot.web.site import translated

__all__ = ["router"]

router = APIRouter()
WIDGET = Path(__file__).resolve().parents[1] / "static" / "widget.js"


@cache
def _widget_source() -> str:
    return WIDGET.read_text(encoding="utf-8")


class WordsOut(BaseModel):
    language: str
    direction: str
    words: dict[str, str] = Field(description="The chat page's words: its header, buttons and notices.")
    widget: dict[str, str] = Field(description="The words of the widget on a partner's page.")


@lru_cache(maxsize=64)
def _words_body(catalogs: Catalogs, language: str) -> bytes:
    """The words of one language, written once: the catalogs never change while the app runs, and
    this is what a flood of first visits asks for (issue 19, case (d))."""
    words = WordsOut(
        language=language,
        direction=catalogs.direction(language),
        words=translated(catalogs, language, {**CHROME_WORDS, **PAGE_WORDS}),
        widget=translated(catalogs, language, WIDGET_WORDS),
    )
    return words.model_dump_json().encode()


@router.get(
    "/api/words/{language}",
    tags=["chat"],
    response_model=WordsOut,
    responses=responses(
        404, 413, 422, 429, said={404: "The chat does not speak that language (`http_error`)."}
    ),
)
async def page_words(language: str, request: Request) -> Response:
    """The chat page's own words in a language, for when a person switches language mid-way."""
    catalogs = request.app.state.catalogs
    if language not in catalogs.languages:
        raise HTTPException(404, "no such language")
    return Response(_words_body(catalogs, language), media_type="application/json")


@router.get("/widget.js", include_in_schema=False)
async def widget(request: Request, origin: PublicOrigin) -> Response:
    """One script tag on a partner's site adds the launcher and the chat panel."""
    catalogs = request.app.state.catalogs
    settings: Settings = request.app.state.settings
    language = page_language(request, catalogs)
    start = {
        "origin": origin,
        "language": language,
        "direction": catalogs.direction(language),
        "words": translated(catalogs, language, WIDGET_WORDS),
        "accent": settings.accent_colour,
    }
    prelude = f"const START = {json.dumps(start, ensure_ascii=False)};"
    body = f"(() => {{\n{prelude}\n{_widget_source()}\n}})();\n"
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
