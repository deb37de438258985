"""The submission queue: evaluations sent to the board with the person's consent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Submission

__all__ = ["enqueue", "new_submissions"]


async def enqueue(connection: AsyncConnection, evaluation_id: str, reference: str, now: datetime) -> bool:
    """Queue the evaluation for the board; False if it was queued already (say, "send it now" twice)."""
    queued = select(Submission.id).where(Submission.evaluation_id == evaluation_id)
    if (await connection.execute(queued)).first() is not None:
        return False  # still one place in the queue
    await connection.execute(
        insert(Submission).values(evaluation_id=evaluation_id, reference=reference, queued_at=now)
    )
    return True


async def new_submissions(session: AsyncSession) -> Sequence[Submission]:
    """Submissions not yet pulled by board staff, oldest first."""
    query = (
        select(Submission).where(Submission.pulled_at.is_(None)).order_by(Submission.queued_at, Submission.id)
    )
    return (await session.execute(query)).scalars().all()
