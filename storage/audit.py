"""The audit log: every view and export of evaluations by board staff, without copying the data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry

__all__ = ["audit", "recent"]


def audit(
    session: AsyncSession, user_id: int | None, actor: str, action: str, target: str, now: datetime
) -> None:
    """``actor`` is a board user's email, or the command line's own name for what it did."""
    session.add(
        AuditEntry(at=now, user_id=user_id, actor=actor[:254], action=action[:32], target=target[:200])
    )


async def recent(session: AsyncSession, limit: int = 200) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    return (await session.execute(query)).scalars().all()
