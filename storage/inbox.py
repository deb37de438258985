"""The inbox: what chats sent, stored as it arrives, then applied in order, one chat at a time.

Storing first lets a channel tell its server "got it" at once, whatever the load, and means a
message acknowledged survives a crash. The unique (channel, message key) drops repeats. Every
messenger channel (Telegram, WhatsApp) shares this table; a chat is a (channel, address) lane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.lanes import ensure_lanes, set_reach
from storage.models import InboxMessage

__all__ = [
    "Arrived",
    "Pending",
    "failed",
    "hold_back",
    "mark_processed",
    "pending",
    "pending_count",
    "store",
]

INBOX = cast(Table, InboxMessage.__table__)
_WAITING = INBOX.c.processed_at.is_(None)
_THIS_CHAT = (INBOX.c.channel == bindparam("b_channel")) & (INBOX.c.address == bindparam("b_address"))
_PENDING = (
    select(
        INBOX.c.id,
        INBOX.c.message_key,
        INBOX.c.payload,
        INBOX.c.attempts,
        INBOX.c.received_at,
        INBOX.c.not_before,
    )
    .where(_THIS_CHAT, _WAITING)
    .order_by(INBOX.c.sequence, INBOX.c.id)
)
_PROCESSED = (
    update(INBOX).where(INBOX.c.id == bindparam("b_id")).values(processed_at=bindparam("b_now"), payload={})
)


@dataclass(frozen=True, slots=True)
class Arrived:
    """One message as a channel received it.

    ``address`` names the chat everywhere (links, lanes, outbox); ``reach`` is what the channel needs
    to answer it when the address is only a keyed hash of that (a phone number): kept on the lane.
    """

    channel: str
    message_key: str
    address: str
    payload: dict[str, Any]
    sequence: int | None = None
    reach: str | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """A stored message not applied yet."""

    id: int
    message_key: str
    payload: dict[str, Any]
    attempts: int
    received_at: datetime
    not_before: datetime | None


def _insert(connection: AsyncConnection) -> Any:
    return pg_insert if connection.dialect.name == "postgresql" else sqlite_insert


async def store(connection: AsyncConnection, messages: Sequence[Arrived], now: datetime) -> int:
    """Keep messages; a repeat of one stored already is dropped. Returns how many were new."""
    if not messages:
        return 0
    rows = [
        {
            "channel": m.channel,
            "message_key": m.message_key,
            "address": m.address,
            "sequence": m.sequence,
            "payload": m.payload,
            "received_at": now,
            "attempts": 0,
        }
        for m in messages
    ]
    statement = _insert(connection)(INBOX).on_conflict_do_nothing(index_elements=["channel", "message_key"])
    stored = 0
    for row in rows:  # one by one: the rowcount of an executemany is not reliable on every driver
        result = await connection.execute(statement, row)
        stored += max(int(result.rowcount), 0)
    await ensure_lanes(connection, {(m.channel, m.address) for m in messages})
    for reached in {(m.channel, m.address, m.reach) for m in messages if m.reach is not None}:
        await set_reach(connection, *reached)
    return stored


async def pending(connection: AsyncConnection, channel: str, address: str) -> list[Pending]:
    """The chat's messages still to apply, in the channel's order."""
    result = await connection.execute(_PENDING, {"b_channel": channel, "b_address": address})
    return [Pending(**row._mapping) for row in result]


async def mark_processed(connection: AsyncConnection, message_id: int, now: datetime) -> None:
    """Done with, in the same transaction as the turn it caused: what the person sent is emptied out
    (the transcript has what is kept); the row stays a while by its key so a repeat is still dropped
    (storage.retention removes it later)."""
    await connection.execute(_PROCESSED, {"b_id": message_id, "b_now": now})


async def failed(connection: AsyncConnection, message_id: int) -> int:
    """Count a failed try at applying a message; returns the tries it has had."""
    await connection.execute(
        update(INBOX).where(INBOX.c.id == message_id).values(attempts=INBOX.c.attempts + 1)
    )
    return int(await connection.scalar(select(INBOX.c.attempts).where(INBOX.c.id == message_id)) or 0)


async def hold_back(connection: AsyncConnection, channel: str, address: str, until: datetime) -> None:
    """Nothing of the chat is applied before ``until``: its first message failed and is tried again
    then, and the others wait behind it (a later one must never overtake it)."""
    await connection.execute(
        update(INBOX).where(_THIS_CHAT, _WAITING).values(not_before=until),
        {"b_channel": channel, "b_address": address},
    )


async def pending_count(connection: AsyncConnection) -> int:
    query = select(func.count()).select_from(INBOX).where(_WAITING)
    return int(await connection.scalar(query) or 0)
