"""Keeping personal data no longer than needed.

- ``purge_stale``: evaluations never sent to the board (draft, completed but kept, or deleted) and
  untouched since a cut-off go, with their transcripts and channel links;
- ``forget_unused_organisations``: organisation names no evaluation or account points at any more;
- ``purge_processed_updates``: inbox messages applied long ago (kept a while only to drop repeats);
- ``purge_outbox``: messages sent a while ago, and ones given up (kept a little, for the channel's
  later reports on them: delivered, read, failed);
- ``purge_idle_lanes``: chats with nothing waiting, in or out, and no conversation linked (a lane may
  hold how to reach a chat).

Submitted evaluations stay: the board keeps them under its own rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import (
    Base,
    ChannelLink,
    Evaluation,
    EvaluationPart,
    InboxMessage,
    Lane,
    Organisation,
    OutboxMessage,
    Submission,
    TranscriptEntry,
)

__all__ = [
    "forget_unused_organisations",
    "purge_idle_lanes",
    "purge_outbox",
    "purge_processed_updates",
    "purge_stale",
    "stale_evaluations",
    "unused_organisation",
]

BATCH = 500
SENT = "submitted"  # the one status whose evaluations the board keeps


def _stale(cutoff: datetime) -> ColumnElement[bool]:
    return (
        (Evaluation.status != SENT)
        & Evaluation.submitted_at.is_(None)
        & (Evaluation.updated_at < cutoff)
        & ~exists().where(Submission.evaluation_id == Evaluation.id)
    )


async def stale_evaluations(session: AsyncSession, cutoff: datetime, limit: int = BATCH) -> list[str]:
    query = select(Evaluation.id).where(_stale(cutoff)).order_by(Evaluation.updated_at).limit(limit)
    return list((await session.execute(query)).scalars())


async def purge_stale(sessions: async_sessionmaker[AsyncSession], cutoff: datetime) -> int:
    """Remove every evaluation never sent and untouched since ``cutoff``; returns how many went.

    Works in batches, each its own transaction, re-checking each row under the write so a
    conversation that comes back to life meanwhile is kept.
    """
    removed = 0
    while True:
        async with sessions.begin() as session:
            ids = await stale_evaluations(session, cutoff)
            if not ids:
                break
            await session.execute(delete(TranscriptEntry).where(TranscriptEntry.evaluation_id.in_(ids)))
            await session.execute(delete(ChannelLink).where(ChannelLink.evaluation_id.in_(ids)))
            await session.execute(delete(OutboxMessage).where(OutboxMessage.evaluation_id.in_(ids)))
            await session.execute(delete(EvaluationPart).where(EvaluationPart.evaluation_id.in_(ids)))
            result = await session.execute(delete(Evaluation).where(Evaluation.id.in_(ids), _stale(cutoff)))
            removed += int(result.rowcount)  # type: ignore[attr-defined]
        if len(ids) < BATCH:
            break
    await forget_unused_organisations(sessions)
    return removed


def _unreferenced(organisation_id: Any) -> list[ColumnElement[bool]]:
    """Nothing points at the organisation: no evaluation, no account, nothing in any other table."""
    return [
        ~exists().where(fk.parent == organisation_id)
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == Organisation.__tablename__
    ]


def unused_organisation(organisation_id: int) -> list[ColumnElement[bool]]:
    """Where-clauses for deleting one organisation name, only if nothing points at it any more."""
    return [Organisation.id == organisation_id, *_unreferenced(organisation_id)]


async def forget_unused_organisations(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Drop every organisation name nothing points at any more."""
    async with sessions.begin() as session:
        result = await session.execute(delete(Organisation).where(*_unreferenced(Organisation.id)))
        return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_processed_updates(session: AsyncSession, cutoff: datetime) -> int:
    """Inbox messages applied before ``cutoff``: the channels stop sending repeats long before."""
    result = await session.execute(
        delete(InboxMessage).where(InboxMessage.processed_at.is_not(None), InboxMessage.processed_at < cutoff)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_outbox(session: AsyncSession, cutoff: datetime) -> int:
    """Outbox messages sent, or given up, before ``cutoff``."""
    sent = OutboxMessage.sent_at.is_not(None) & (OutboxMessage.sent_at < cutoff)
    failed = OutboxMessage.failed_at.is_not(None) & (OutboxMessage.failed_at < cutoff)
    result = await session.execute(delete(OutboxMessage).where(sent | failed))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_idle_lanes(session: AsyncSession) -> int:
    """Lanes of chats with nothing waiting in the inbox or the outbox, held by nobody, and linked to no
    conversation: each is made again when its chat writes."""
    this_chat_inbox = (InboxMessage.channel == Lane.channel) & (InboxMessage.address == Lane.address)
    this_chat_outbox = (OutboxMessage.channel == Lane.channel) & (OutboxMessage.address == Lane.address)
    this_chat_link = (ChannelLink.channel == Lane.channel) & (ChannelLink.external_id == Lane.address)
    idle = [
        Lane.holder.is_(None),
        ~exists().where(this_chat_inbox, InboxMessage.processed_at.is_(None)),
        ~exists().where(this_chat_outbox, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)),
        ~exists().where(this_chat_link),
    ]
    result = await session.execute(delete(Lane).where(*idle))
    return int(result.rowcount)  # type: ignore[attr-defined]
