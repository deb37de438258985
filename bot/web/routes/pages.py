"""The pages a person opens in a browser: the chat, and the health check for load balancers."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from bot.web import page_messages as pm
from dialogs import Text, render

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(request: Request) -> HTMLResponse:
    catalogs = request.app.state.catalogs
    language = catalogs.best_match(request.headers.get("accept-language", "").split(",")[0].strip())
    translator = catalogs.translator(language)
    words = {key: render(Text(msgid), translator) for key, msgid in pm.PAGE_WORDS.items()}
    html = request.app.state.templates.get_template("chat.html").render(
        language=language, direction=catalogs.direction(language), words=words, words_json=json.dumps(words)
    )
    return HTMLResponse(html)


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> dict[str, str]:
    async with request.app.state.db.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return {"status": "ok"}
