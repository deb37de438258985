"""Reading transcripts as ORM objects, for the board, the history and the exports.

A conversation's turns read and write the same rows through storage.conversations instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TranscriptEntry

__all__ = ["transcript"]


async def transcript(session: AsyncSession, evaluation_id: str) -> Sequence[TranscriptEntry]:
    query = select(TranscriptEntry).where(TranscriptEntry.evaluation_id == evaluation_id)
    return (await session.execute(query.order_by(TranscriptEntry.id))).scalars().all()
