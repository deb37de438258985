"""The outbox: what must reach a chat, written in the same transaction as the turn that says it.

A reply is stored with the change that caused it, so it can never be lost once the change is
committed; a deliverer sends it after the commit and marks it sent. A failed try waits and is tried
again; a try that the channel confirmed is recorded at once, so it is never sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import OutboxMessage

__all__ = [
    "Kind",
    "Queued",
    "Unsent",
    "add",
    "forget_evaluation",
    "give_up",
    "mark_sent",
    "record_status",
    "retry_later",
    "send_again",
    "step_done",
    "unsent",
    "unsent_count",
]

OUTBOX = cast(Table, OutboxMessage.__table__)
ERROR_LENGTH = 200


class Kind(StrEnum):
    REPLY = "reply"  # one reply of a turn (text, choices, a document), as the engine gave it
    NOTICE = "notice"  # words of the channel's own, outside a turn (the conversation moved elsewhere...)
    RECEIPT = "receipt"  # telling the channel we have what the person did (answering a button press)
    CLEAR = "clear"  # taking the buttons off an older message


@dataclass(frozen=True, slots=True)
class Queued:
    """Something to send, as the turn writes it."""

    channel: str
    address: str
    kind: Kind
    payload: dict[str, Any]
    language: str
    evaluation_id: str | None = None
    holds: bool = True
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Unsent:
    """A stored message not sent yet, as the deliverer reads it."""

    id: int
    kind: str
    payload: dict[str, Any]
    language: str
    evaluation_id: str | None
    holds: bool
    not_before: datetime
    expires_at: datetime | None
    attempts: int
    steps_done: int


_THIS_CHAT = (OUTBOX.c.channel == bindparam("b_channel")) & (OUTBOX.c.address == bindparam("b_address"))
_UNSENT = OUTBOX.c.sent_at.is_(None) & OUTBOX.c.failed_at.is_(None)
_INSERT = OUTBOX.insert()
_CHAT_UNSENT = (
    select(
        OUTBOX.c.id,
        OUTBOX.c.kind,
        OUTBOX.c.payload,
        OUTBOX.c.language,
        OUTBOX.c.evaluation_id,
        OUTBOX.c.holds,
        OUTBOX.c.not_before,
        OUTBOX.c.expires_at,
        OUTBOX.c.attempts,
        OUTBOX.c.steps_done,
    )
    .where(_THIS_CHAT, _UNSENT)
    .order_by(OUTBOX.c.id)
)
_SENT = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("b_id"))
    .values(sent_at=bindparam("b_now"), steps_done=bindparam("b_steps"), provider_id=bindparam("b_provider"))
)


async def add(connection: AsyncConnection, items: Sequence[Queued], now: datetime) -> None:
    """Queue messages, in the order given (a chat receives them in that order)."""
    if not items:
        return
    rows = [
        {
            "channel": item.channel,
            "address": item.address,
            "evaluation_id": item.evaluation_id,
            "kind": item.kind.value,
            "payload": item.payload,
            "language": item.language,
            "holds": item.holds,
            "created_at": now,
            "not_before": now,
            "expires_at": item.expires_at,
            "attempts": 0,
            "steps_done": 0,
        }
        for item in items
    ]
    await connection.execute(_INSERT, rows)


async def unsent(connection: AsyncConnection, channel: str, address: str) -> list[Unsent]:
    """The chat's messages still to send, oldest first."""
    result = await connection.execute(_CHAT_UNSENT, {"b_channel": channel, "b_address": address})
    return [Unsent(**row._mapping) for row in result]


async def mark_sent(
    connection: AsyncConnection,
    message_ids: Sequence[int],
    now: datetime,
    *,
    steps: int = 0,
    provider_id: str | None = None,
) -> None:
    """Sent: the channel confirmed every call. ``provider_id``: its id for what it sent (one message)."""
    rows = [{"b_id": i, "b_now": now, "b_steps": steps, "b_provider": provider_id} for i in message_ids]
    if rows:
        await connection.execute(_SENT, rows)


async def step_done(connection: AsyncConnection, message_id: int, steps: int) -> None:
    """Part of a message is out (a long text in pieces, a plan and its link): the rest follows later,
    and what went is not sent again."""
    await connection.execute(update(OUTBOX).where(OUTBOX.c.id == message_id).values(steps_done=steps))


async def retry_later(connection: AsyncConnection, message_id: int, until: datetime, error: str) -> None:
    await connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id)
        .values(not_before=until, attempts=OUTBOX.c.attempts + 1, error=error[:ERROR_LENGTH])
    )


async def give_up(connection: AsyncConnection, message_id: int, now: datetime, error: str) -> None:
    """Refused for good (the person blocked the bot, say) or too old to matter: not tried again."""
    await connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id)
        .values(failed_at=now, error=error[:ERROR_LENGTH], attempts=OUTBOX.c.attempts + 1)
    )


async def record_status(
    connection: AsyncConnection, channel: str, provider_id: str, status: str, now: datetime
) -> int | None:
    """What the channel reported later about a message it took (delivered, read, failed); returns the
    outbox id it belongs to, or None when it is not ours (or was removed since)."""
    found = await connection.scalar(
        select(OUTBOX.c.id).where(OUTBOX.c.channel == channel, OUTBOX.c.provider_id == provider_id)
    )
    if found is None:
        return None
    await connection.execute(update(OUTBOX).where(OUTBOX.c.id == found).values(status=status[:16]))
    return int(found)


async def send_again(connection: AsyncConnection, message_id: int, now: datetime, error: str) -> None:
    """The channel took a message and later said it failed: send it again, from its first call."""
    await connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id)
        .values(sent_at=None, failed_at=None, not_before=now, steps_done=0, error=error[:ERROR_LENGTH])
    )


async def forget_evaluation(connection: AsyncConnection, evaluation_id: str) -> None:
    """Deleting a conversation: what was sent, or waits to be sent, of it goes too."""
    await connection.execute(delete(OUTBOX).where(OUTBOX.c.evaluation_id == evaluation_id))


async def unsent_count(connection: AsyncConnection, *, holding: bool = False) -> int:
    """How many messages wait to be sent; ``holding``: only those a person waits for."""
    where = _UNSENT & OUTBOX.c.holds if holding else _UNSENT
    return int(await connection.scalar(select(func.count()).select_from(OUTBOX).where(where)) or 0)
