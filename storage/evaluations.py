"""Loading and saving evaluations, their transcripts and organisations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evaluation, Organisation, Submission, TranscriptEntry
from storage.retention import drop_unused_organisation

__all__ = [
    "add_transcripts",
    "erase",
    "find_by_resume_code",
    "find_replies_to",
    "get_evaluation",
    "known_organisations",
    "link_organisation",
    "transcript",
    "transcript_row",
]


# Built once: every turn runs these, and building a statement costs more than running it on SQLite.
_BY_ID = select(Evaluation).where(Evaluation.id == bindparam("evaluation_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()  # PostgreSQL: one turn at a time per conversation
_ADD_TRANSCRIPT = insert(TranscriptEntry).execution_options(render_nulls=True)  # one statement for all


async def get_evaluation(
    session: AsyncSession, evaluation_id: str, *, for_update: bool = False
) -> Evaluation | None:
    query = _BY_ID_FOR_UPDATE if for_update else _BY_ID
    return (await session.execute(query, {"evaluation_id": evaluation_id})).scalar_one_or_none()


async def find_by_resume_code(session: AsyncSession, code_hash: str, now: datetime) -> Evaluation | None:
    query = select(Evaluation).where(
        Evaluation.resume_code_hash == code_hash, Evaluation.resume_expires_at > now
    )
    return (await session.execute(query.with_for_update())).scalar_one_or_none()


def transcript_row(
    evaluation: Evaluation,
    *,
    direction: str,
    channel: str,
    text: str,
    at: datetime,
    payload: dict[str, Any] | None = None,
    client_message_id: str | None = None,
) -> dict[str, Any]:
    """A transcript entry for ``add_transcripts``, at the evaluation's language and step as they are now."""
    return {
        "evaluation_id": evaluation.id,
        "at": at,
        "direction": direction,
        "channel": channel,
        "language": evaluation.language,
        "step": evaluation.step,
        "text": text,
        "payload": payload,
        "client_message_id": client_message_id,
    }


async def add_transcripts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Transcript entries in one statement, numbered in the order given.

    Pending changes to the evaluation are flushed first (so a new evaluation exists before its lines).
    """
    if rows:
        await session.execute(_ADD_TRANSCRIPT, list(rows))


async def transcript(session: AsyncSession, evaluation_id: str) -> Sequence[TranscriptEntry]:
    query = select(TranscriptEntry).where(TranscriptEntry.evaluation_id == evaluation_id)
    return (await session.execute(query.order_by(TranscriptEntry.id))).scalars().all()


async def find_replies_to(
    session: AsyncSession, evaluation_id: str, client_message_id: str
) -> Sequence[TranscriptEntry] | None:
    """The replies already sent for a message the client is sending again, or None if it is new."""
    first = await session.scalar(
        select(TranscriptEntry.id).where(
            TranscriptEntry.evaluation_id == evaluation_id,
            TranscriptEntry.client_message_id == client_message_id,
        )
    )
    if first is None:
        return None
    following = await session.execute(
        select(TranscriptEntry)
        .where(TranscriptEntry.evaluation_id == evaluation_id, TranscriptEntry.id > first)
        .order_by(TranscriptEntry.id)
    )
    replies: list[TranscriptEntry] = []
    for entry in following.scalars():
        if entry.direction == "in":
            break
        replies.append(entry)
    return replies


async def erase(session: AsyncSession, evaluation: Evaluation) -> None:
    """Everything the person gave goes: transcript, queue entry, answers and codes."""
    await session.execute(delete(TranscriptEntry).where(TranscriptEntry.evaluation_id == evaluation.id))
    await session.execute(delete(Submission).where(Submission.evaluation_id == evaluation.id))
    evaluation.answers = {}
    evaluation.organisation_id = None
    evaluation.scope = None
    evaluation.resume_code_hash = None
    evaluation.resume_expires_at = None
    evaluation.completed_at = None
    evaluation.submitted_at = None


def _clean_name(name: str) -> str:
    return " ".join(name.split())[:200]


async def link_organisation(session: AsyncSession, evaluation: Evaluation, name: str | None) -> None:
    """Point the evaluation at the organisation named, creating it the first time it is named.

    The name it pointed at before is forgotten once nothing points at it (a typo put right, a deletion).
    """
    previous = evaluation.organisation_id
    if not name:
        evaluation.organisation_id = None
    else:
        cleaned = _clean_name(name)
        found = await session.scalar(
            select(Organisation).where(func.lower(Organisation.name) == cleaned.lower())
        )
        if found is None:
            found = Organisation(name=cleaned)
            session.add(found)
            await session.flush()
        evaluation.organisation_id = found.id
    if previous is not None and previous != evaluation.organisation_id:
        await drop_unused_organisation(session, previous)


async def known_organisations(session: AsyncSession, limit: int = 8) -> list[str]:
    query = select(Organisation.name).order_by(Organisation.name).limit(limit)
    return list((await session.execute(query)).scalars())
