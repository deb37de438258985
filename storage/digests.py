"""The daily digest's deliveries: each day's, for each recipient, written before it is sent.

A delivery row is the outbox: made once per day, channel and recipient (a unique constraint, so two
processes cannot both make one), covering the time since that recipient's last delivery; marked
``sent_at`` once sent. A restart finds the rows not yet sent and sends them; a sent one never goes
again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BoardUser, DigestDelivery

__all__ = ["FIRST_SPAN", "MAX_ATTEMPTS", "claim", "failed", "plan_day", "sent", "subscribers", "unsent"]

FIRST_SPAN = timedelta(days=1)  # a recipient's first digest covers the day before it
MAX_ATTEMPTS = 10
CLAIM_FOR = timedelta(minutes=10)  # a claim older than this was a process that died while sending


async def subscribers(session: AsyncSession) -> Sequence[BoardUser]:
    """Enabled accounts that asked for the digest by e-mail."""
    query = select(BoardUser).where(BoardUser.digest.is_(True), BoardUser.disabled_at.is_(None))
    return (await session.execute(query.order_by(BoardUser.email))).scalars().all()


async def plan_day(
    session: AsyncSession, day: date, channel: str, recipient: str, now: datetime
) -> DigestDelivery | None:
    """Today's delivery for the recipient, made if missing (None if another process just made it)."""
    found = await session.scalar(
        select(DigestDelivery).where(
            DigestDelivery.day == day,
            DigestDelivery.channel == channel,
            DigestDelivery.recipient == recipient,
        )
    )
    if found is not None:
        return found
    last = await session.scalar(
        select(func.max(DigestDelivery.until)).where(
            DigestDelivery.channel == channel, DigestDelivery.recipient == recipient
        )
    )
    delivery = DigestDelivery(
        day=day,
        channel=channel,
        recipient=recipient,
        since=last or now - FIRST_SPAN,
        until=now,
        created_at=now,
        attempts=0,
    )
    try:
        async with session.begin_nested():
            session.add(delivery)
    except IntegrityError:
        return None
    return delivery


async def unsent(session: AsyncSession) -> Sequence[DigestDelivery]:
    query = select(DigestDelivery).where(
        DigestDelivery.sent_at.is_(None), DigestDelivery.attempts < MAX_ATTEMPTS
    )
    return (await session.execute(query.order_by(DigestDelivery.id))).scalars().all()


async def claim(session: AsyncSession, delivery_id: int, now: datetime) -> bool:
    """Take the delivery to send it; False if it was sent, or another process is sending it."""
    result = await session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.id == delivery_id,
            DigestDelivery.sent_at.is_(None),
            (DigestDelivery.claimed_at.is_(None)) | (DigestDelivery.claimed_at < now - CLAIM_FOR),
        )
        .values(claimed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def sent(session: AsyncSession, delivery_id: int, now: datetime) -> bool:
    """Mark it sent; False if another process marked it first."""
    result = await session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == delivery_id, DigestDelivery.sent_at.is_(None))
        .values(sent_at=now, attempts=DigestDelivery.attempts + 1, last_error=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def failed(session: AsyncSession, delivery_id: int, error: str) -> None:
    await session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == delivery_id)
        .values(attempts=DigestDelivery.attempts + 1, last_error=error[:200], claimed_at=None)
    )
