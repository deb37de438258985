"""The embeddable widget script and the page words, in the visitor's language."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from bot.web.deps import PublicOrigin
from bot.web.page_messages import PAGE_WORDS, WIDGET_WORDS
from dialogs import Text, render

__all__ = ["router"]

router = APIRouter()
WIDGET = Path(__file__).resolve().parents[1] / "static" / "widget.js"


@cache
def _widget_source() -> str:
    return WIDGET.read_text(encoding="utf-8")


class WordsOut(BaseModel):
    language: str
    direction: str
    words: dict[str, str]


def _words(request: Request, language: str, table: dict[str, str]) -> dict[str, str]:
    translator = request.app.state.catalogs.translator(language)
    return {key: render(Text(msgid), translator) for key, msgid in table.items()}


@router.get("/api/words/{language}", tags=["chat"])
async def page_words(language: str, request: Request) -> WordsOut:
    """The chat page's own words in a language, for when a person switches language mid-way."""
    catalogs = request.app.state.catalogs
    if language not in catalogs.languages:
        raise HTTPException(404, "no such language")
    return WordsOut(
        language=language, direction=catalogs.direction(language), words=_words(request, language, PAGE_WORDS)
    )


@router.get("/widget.js", include_in_schema=False)
async def widget(request: Request, origin: PublicOrigin) -> Response:
    """One script tag on a partner's site adds the launcher and the chat panel."""
    catalogs = request.app.state.catalogs
    language = catalogs.best_match(request.headers.get("accept-language", "").split(",")[0].strip())
    words = json.dumps(_words(request, language, WIDGET_WORDS), ensure_ascii=False)
    prelude = f"const ORIGIN = {json.dumps(origin)};\nconst WORDS = {words};"
    body = f"(() => {{\n{prelude}\n{_widget_source()}\n}})();\n"
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
