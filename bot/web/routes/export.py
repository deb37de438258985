"""A person's own copy of everything they gave: their answers and the whole transcript, as JSON."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from bot.service import ConversationNotFound
from bot.web.deps import ConversationToken, Service
from bot.web.schemas import ErrorOut
from storage import evaluations as repo
from storage import secrets_match

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])


class ExportedEntry(BaseModel):
    at: datetime
    direction: Literal["in", "out"]
    channel: str
    language: str
    step: str
    text: str
    choice: str | None = Field(default=None, description="For a tapped choice: its id.")


class ExportOut(BaseModel):
    conversation_id: str
    exported_at: datetime
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    submitted_at: datetime | None
    status: str
    language: str
    channel: str = Field(description="Where the conversation started.")
    content_version: str = Field(description="The version of the framework the questions came from.")
    answers: dict[str, Any] = Field(description="Every answer, as stored.")
    transcript: list[ExportedEntry] = Field(description="Every message in and out, oldest first.")


@router.get(
    "/conversations/{conversation_id}/export",
    responses={
        401: {"model": ErrorOut},
        404: {"model": ErrorOut, "description": "No conversation with that id and token."},
        429: {"model": ErrorOut, "description": "Too many calls: wait the seconds in Retry-After."},
    },
)
async def export(
    conversation_id: str, service: Service, token: ConversationToken, response: Response
) -> ExportOut:
    """Everything this conversation holds about the person: send ``Authorization: Bearer <token>``."""
    async with service.sessions() as session:
        evaluation = await repo.get_evaluation(session, conversation_id)
        if evaluation is None or not secrets_match(
            evaluation.access_token_hash, token, service.settings.secret_key
        ):
            raise ConversationNotFound(conversation_id)
        entries = await repo.transcript(session, conversation_id)
    response.headers["Cache-Control"] = "no-store"
    log.info("conversation export: %s", evaluation.id)
    return ExportOut(
        conversation_id=evaluation.id,
        exported_at=service.clock(),
        created_at=evaluation.created_at,
        updated_at=evaluation.updated_at,
        completed_at=evaluation.completed_at,
        submitted_at=evaluation.submitted_at,
        status=evaluation.status,
        language=evaluation.language,
        channel=evaluation.channel,
        content_version=evaluation.content_version,
        answers=evaluation.answers or {},
        transcript=[
            ExportedEntry(
                at=e.at,
                direction="in" if e.direction == "in" else "out",
                channel=e.channel,
                language=e.language,
                step=e.step,
                text=e.text,
                choice=(e.payload or {}).get("choice") if e.direction == "in" else None,
            )
            for e in entries
        ],
    )
