"""Reminders people asked for in a chat: stored with the turn, sent once on their day.

Sending claims the reminder and queues its message in the outbox in one transaction, so whichever
process gets there first sends it, a restart never sends it twice, and the outbox delivers it like any
other message (retried until the channel takes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Reminder

__all__ = ["Due", "add", "claim_due"]

REMINDERS = cast(Table, Reminder.__table__)
BATCH = 100


@dataclass(frozen=True, slots=True)
class Due:
    evaluation_id: str
    channel: str
    address: str
    approaches: tuple[str, ...]
    language: str


async def add(
    connection: AsyncConnection,
    evaluation_id: str,
    channel: str,
    address: str,
    due_on: date,
    approaches: Sequence[str],
    language: str,
    now: datetime,
) -> None:
    """One reminder per evaluation and day: asking again changes nothing."""
    exists = await connection.execute(
        select(REMINDERS.c.id).where(REMINDERS.c.evaluation_id == evaluation_id, REMINDERS.c.due_on == due_on)
    )
    if exists.first() is not None:
        return
    await connection.execute(
        insert(REMINDERS).values(
            evaluation_id=evaluation_id,
            channel=channel,
            address=address,
            due_on=due_on,
            approaches={"ids": list(approaches)},
            language=language,
            created_at=now,
        )
    )


async def claim_due(connection: AsyncConnection, today: date, now: datetime) -> list[Due]:
    """Reminders due by ``today`` and not yet sent, marked sent in this transaction."""
    rows = (
        await connection.execute(
            select(REMINDERS)
            .where(REMINDERS.c.due_on <= today, REMINDERS.c.sent_at.is_(None))
            .order_by(REMINDERS.c.due_on, REMINDERS.c.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not rows:
        return []
    await connection.execute(
        update(REMINDERS).where(REMINDERS.c.id.in_([r.id for r in rows])).values(sent_at=now)
    )
    return [
        Due(r.evaluation_id, r.channel, r.address, tuple((r.approaches or {}).get("ids", [])), r.language)
        for r in rows
    ]
