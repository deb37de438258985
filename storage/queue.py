"""The submission queue: evaluations sent with the person's consent, to their organisation's ICF lead
or to the board (``storage.access.Destination``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.access import Destination
from storage.models import Submission

__all__ = ["Destination", "enqueue"]


async def enqueue(
    connection: AsyncConnection,
    evaluation_id: str,
    reference: str,
    now: datetime,
    destination: str,
    *,
    year: int | None = None,
) -> bool:
    """Queue the evaluation for its destination; False if it was queued already (say, "send" twice).

    ``year`` is the year it counts in: by default the UTC year of ``now`` (a roll-up passes its
    members' year). An unknown destination is a bug in the caller, so it raises.
    """
    chosen = Destination(destination)
    queued = select(Submission.id).where(Submission.evaluation_id == evaluation_id)
    if (await connection.execute(queued)).first() is not None:
        return False  # still one place in the queue
    await connection.execute(
        insert(Submission).values(
            evaluation_id=evaluation_id,
            reference=reference,
            destination=chosen.value,
            year=year if year is not None else now.astimezone(UTC).year,
            queued_at=now,
        )
    )
    return True
