"""A person's own copy of everything they gave: their answers and the whole transcript, as JSON."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from bot.web.deps import ConversationToken, Service
from bot.web.errors import CONVERSATION, responses
from bot.web.schemas import ExportedEntry
from dialogs import Status

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])


class ExportOut(BaseModel):
    conversation_id: str
    exported_at: datetime
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    submitted_at: datetime | None
    status: Status
    language: str
    channel: str = Field(description="Where the conversation started.")
    content_version: str = Field(description="The version of the framework the questions came from.")
    answers: dict[str, Any] = Field(description="Every answer, as stored.")
    transcript: list[ExportedEntry] = Field(description="Every message in and out, oldest first.")


@router.get(
    "/conversations/{conversation_id}/export",
    responses=responses(*CONVERSATION),
)
async def export(
    conversation_id: str, service: Service, token: ConversationToken, response: Response
) -> ExportOut:
    """Everything this conversation holds about the person: send ``Authorization: Bearer <token>``."""
    evaluation, entries = await service.everything(conversation_id, token)
    response.headers["Cache-Control"] = "no-store"
    log.info("conversation export: %s", evaluation.id)
    return ExportOut(
        conversation_id=evaluation.id,
        exported_at=service.clock(),
        created_at=evaluation.created_at,
        updated_at=evaluation.updated_at,
        completed_at=evaluation.completed_at,
        submitted_at=evaluation.submitted_at,
        status=Status(evaluation.status),
        language=evaluation.language,
        channel=evaluation.channel,
        content_version=evaluation.content_version,
        answers=evaluation.answers or {},
        transcript=[ExportedEntry.of(entry) for entry in entries],
    )
