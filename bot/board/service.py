"""What board staff can do, each check and audit in one place; the pages and the API stay thin.

An organisation lead reaches only their own organisation: anything else is "not found", exactly as
an id that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board.auth import SignedIn
from bot.board.exports import ExportRow, export_rows
from bot.board.rollup import combine
from bot.ids import new_evaluation_id, new_token
from bot.translations import Catalogs
from dialogs import ConversationState, Engine, Status, build_plan, render_plan_html
from storage import Evaluation, TranscriptEntry, audit, hash_secret
from storage import board as board_store
from storage import evaluations as repo
from storage.collation import Collation, collate, submitted_years
from storage.models import AuditEntry
from storage.queue import enqueue

__all__ = ["BoardService", "EvaluationView", "NotVisible"]


class NotVisible(LookupError):
    """No such evaluation, or not one this person may see: the same answer for both."""


@dataclass(frozen=True, slots=True)
class EvaluationView:
    evaluation: Evaluation
    organisation: str
    reference: str | None
    pulled: str | None
    transcript: Sequence[TranscriptEntry]


class BoardService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        engine: Engine,
        catalogs: Catalogs,
        secret_key: bytes,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.engine = engine
        self.catalogs = catalogs
        self.secret_key = secret_key
        self.clock = clock

    def _scoped(self, user: SignedIn, wanted: board_store.QueueFilter) -> board_store.QueueFilter:
        if user.is_board:
            return wanted
        return board_store.QueueFilter(
            wanted.status, user.organisation_id, wanted.scope, wanted.since, wanted.until
        )

    async def queue(self, user: SignedIn, wanted: board_store.QueueFilter) -> list[board_store.QueueRow]:
        async with self.sessions() as session:
            return await board_store.queue(session, self._scoped(user, wanted))

    async def pull(self, user: SignedIn, wanted: board_store.QueueFilter) -> Sequence[str]:
        """Take the new submissions that match: recorded with who and when, and audited."""
        if not user.is_board:
            raise NotVisible("only board staff pull submissions")
        async with self.sessions.begin() as session:
            now = self.clock()
            references = await board_store.pull(session, wanted, user.email, now)
            audit.audit(
                session, user.user_id or None, user.email, "pull", f"{len(references)} submissions", now
            )
        return references

    async def evaluation(self, user: SignedIn, evaluation_id: str, action: str = "view") -> EvaluationView:
        """One evaluation with its whole transcript; every look is audited."""
        async with self.sessions.begin() as session:
            found = await board_store.evaluation_with_organisation(session, evaluation_id)
            if found is None or not user.may_see(found[0].organisation_id):
                raise NotVisible(evaluation_id)
            evaluation, organisation, submission = found
            transcript = await repo.transcript(session, evaluation_id)
            audit.audit(
                session, user.user_id, user.email, action, f"evaluation {evaluation_id}", self.clock()
            )
        pulled = (
            f"{submission.pulled_by}, {submission.pulled_at:%Y-%m-%d %H:%M}"
            if submission and submission.pulled_at
            else None
        )
        return EvaluationView(
            evaluation, organisation, submission.reference if submission else None, pulled, transcript
        )

    async def plan_html(self, user: SignedIn, evaluation_id: str) -> str:
        view = await self.evaluation(user, evaluation_id, action="view plan")
        evaluation = view.evaluation
        state = ConversationState.from_json({**evaluation.state, "answers": evaluation.answers})
        state.previous = None  # last year's answers came with the respondent's return code: not sent
        made_on = evaluation.completed_at.date() if evaluation.completed_at else None
        plan = build_plan(state, self.engine.content, made_on)
        return render_plan_html(plan, self.catalogs.translator("en"), "en", "ltr", made_on)

    async def export(self, user: SignedIn, year: int | None, fmt: str) -> list[ExportRow]:
        async with self.sessions.begin() as session:
            rows = await export_rows(session, year, None if user.is_board else user.organisation_id)
            target = f"{fmt} export, {year or 'all years'}, {len(rows)} rows"
            audit.audit(session, user.user_id or None, user.email, "export", target, self.clock())
        return rows

    async def collation(self, user: SignedIn, year: int) -> Collation:
        async with self.sessions() as session:
            return await collate(session, year, None if user.is_board else user.organisation_id)

    def labels(self) -> dict[str, dict[str, str]]:
        """Approach names and support labels by id, for pages and reports."""
        content = self.engine.content
        return {
            "names": {a.id: a.name for a in content.approaches},
            "support": {o.id: o.label for o in content.support},
        }

    async def organisations(self) -> list[tuple[int, str]]:
        async with self.sessions() as session:
            return await board_store.organisations(session)

    async def years(self) -> list[int]:
        async with self.sessions() as session:
            return await submitted_years(session)

    async def audit_log(self, user: SignedIn) -> Sequence[AuditEntry]:
        if not user.is_board:
            raise NotVisible("only board staff read the audit log")
        async with self.sessions() as session:
            return await audit.recent(session)

    async def team_evaluations(self, user: SignedIn) -> list[board_store.QueueRow]:
        """An organisation's completed evaluations, to roll up into one organisational score."""
        if user.organisation_id is None:
            return []
        async with self.sessions() as session:
            return await board_store.completed(session, user.organisation_id)

    async def roll_up(self, user: SignedIn, evaluation_ids: Sequence[str], note: str) -> tuple[str, str]:
        """Combine team evaluations into one for the organisation and send it to the board.

        Returns the new evaluation's id and its submission reference.
        """
        if user.organisation_id is None or len(set(evaluation_ids)) < 2:
            raise NotVisible("a roll-up needs two or more of your organisation's evaluations")
        async with self.sessions.begin() as session:
            now = self.clock()
            parts = await board_store.completed(session, user.organisation_id, ids=set(evaluation_ids))
            if len(parts) != len(set(evaluation_ids)):
                raise NotVisible("an evaluation is not one of your organisation's completed ones")
            answers = combine([part.answers for part in parts], note, [part.evaluation_id for part in parts])
            rolled = _rolled_up_evaluation(answers, self.engine.content.version, user, now, self.secret_key)
            session.add(rolled)
            await session.flush()
            reference = f"ICF-{now.year}-R{rolled.id[:7].upper()}"
            rolled.answers = {**answers, "reference": reference}
            if await enqueue(await session.connection(), rolled.id, reference, now):
                rolled.submitted_at = now
            audit.audit(session, user.user_id or None, user.email, "roll up", f"evaluation {rolled.id}", now)
        return rolled.id, reference


def _rolled_up_evaluation(
    answers: dict[str, Any], version: str, user: SignedIn, now: datetime, key: bytes
) -> Evaluation:
    return Evaluation(
        id=new_evaluation_id(),
        organisation_id=user.organisation_id,
        scope="rollup",
        language="en",
        content_version=version,
        status=Status.SUBMITTED,
        step="finished",
        state={
            "position": {"step": "finished", "approach": 0, "question": 0},
            "language": "en",
            "status": Status.SUBMITTED,
            "content_version": version,
        },
        answers=answers,
        channel="board",
        access_token_hash=hash_secret(new_token(), key),  # nobody holds it: a roll-up is not a chat
        created_at=now,
        updated_at=now,
        completed_at=now,
        submitted_at=now,
    )
