"""What the board area reads and changes: the queue (paged), pulls, one evaluation, a lead's inbox.

Every query here takes a ``storage.access.Viewer`` and asks ``storage.access`` who sees what; none
decides it on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Access, Destination, Viewer, access_column, full_access, live_rollup_member
from storage.models import Evaluation, ListedOrganisation, Organisation, Rollup, RollupMember, Submission

__all__ = [
    "MAX_PAGE",
    "Cursor",
    "EvaluationFound",
    "Page",
    "PullResult",
    "QueueFilter",
    "QueueRow",
    "RollupPart",
    "evaluation_for",
    "lead_inbox",
    "pull",
    "queue",
]

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the last row's (queued_at, submission id); the next page starts after it."""

    queued_at: datetime
    submission_id: int


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str = "new"  # new (not pulled yet), pulled, or all
    organisation_id: int | None = None
    scope: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    check: bool = False  # only those under a typed organisation name not on the list yet


@dataclass(frozen=True, slots=True)
class QueueRow:
    evaluation_id: str
    reference: str
    organisation: str
    organisation_id: int | None
    organisation_listed: bool
    scope: str
    destination: str
    year: int
    answers: dict[str, Any]
    language: str
    channel: str
    queued_at: datetime
    pulled_at: datetime | None
    pulled_by: str | None
    submission_id: int = 0
    rolled_up: bool = False  # combined into a live roll-up


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[QueueRow]
    next: Cursor | None  # None: this was the last page


_LISTED = exists().where(ListedOrganisation.organisation_id == Evaluation.organisation_id)


def _columns() -> tuple[Any, ...]:
    return (
        Evaluation.id,
        Submission.reference,
        Organisation.name,
        Evaluation.organisation_id,
        _LISTED,
        Evaluation.scope,
        Submission.destination,
        Submission.year,
        Evaluation.answers,
        Evaluation.language,
        Evaluation.channel,
        Submission.queued_at,
        Submission.pulled_at,
        Submission.pulled_by,
        Submission.id,
        live_rollup_member(),
    )


def _row(row: Any) -> QueueRow:
    return QueueRow(
        evaluation_id=row[0],
        reference=row[1],
        organisation=row[2] or "",
        organisation_id=row[3],
        organisation_listed=bool(row[4]),
        scope=row[5] or "",
        destination=row[6],
        year=row[7],
        answers=row[8] if isinstance(row[8], dict) else {},
        language=row[9],
        channel=row[10],
        queued_at=row[11],
        pulled_at=row[12],
        pulled_by=row[13],
        submission_id=row[14],
        rolled_up=bool(row[15]),
    )


def _seen(viewer: Viewer) -> Any:
    return (
        select(*_columns())
        .select_from(Submission)
        .join(Evaluation, Evaluation.id == Submission.evaluation_id)
        .outerjoin(Organisation, Organisation.id == Evaluation.organisation_id)
        .where(full_access(viewer))
    )


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
    if wanted.check:
        query = query.where(Evaluation.organisation_id.is_not(None), ~_LISTED)
    return query


