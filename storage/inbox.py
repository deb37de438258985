"""The Telegram inbox: updates stored as they arrive, then applied in order, one chat at a time.

Storing first lets the webhook answer Telegram at once, whatever the load, and means an update
acknowledged to Telegram survives a crash. The primary key on ``update_id`` drops repeats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import TelegramInbox

__all__ = [
    "CLAIM_TIMEOUT",
    "MAX_ATTEMPTS",
    "claim_chat",
    "mark_failed",
    "mark_processed",
    "pending_count",
    "store_update",
]

CLAIM_TIMEOUT = timedelta(seconds=60)  # a worker that died lets go of its chat after this
MAX_ATTEMPTS = 5


async def store_update(
    session: AsyncSession, update_id: int, chat_id: int, payload: dict[str, Any], now: datetime
) -> bool:
    """Keep an update; False when it was stored already (Telegram sent it again)."""
    values = {
        "update_id": update_id,
        "chat_id": chat_id,
        "payload": payload,
        "received_at": now,
        "attempts": 0,
    }
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(TelegramInbox).values(**values).on_conflict_do_nothing(index_elements=["update_id"])
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_chat(session: AsyncSession, now: datetime) -> Sequence[TelegramInbox]:
    """Claim every waiting update of one chat, oldest chat first, to apply them in update order.

    A chat with an update still held by a worker (or waiting to be retried) is left alone, so a
    later update can never overtake an earlier one.
    """
    waiting = TelegramInbox.processed_at.is_(None)
    unclaimed = TelegramInbox.claimed_at.is_(None) | (TelegramInbox.claimed_at < now - CLAIM_TIMEOUT)
    held = aliased(TelegramInbox)
    chat_is_held = exists().where(
        held.chat_id == TelegramInbox.chat_id,
        held.processed_at.is_(None),
        held.claimed_at.is_not(None),
        held.claimed_at >= now - CLAIM_TIMEOUT,
    )
    chat_id = await session.scalar(
        select(TelegramInbox.chat_id).where(waiting, ~chat_is_held).order_by(TelegramInbox.update_id).limit(1)
    )
    if chat_id is None:
        return []
    claimed = await session.execute(
        update(TelegramInbox)
        .where(waiting, TelegramInbox.chat_id == chat_id, unclaimed)  # re-checked under the row locks
        .values(claimed_at=now, attempts=TelegramInbox.attempts + 1)
        .returning(TelegramInbox.update_id)
    )
    ids = list(claimed.scalars())
    rows = await session.execute(
        select(TelegramInbox).where(TelegramInbox.update_id.in_(ids)).order_by(TelegramInbox.update_id)
    )
    return rows.scalars().all()


async def mark_processed(session: AsyncSession, update_id: int, now: datetime) -> None:
    """Done with: what the person sent is emptied out (the transcript has what is kept); the row stays a
    while by its ``update_id`` so a repeat is still dropped (storage.retention removes it later)."""
    await session.execute(
        update(TelegramInbox).where(TelegramInbox.update_id == update_id).values(processed_at=now, payload={})
    )


async def mark_failed(
    session: AsyncSession, update_id: int, attempts: int, later: Sequence[int], now: datetime
) -> None:
    """Retry after the claim times out, holding the chat meanwhile; give up after MAX_ATTEMPTS so one
    bad update cannot block a chat for ever. Later updates of the chat wait, unclaimed, behind it."""
    if attempts >= MAX_ATTEMPTS:
        await mark_processed(session, update_id, now)
    await session.execute(
        update(TelegramInbox)
        .where(TelegramInbox.update_id.in_(later))
        .values(claimed_at=None, attempts=TelegramInbox.attempts - 1)
    )


async def pending_count(session: AsyncSession) -> int:
    query = select(func.count()).select_from(TelegramInbox).where(TelegramInbox.processed_at.is_(None))
    return int(await session.scalar(query) or 0)
