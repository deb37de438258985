"""The submission queue: evaluations sent to the board with the person's consent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evaluation, Submission

__all__ = ["enqueue", "new_submissions"]


async def enqueue(session: AsyncSession, evaluation: Evaluation, reference: str, now: datetime) -> Submission:
    existing = await session.scalar(select(Submission).where(Submission.evaluation_id == evaluation.id))
    if existing is not None:
        return existing  # sent twice (say, after "send it now"): still one place in the queue
    submission = Submission(evaluation_id=evaluation.id, reference=reference, queued_at=now)
    session.add(submission)
    evaluation.submitted_at = now
    return submission


async def new_submissions(session: AsyncSession) -> Sequence[Submission]:
    """Submissions not yet pulled by board staff, oldest first."""
    query = (
        select(Submission).where(Submission.pulled_at.is_(None)).order_by(Submission.queued_at, Submission.id)
    )
    return (await session.execute(query)).scalars().all()
