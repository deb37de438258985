"""What the board area reads and changes: the submission queue, pulls, and one evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evaluation, Organisation, Submission

__all__ = [
    "QueueFilter",
    "QueueRow",
    "completed",
    "evaluation_with_organisation",
    "organisations",
    "pull",
    "queue",
]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str = "new"  # new (not pulled yet), pulled, or all
    organisation_id: int | None = None
    scope: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    evaluation_id: str
    reference: str
    organisation: str
    organisation_id: int | None
    scope: str
    answers: dict[str, Any]
    language: str
    channel: str
    queued_at: datetime
    pulled_at: datetime | None
    pulled_by: str | None


def _where(query: Any, wanted: QueueFilter) -> Any:
    if wanted.status == "new":
        query = query.where(Submission.pulled_at.is_(None))
    elif wanted.status == "pulled":
        query = query.where(Submission.pulled_at.is_not(None))
    if wanted.organisation_id is not None:
        query = query.where(Evaluation.organisation_id == wanted.organisation_id)
    if wanted.scope:
        query = query.where(Evaluation.scope == wanted.scope)
    if wanted.since is not None:
        query = query.where(Submission.queued_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(Submission.queued_at < wanted.until)
    return query


async def queue(session: AsyncSession, wanted: QueueFilter, limit: int = 500) -> list[QueueRow]:
    query = (
        select(Submission, Evaluation, Organisation.name)
        .join(Evaluation, Evaluation.id == Submission.evaluation_id)
        .outerjoin(Organisation, Organisation.id == Evaluation.organisation_id)
        .order_by(Submission.queued_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    rows = await session.execute(_where(query, wanted))
    return [
        QueueRow(
            evaluation_id=evaluation.id,
            reference=submission.reference,
            organisation=name or "",
            organisation_id=evaluation.organisation_id,
            scope=evaluation.scope or "",
            answers=evaluation.answers,
            language=evaluation.language,
            channel=evaluation.channel,
            queued_at=submission.queued_at,
            pulled_at=submission.pulled_at,
            pulled_by=submission.pulled_by,
        )
        for submission, evaluation, name in rows
    ]


async def pull(session: AsyncSession, wanted: QueueFilter, by: str, now: datetime) -> Sequence[str]:
    """Mark the new submissions that match as pulled (who and when); returns their references."""
    ids = select(Submission.id).join(Evaluation, Evaluation.id == Submission.evaluation_id)
    ids = _where(ids, QueueFilter("new", wanted.organisation_id, wanted.scope, wanted.since, wanted.until))
    result = await session.execute(
        update(Submission)
        .where(Submission.id.in_(ids), Submission.pulled_at.is_(None))
        .values(pulled_at=now, pulled_by=by[:200])
        .returning(Submission.reference)
    )
    return sorted(result.scalars())


async def evaluation_with_organisation(
    session: AsyncSession, evaluation_id: str
) -> tuple[Evaluation, str, Submission | None] | None:
    query = (
        select(Evaluation, Organisation.name, Submission)
        .outerjoin(Organisation, Organisation.id == Evaluation.organisation_id)
        .outerjoin(Submission, Submission.evaluation_id == Evaluation.id)
        .where(Evaluation.id == evaluation_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1] or "", row[2]) if row else None


async def completed(
    session: AsyncSession, organisation_id: int, ids: set[str] | None = None
) -> list[QueueRow]:
    """An organisation's finished evaluations (not roll-ups), newest first."""
    query = (
        select(Evaluation, Organisation.name, Submission)
        .join(Organisation, Organisation.id == Evaluation.organisation_id)
        .outerjoin(Submission, Submission.evaluation_id == Evaluation.id)
        .where(
            Evaluation.organisation_id == organisation_id,
            Evaluation.status.in_(("completed", "submitted")),
            Evaluation.scope != "rollup",
        )
        .order_by(Evaluation.completed_at.desc())
    )
    if ids is not None:
        query = query.where(Evaluation.id.in_(ids))
    rows = await session.execute(query)
    return [
        QueueRow(
            evaluation_id=evaluation.id,
            reference=submission.reference if submission else "",
            organisation=name,
            organisation_id=evaluation.organisation_id,
            scope=evaluation.scope or "",
            answers=evaluation.answers,
            language=evaluation.language,
            channel=evaluation.channel,
            queued_at=evaluation.completed_at or evaluation.updated_at,
            pulled_at=submission.pulled_at if submission else None,
            pulled_by=submission.pulled_by if submission else None,
        )
        for evaluation, name, submission in rows
    ]


async def organisations(session: AsyncSession) -> list[tuple[int, str]]:
    rows = await session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return [(row[0], row[1]) for row in rows]
