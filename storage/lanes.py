"""Lanes: one chat on a channel, served by one process at a time.

Whoever holds a chat's lane applies its inbox and delivers its outbox, so the chat's messages are
applied in order and its replies sent in order, even with several processes on one database.
Holding is a lease: the holder renews it every second or so while it works; a process that was
killed lets go when its lease runs out (``LEASE``), and another takes the chat over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, func, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import InboxMessage, Lane, OutboxMessage

__all__ = [
    "LEASE",
    "claim",
    "ensure_lanes",
    "live_message",
    "release",
    "reach",
    "renew",
    "set_live_message",
    "set_reach",
    "waiting",
]

LEASE = timedelta(seconds=5)
LANES = cast(Table, Lane.__table__)
INBOX = cast(Table, InboxMessage.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
_THIS_LANE = (LANES.c.channel == bindparam("b_channel")) & (LANES.c.address == bindparam("b_address"))


def _free(now: datetime, holder: str) -> Any:
    return or_(LANES.c.holder.is_(None), LANES.c.held_until < now, LANES.c.holder == holder)


async def ensure_lanes(connection: AsyncConnection, chats: Iterable[tuple[str, str]]) -> None:
    """A lane row for each chat, so it can be claimed (nothing happens for one that exists)."""
    rows = [{"channel": channel, "address": address} for channel, address in sorted(set(chats))]
    if not rows:
        return
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(LANES).on_conflict_do_nothing(index_elements=["channel", "address"])
    await connection.execute(statement, rows)


async def claim(connection: AsyncConnection, channel: str, address: str, holder: str, now: datetime) -> bool:
    """Take the chat's lane if nobody holds it (or their lease ran out). One winner, whatever the race:
    the conditional UPDATE is checked again under the row's lock."""
    await ensure_lanes(connection, [(channel, address)])
    result = await connection.execute(
        update(LANES).where(_THIS_LANE, _free(now, holder)).values(holder=holder, held_until=now + LEASE),
        {"b_channel": channel, "b_address": address},
    )
    return bool(result.rowcount == 1)


async def release(connection: AsyncConnection, channel: str, address: str, holder: str) -> None:
    await connection.execute(
        update(LANES).where(_THIS_LANE, LANES.c.holder == holder).values(holder=None, held_until=None),
        {"b_channel": channel, "b_address": address},
    )


async def renew(connection: AsyncConnection, holder: str, now: datetime) -> int:
    """Every lane the holder has, held for another LEASE; returns how many."""
    result = await connection.execute(
        update(LANES).where(LANES.c.holder == holder).values(held_until=now + LEASE)
    )
    return int(result.rowcount)


async def live_message(connection: AsyncConnection, channel: str, address: str) -> str | None:
    query = select(LANES.c.live_message_id).where(_THIS_LANE)
    return cast(str | None, await connection.scalar(query, {"b_channel": channel, "b_address": address}))


async def set_live_message(
    connection: AsyncConnection, channel: str, address: str, message_id: str | None
) -> None:
    await connection.execute(
        update(LANES).where(_THIS_LANE).values(live_message_id=message_id),
        {"b_channel": channel, "b_address": address},
    )


async def reach(connection: AsyncConnection, channel: str, address: str) -> str | None:
    query = select(LANES.c.reach).where(_THIS_LANE)
    return cast(str | None, await connection.scalar(query, {"b_channel": channel, "b_address": address}))


async def set_reach(connection: AsyncConnection, channel: str, address: str, value: str) -> None:
    await connection.execute(
        update(LANES).where(_THIS_LANE, LANES.c.reach.is_distinct_from(value)).values(reach=value),
        {"b_channel": channel, "b_address": address},
    )


def _not_held(channel: Any, address: Any, now: datetime, holder: str) -> Any:
    """Nobody else holds the chat's lane (one the asking holder has is its own business)."""
    return ~exists().where(
        LANES.c.channel == channel,
        LANES.c.address == address,
        LANES.c.holder.is_not(None),
        LANES.c.holder != holder,
        LANES.c.held_until >= now,
    )


async def waiting(
    connection: AsyncConnection, channels: Iterable[str], now: datetime, limit: int, holder: str
) -> list[tuple[str, str]]:
    """Chats of these channels with something to do now that nobody else is serving, the one waiting
    longest first: a message to apply (not waiting for a retry), or one to send whose time has come."""
    names = list(channels)
    if not names or limit <= 0:
        return []
    inbox_due = (
        select(INBOX.c.channel, INBOX.c.address, func.min(INBOX.c.received_at).label("since"))
        .where(
            INBOX.c.channel.in_(names),
            INBOX.c.processed_at.is_(None),
            or_(INBOX.c.not_before.is_(None), INBOX.c.not_before <= now),
            _not_held(INBOX.c.channel, INBOX.c.address, now, holder),
        )
        .group_by(INBOX.c.channel, INBOX.c.address)
    )
    outbox_due = (
        select(OUTBOX.c.channel, OUTBOX.c.address, func.min(OUTBOX.c.not_before).label("since"))
        .where(
            OUTBOX.c.channel.in_(names),
            and_(OUTBOX.c.sent_at.is_(None), OUTBOX.c.failed_at.is_(None)),
            OUTBOX.c.not_before <= now,
            _not_held(OUTBOX.c.channel, OUTBOX.c.address, now, holder),
        )
        .group_by(OUTBOX.c.channel, OUTBOX.c.address)
    )
    chats = union_all(inbox_due, outbox_due).subquery()
    query = (
        select(chats.c.channel, chats.c.address)
        .group_by(chats.c.channel, chats.c.address)
        .order_by(func.min(chats.c.since))  # the chat waiting longest first
        .limit(limit)
    )
    result = await connection.execute(query)
    return [(str(channel), str(address)) for channel, address in result]