async def queue(
    session: AsyncSession, viewer: Viewer, wanted: QueueFilter, after: Cursor | None = None, limit: int = 100
) -> Page:
    """One page of what the viewer may see, newest first; ``after`` continues from an earlier page.

    The order (queued_at, then submission id, both descending) never changes for rows already
    shown, so a cursor stays right while new submissions arrive: they come before the first page.
    """
    limit = max(1, min(limit, MAX_PAGE))
    query = _where(_seen(viewer), wanted)
    if after is not None:
        query = query.where(
            or_(
                Submission.queued_at < after.queued_at,
                and_(Submission.queued_at == after.queued_at, Submission.id < after.submission_id),
            )
        )
    query = query.order_by(Submission.queued_at.desc(), Submission.id.desc()).limit(limit + 1)
    rows = [_row(row) for row in await session.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows and more else None
    return Page(rows, Cursor(last.queued_at, last.submission_id) if last else None)


@dataclass(frozen=True, slots=True)
class PullResult:
    pulled: list[str]  # references now marked as pulled by this person
    already: list[tuple[str, str, datetime]] = field(default_factory=list)  # (reference, by whom, when)
    gone: list[str] = field(default_factory=list)  # ids asked for that are not (or no longer) to be seen


async def pull(
    session: AsyncSession, viewer: Viewer, evaluation_ids: Sequence[str], by: str, now: datetime
) -> PullResult:
    """Mark exactly the evaluations asked for (the ones shown) as pulled, and say what changed:
    those someone pulled meanwhile, and those no longer there (deleted, or replaced roll-ups)."""
    wanted = list(dict.fromkeys(evaluation_ids))
    if not wanted:
        return PullResult([])
    found = {
        row.evaluation_id: row
        for row in (_row(r) for r in await session.execute(_seen(viewer).where(Evaluation.id.in_(wanted))))
    }
    fresh = [found[i].submission_id for i in wanted if i in found and found[i].pulled_at is None]
    pulled: list[str] = []
    if fresh:
        result = await session.execute(
            update(Submission)
            .where(Submission.id.in_(fresh), Submission.pulled_at.is_(None))
            .values(pulled_at=now, pulled_by=by[:200])
            .returning(Submission.reference)
        )
        pulled = sorted(result.scalars())
    already = sorted(
        (row.reference, row.pulled_by or "", row.pulled_at)
        for row in found.values()
        if row.pulled_at is not None
    )
    raced = [found[i] for i in wanted if i in found and found[i].pulled_at is None]
    lost = sorted(r.reference for r in raced if r.reference not in pulled)  # pulled by another meanwhile
    already += [(reference, "", now) for reference in lost]
    return PullResult(pulled, already, [i for i in wanted if i not in found])


# -- one evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollupPart:
    evaluation_id: str
    reference: str
    who: str
    scope: str


@dataclass(frozen=True, slots=True)
class EvaluationFound:
    evaluation: Evaluation
    organisation: str
    organisation_listed: bool
    submission: Submission | None
    access: Access
    members: list[RollupPart]  # for a roll-up: the evaluations it combines
    part_of: str | None  # for a member of a live roll-up: the roll-up's evaluation id
    replaces: str | None  # for a roll-up: the reference of the roll-up it replaced


async def evaluation_for(session: AsyncSession, viewer: Viewer, evaluation_id: str) -> EvaluationFound | None:
    """One evaluation and how much of it the viewer may see; None when nothing (as for a wrong id)."""
    query = (
        select(Evaluation, Organisation.name, _LISTED, Submission, access_column(viewer))
        .outerjoin(Organisation, Organisation.id == Evaluation.organisation_id)
        .outerjoin(Submission, Submission.evaluation_id == Evaluation.id)
        .where(Evaluation.id == evaluation_id)
    )
    row = (await session.execute(query)).first()
    if row is None or row[4] == Access.NONE:
        return None
    evaluation = row[0]
    rollup = await session.scalar(select(Rollup).where(Rollup.evaluation_id == evaluation.id))
    members: list[RollupPart] = []
    replaces: str | None = None
    if rollup is not None:
        members = await _members(session, rollup.id)
        replaces = await session.scalar(
            select(Submission.reference)
            .join(Rollup, Rollup.evaluation_id == Submission.evaluation_id)
            .where(Rollup.replaced_by == rollup.id)
            .order_by(Rollup.id.desc())
            .limit(1)
        )
    part_of = await session.scalar(
        select(Rollup.evaluation_id)
        .join(RollupMember, RollupMember.rollup_id == Rollup.id)
        .where(RollupMember.evaluation_id == evaluation.id, Rollup.replaced_by.is_(None))
    )
    return EvaluationFound(
        evaluation, row[1] or "", bool(row[2]), row[3], Access(row[4]), members, part_of, replaces
    )


async def _members(session: AsyncSession, rollup_id: int) -> list[RollupPart]:
    query = (
        select(Evaluation.id, Submission.reference, Evaluation.answers, Evaluation.scope)
        .join(RollupMember, RollupMember.evaluation_id == Evaluation.id)
        .outerjoin(Submission, Submission.evaluation_id == Evaluation.id)
        .where(RollupMember.rollup_id == rollup_id)
        .order_by(Submission.queued_at)
    )
    parts: list[RollupPart] = []
    for evaluation_id, reference, answers, scope in await session.execute(query):
        found = answers if isinstance(answers, dict) else {}
        who = found.get("unit") or found.get("activity") or ""
        parts.append(RollupPart(evaluation_id, reference or "", str(who), scope or ""))
    return parts


# -- an organisation lead's inbox --------------------------------------------------------------------


async def lead_inbox(
    session: AsyncSession, viewer: Viewer, year: int | None = None, ids: set[str] | None = None
) -> list[QueueRow]:
    """What was sent to this lead (not roll-ups), newest first: the evaluations a roll-up may take."""
    query = _seen(viewer).where(
        Submission.destination == Destination.LEAD, Evaluation.scope.in_(("annual", "activity"))
    )
    if year is not None:
        query = query.where(Submission.year == year)
    if ids is not None:
        query = query.where(Evaluation.id.in_(ids))
    rows = await session.execute(query.order_by(Submission.queued_at.desc(), Submission.id.desc()))
    return [_row(row) for row in rows]
