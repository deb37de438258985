"""What board staff and organisation leads can do, each audited in one place; pages and API stay thin.

Who sees what is decided by ``storage.access`` (through every query in ``storage.board`` and
``storage.collation``): anything a person may not see is "not found", exactly as an id that does
not exist, so ids cannot be probed. Work that takes CPU (figures, spreadsheets) runs on a worker
thread, and a year's collation and exports in the board's worker processes (``worker``, from the
app), so neither the event loop nor the interpreter's lock is held from everyone else.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board.auth import SignedIn
from bot.board.collation import STORIES_LISTED, Collation, as_json, figures, strength_scores
from bot.board.english import Version, Waiting, versions, waiting_items, with_english
from bot.board.exports import (
    ExportRow,
    build_rows,
    csv_body,
    json_body,
    made_pieces,
    piece_shape,
    sent_rows,
    xlsx_body,
    xlsx_stream,
)
from bot.board.parts import read_unread
from bot.board.rollup import combine
from bot.board.worker import BoardWorker
from bot.board.workshops import FOUNDATIONS, Proposal, propose
from bot.board.xlsx import Piece
from bot.ids import new_evaluation_id, new_token
from bot.translations import Catalogs
from dialogs import ConversationState, Engine, Status, build_plan, render_plan_html
from dialogs.engine import MAX_TEXT
from dialogs.events import clean_text
from dialogs.stored import Shape, shape_of, typed_words
from storage import Evaluation, TranscriptEntry, audit, collation_sums, export_pieces, hash_secret
from storage import board as board_store
from storage import collation as collation_store
from storage import evaluations as repo
from storage import organisations as organisation_list
from storage import rollups as rollup_store
from storage import translations as translation_store
from storage import workshops as workshop_store
from storage.access import Access, Destination, Viewer
from storage.models import AuditEntry
from storage.queue import enqueue

__all__ = [
    "EXPORT_BATCH",
    "AlreadyInEnglish",
    "BadInput",
    "BoardService",
    "EnglishRefused",
    "EvaluationView",
    "NotVisible",
    "RolledUp",
    "TranslationQueue",
]

EXPORT_BATCH = 2_000  # evaluations read, built and written out at a time by a streamed export


class NotVisible(LookupError):
    """No such evaluation, or not one this person may see: the same answer for both."""


class BadInput(ValueError):
    """A request the board cannot act on, said in words a person can act on."""


class EnglishRefused(BadInput):
    """A translator's English that cannot be kept; ``code`` says why, for the page to say in words:
    "empty", "long", or "done" (the answer has an English version already)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AlreadyInEnglish(EnglishRefused):
    """The answer has an English version already (another translator's, or the person's own)."""

    def __init__(self) -> None:
        super().__init__("done")


@dataclass(frozen=True, slots=True)
class TranslationQueue:
    """What waits for an English version: for a translator in their languages, for board staff in all
    of them, with the languages no translator reads (``no_translator``: none is set up at all)."""

    items: list[Waiting]
    no_translator: bool
    uncovered: list[str]  # languages of waiting items that no enabled translator reads


@dataclass(frozen=True, slots=True)
class EvaluationView:
    evaluation: Evaluation
    organisation: str
    organisation_listed: bool
    reference: str | None
    destination: str | None
    pulled: str | None
    access: Access
    transcript: Sequence[TranscriptEntry]  # empty unless the viewer may see it whole
    members: list[board_store.RollupPart]
    part_of: str | None
    replaces: str | None
    english: dict[tuple[str, str], Version] = field(default_factory=dict)  # (approach, field) -> English

    @property
    def whole(self) -> bool:
        return self.access == Access.FULL


@dataclass(frozen=True, slots=True)
class RolledUp:
    evaluation_id: str
    reference: str
    replaced: str | None  # the reference of the roll-up this one replaced


class BoardService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        engine: Engine,
        catalogs: Catalogs,
        secret_key: bytes,
        clock: Callable[[], datetime],
        worker: BoardWorker | None = None,
    ) -> None:
        self.sessions = sessions
        self.engine = engine
        self.catalogs = catalogs
        self.secret_key = secret_key
        self.clock = clock
        self.worker = worker  # where a year's collation and exports are built; None: here
        self._piece_shape = piece_shape(engine.content)

    @property
    def shape(self) -> Shape:
        return shape_of(self.engine.content)

    @property
    def support_ids(self) -> list[str]:
        """The content's support options, in its order: the order the sums count them in."""
        return [o.id for o in self.engine.content.support]

    def _audit(self, session: AsyncSession, user: SignedIn, action: str, target: str) -> None:
        audit.audit(session, user.user_id or None, user.email, action, target, self.clock())

    @staticmethod
    def _board_only(user: SignedIn) -> None:
        if not user.is_board:
            raise NotVisible("board staff only")

    # -- the queue ----------------------------------------------------------------------------

    async def queue(
        self,
        user: SignedIn,
        wanted: board_store.QueueFilter,
        after: board_store.Cursor | None = None,
        limit: int = 100,
    ) -> board_store.Page:
        async with self.sessions() as session:
            return await board_store.queue(session, user.viewer, wanted, after, limit)

    async def pull(self, user: SignedIn, evaluation_ids: Sequence[str]) -> board_store.PullResult:
        """Take exactly the submissions shown: recorded with who and when, and audited."""
        self._board_only(user)
        async with self.sessions.begin() as session:
            result = await board_store.pull(session, user.viewer, evaluation_ids, user.email, self.clock())
            self._audit(session, user, "pull", f"{len(result.pulled)} submissions")
        return result

    # -- one evaluation -----------------------------------------------------------------------

    async def evaluation(self, user: SignedIn, evaluation_id: str, action: str = "view") -> EvaluationView:
        """One evaluation, with its whole transcript when the viewer may see it; every look audited."""
        async with self.sessions.begin() as session:
            found = await board_store.evaluation_for(session, user.viewer, evaluation_id)
            if found is None:
                raise NotVisible(evaluation_id)
            whole = found.access == Access.FULL
            transcript = await _transcript(session, evaluation_id) if whole else []
            translated = await translation_store.for_evaluation(session, evaluation_id)
            self._audit(session, user, action, f"evaluation {evaluation_id}")
        submission = found.submission
        pulled = (
            f"{submission.pulled_by}, {submission.pulled_at:%Y-%m-%d %H:%M}"
            if submission and submission.pulled_at
            else None
        )
        return EvaluationView(
            evaluation=found.evaluation,
            organisation=found.organisation,
            organisation_listed=found.organisation_listed,
            reference=submission.reference if submission else None,
            destination=submission.destination if submission else None,
            pulled=pulled,
            access=found.access,
            transcript=transcript,
            members=found.members,
            part_of=found.part_of,
            replaces=found.replaces,
            english=versions(found.evaluation.answers, translated, self.shape),
        )

    async def whole_evaluation(self, user: SignedIn, evaluation_id: str, action: str) -> EvaluationView:
        """The evaluation with its transcript: only for a viewer who may see it whole."""
        view = await self.evaluation(user, evaluation_id, action)
        if not view.whole:
            raise NotVisible(evaluation_id)  # a roll-up's part: answers yes, transcript never
        return view

    async def plan_html(self, user: SignedIn, evaluation_id: str) -> str:
        view = await self.whole_evaluation(user, evaluation_id, "view plan")
        evaluation = view.evaluation
        state = ConversationState.from_json({**evaluation.state, "answers": evaluation.answers})
        state.previous = None  # last year's answers came with the respondent's return code: not sent
        made_on = evaluation.completed_at.date() if evaluation.completed_at else None
        plan = build_plan(state, self.engine.content, made_on)
        return render_plan_html(plan, self.catalogs.translator("en"), "en", "ltr", made_on)

    # -- exports and collation ------------------------------------------------------------------

    async def export(self, user: SignedIn, year: int | None, fmt: str) -> list[ExportRow]:
        """The export's rows: read (and audited) in one transaction, built after it on a worker thread."""
        async with self.sessions.begin() as session:
            sent = await sent_rows(session, user.viewer, year)
            translated = await translation_store.for_export(session, user.viewer, year)
            target = f"{fmt} export, {year or 'all years'}, {len(sent)} evaluations"
            self._audit(session, user, "export", target)
        rows = await asyncio.to_thread(build_rows, sent, self.engine.content)
        answers = {row.evaluation_id: row.answers for row in sent}
        return await asyncio.to_thread(with_english, rows, answers, translated, self.shape)

    async def export_stream(
        self, user: SignedIn, year: int | None, fmt: str
    ) -> AsyncIterator[list[ExportRow]]:
        """The export's rows a batch at a time, for a streamed file: audited now (so a busy database
        is an answer before anything is sent), then read from a server-side cursor as they are
        written out, each batch built on a worker thread. Memory holds one batch, never the year."""
        async with self.sessions.begin() as session:
            self._audit(session, user, "export", f"{fmt} export, {year or 'all years'}, streamed")
        return self._export_batches(user.viewer, year)

    async def export_file(
        self, user: SignedIn, year: int | None, fmt: str, label: str | None = None
    ) -> AsyncIterator[bytes]:
        """The export as a file's bytes (``fmt``: csv, xlsx or json), audited before the first one
        and then built in the board's worker process when there is one, else here."""
        async with self.sessions.begin() as session:
            self._audit(session, user, "export", f"{label or fmt} export, {year or 'all years'}, streamed")
        if self.worker is not None:
            return self.worker.export(user.viewer, year, fmt)
        return self.export_body(user.viewer, year, fmt)

    def export_body(self, viewer: Viewer, year: int | None, fmt: str) -> AsyncIterator[bytes]:
        """The file's bytes as they are written, batch by batch (not audited: see export_file).
        Board staff's workbook of a year is joined from the pieces kept for it, brought up to date
        first (``storage.export_pieces``); any other is written as it goes, to the same bytes."""
        if fmt == "xlsx" and viewer.is_board and year is not None:
            return self._kept_xlsx(year)
        body = {"csv": csv_body, "xlsx": xlsx_body, "json": json_body}[fmt]
        return body(self._export_batches(viewer, year))

    async def _kept_xlsx(self, year: int) -> AsyncIterator[bytes]:
        await self.refresh_pieces_here()
        stream = xlsx_stream()
        yield stream.start()
        async with self.sessions() as session:  # a read: on SQLite, never waiting for a writer
            async for batch in export_pieces.pieces(await session.connection(), year):
                yield stream.add_pieces(Piece(*found) for found in batch)
        yield stream.finish()

    async def refresh_pieces(self) -> int:
        """Bring the kept pieces of the XLSX export up to date, in the board's worker process when
        there is one (the server does it in the background with the sums: ``sums_running``)."""
        if self.worker is not None:
            return await self.worker.refresh_pieces()
        return await self.refresh_pieces_here()

    async def refresh_pieces_here(self) -> int:
        """Make every stale piece of the board's XLSX export again; returns how many evaluations."""
        content, shape = self.engine.content, self.shape

        async def make(
            sent: list[collation_store.SentRow], translated: Mapping[str, Mapping[Any, Any]]
        ) -> list[export_pieces.Made]:
            made = await asyncio.to_thread(made_pieces, sent, translated, content, shape)
            return [export_pieces.Made(*found) for found in made]

        return await export_pieces.refresh(self.sessions, self._piece_shape, make)

    async def pieces_stale(self) -> bool:
        """Anything for ``refresh_pieces`` to do (one small read, here)."""
        async with self.sessions() as session:
            return await export_pieces.stale(await session.connection(), self._piece_shape)

    async def _export_batches(self, viewer: Viewer, year: int | None) -> AsyncIterator[list[ExportRow]]:
        content = self.engine.content
        years = None if year is None else [year]
        queries = [
            collation_store.counted_query(viewer, years),
            collation_store.rollup_member_query(viewer, year),
        ]
        shape = self.shape

        def built(
            sent: list[collation_store.SentRow], translated: Mapping[str, Mapping[Any, Any]]
        ) -> list[ExportRow]:
            rows = build_rows(sent, content)
            return with_english(rows, {row.evaluation_id: row.answers for row in sent}, translated, shape)

        async with self.sessions() as session:
            translated = await translation_store.for_export(session, viewer, year)  # a few; all at once
            for query in queries:
                async for sent in collation_store.streamed(session, query, EXPORT_BATCH):
                    yield await asyncio.to_thread(built, sent, translated)

    async def collation(self, user: SignedIn, year: int) -> Collation:
        """The year's figures, built in the board's worker process when there is one, else here."""
        if self.worker is not None:
            return await self.worker.collation(user.viewer, year)
        return await self.collation_for(user.viewer, year)

    async def collation_for(self, viewer: Viewer, year: int, *, fresh: bool = False) -> Collation:
        """The year's figures: summed in the database over each evaluation's parts (read first for
        any evaluation sent since the last run), divided here. Board staff's come from the sums kept
        between collations (``storage.collation_sums``), brought up to date first; ``fresh`` sums
        everything again instead, which must give the same figures."""
        shape = self.shape
        options = self.support_ids
        strength = strength_scores(shape)
        if viewer.is_board and not fresh:
            await self.refresh_sums_here()
        else:
            await read_unread(self.sessions, shape)
        async with self.sessions() as session:  # a read: on SQLite, off the loop and never waiting
            sums = await collation_store.year_sums(
                session,
                viewer,
                year,
                shape.approach_ids,
                shape.scores,
                strength,
                options,
                STORIES_LISTED,
                fresh=fresh,
            )
        return await asyncio.to_thread(figures, year, sums, shape, options)

    async def refresh_sums(self) -> int:
        """Bring the kept sums up to date, in the board's worker process when there is one: the
        server does it in the background (``sums_running``), so a collation seldom has to."""
        if self.worker is not None:
            return await self.worker.refresh_sums()
        return await self.refresh_sums_here()

    async def refresh_sums_here(self) -> int:
        """Read the parts of any evaluation sent since the last run, then sum again every
        organisation whose kept sums are stale; returns how many organisations that was."""
        shape = self.shape
        await read_unread(self.sessions, shape)
        return await collation_sums.refresh(
            self.sessions,
            scores=shape.scores,
            strength=strength_scores(shape),
            options=self.support_ids,
        )

    async def sums_stale(self) -> bool:
        """Anything for ``refresh_sums`` to do (one small read, here)."""
        async with self.sessions() as session:
            return await collation_sums.stale(await session.connection())

    async def collation_json(self, user: SignedIn, year: int) -> bytes:
        """The year's figures as the API sends them (``collation.as_json``), built in the worker."""
        if self.worker is not None:
            return await self.worker.collation_json(user.viewer, year)
        return await self.collation_json_for(user.viewer, year)

    async def collation_json_for(self, viewer: Viewer, year: int) -> bytes:
        return await asyncio.to_thread(as_json, await self.collation_for(viewer, year))

    async def years(self, user: SignedIn) -> list[int]:
        async with self.sessions() as session:
            return await collation_store.counted_years(session, user.viewer)

    def labels(self) -> dict[str, Any]:
        """Approach names and support labels by id, for pages and reports."""
        content = self.engine.content
        return {
            "names": {a.id: a.name for a in content.approaches},
            "support": {o.id: o.label for o in content.support},
        }

    async def audit_log(self, user: SignedIn) -> Sequence[AuditEntry]:
        self._board_only(user)
        async with self.sessions() as session:
            return await audit.recent(session)

    # -- English versions ------------------------------------------------------------------------

    async def translation_queue(self, user: SignedIn) -> TranslationQueue:
        """The answers waiting for an English version that this person may see (translators and
        board staff; nobody else)."""
        if not (user.viewer.is_translator or user.is_board):
            raise NotVisible("translators and board staff only")
        async with self.sessions() as session:
            originals, done = await translation_store.waiting(session, user.viewer)
            covered = await translation_store.translator_languages(session)
        items = await asyncio.to_thread(waiting_items, originals, done, self.shape)
        uncovered = sorted({item.language for item in items} - covered)
        return TranslationQueue(items, not covered, uncovered)

    async def translate(
        self, user: SignedIn, evaluation_id: str, approach_id: str, name: str, text: str
    ) -> None:
        """Keep a translator's English beside the original answer (which is never changed); audited.

        NotVisible for anything the translator may not read (the same as no such answer);
        EnglishRefused for an empty or too long text; AlreadyInEnglish when it has an English version.
        """
        english = clean_text(text)
        if not user.viewer.is_translator:
            raise NotVisible("translators only")
        if not any(ch.isalnum() for ch in english):  # nothing but spaces, marks or dots
            raise EnglishRefused("empty")
        if len(english) > MAX_TEXT:
            raise EnglishRefused("long")
        try:
            async with self.sessions.begin() as session:
                found = await translation_store.original(session, user.viewer, evaluation_id)
                if found is None:
                    raise NotVisible(evaluation_id)
                words = {(w.approach_id, w.field): w for w in typed_words(found.answers, self.shape)}
                if (approach_id, name) not in words:
                    raise NotVisible(f"{evaluation_id} {approach_id} {name}")
                done = await translation_store.for_evaluation(session, evaluation_id)
                if words[(approach_id, name)].english or (approach_id, name) in done:
                    raise AlreadyInEnglish()
                await translation_store.add(
                    session,
                    found,
                    (approach_id, name),
                    english,
                    user.email,
                    user.user_id or None,
                    self.clock(),
                )
                self._audit(session, user, "translate", f"evaluation {evaluation_id} {approach_id} {name}")
        except IntegrityError:  # another translator's English arrived first
            raise AlreadyInEnglish() from None

    async def story_versions(
        self, user: SignedIn, references: Sequence[str]
    ) -> dict[tuple[str, str], tuple[str, Version]]:
        """(reference, approach id) -> the story's language and its English, for the stories a page
        shows (by their evaluations' references)."""
        async with self.sessions() as session:
            found = await translation_store.for_references(session, user.viewer, references)
        english: dict[tuple[str, str], tuple[str, Version]] = {}
        for reference, row in found.items():
            for (approach_id, name), version in versions(row.answers, row.translations, self.shape).items():
                if name == "story":
                    english[(reference, approach_id)] = (row.language, version)
        return english

    # -- organisations ---------------------------------------------------------------------------

    async def organisations(self) -> list[organisation_list.OrganisationRow]:
        """The board's list (names only: no evaluation is read)."""
        async with self.sessions() as session:
            return await organisation_list.listed(await session.connection())

    async def organisations_to_check(self, user: SignedIn) -> list[organisation_list.OrganisationRow]:
        self._board_only(user)
        async with self.sessions() as session:
            return await organisation_list.pending(await session.connection())

    async def change_organisations(self, user: SignedIn, action: str, **values: Any) -> int | None:
        """add (name), rename (organisation_id, name), accept (organisation_id, name?), merge
        (source_id, target_id): board staff only, audited; BadInput with a reason a person can act on."""
        self._board_only(user)
        now = self.clock()
        try:
            async with self.sessions.begin() as session:
                connection = await session.connection()
                result: int | None = None
                if action == "add":
                    result = await organisation_list.add(connection, values["name"], user.email, now)
                elif action == "rename":
                    await organisation_list.rename(connection, values["organisation_id"], values["name"])
                elif action == "accept":
                    await organisation_list.accept(
                        connection, values["organisation_id"], user.email, now, values.get("name")
                    )
                elif action == "merge":
                    result = await organisation_list.merge(
                        connection, values["source_id"], values["target_id"]
                    )
                else:
                    raise BadInput(f"unknown action {action}")
                target = " ".join(f"{k}={v}" for k, v in sorted(values.items()) if k != "name")
                self._audit(session, user, f"organisation {action}", target or str(result))
        except organisation_list.NameTaken as taken:
            raise BadInput(f"name taken: {taken}") from None
        except LookupError:
            raise BadInput("no such organisation") from None
        except ValueError as error:
            raise BadInput(str(error)) from None
        return result

    # -- the workshop planner -------------------------------------------------------------------

    async def workshops(self, user: SignedIn, year: int) -> tuple[list[Proposal], bool]:
        """The year's proposed workshops (with the ones commissioned), and whether it is the
        partnership's first year (then each approach's foundations come first)."""
        self._board_only(user)
        async with self.sessions() as session:
            rows = await collation_store.counted_rows(session, user.viewer, [year])
            years = await collation_store.counted_years(session, user.viewer)
            done = await workshop_store.commissioned(session, year)
        first_year = not [y for y in years if y < year]
        return await asyncio.to_thread(propose, rows, self.shape, first_year, done), first_year

    async def commission(
        self, user: SignedIn, year: int, approach_id: str, theme: str, on: date | None
    ) -> None:
        """Mark a proposed workshop commissioned on ``on``, or not commissioned (None); audited."""
        self._board_only(user)
        themes = {o.id for o in self.engine.content.support} | {FOUNDATIONS}
        if approach_id not in self.shape.approach_ids or theme not in themes:
            raise BadInput("no such workshop")
        async with self.sessions.begin() as session:
            if on is None:
                await workshop_store.uncommission(session, year, approach_id, theme)
            else:
                await workshop_store.commission(
                    session, year, approach_id, theme, on, user.email, self.clock()
                )
            self._audit(session, user, "workshop", f"{year} {approach_id} {theme} {on or 'not commissioned'}")

    # -- an organisation lead's roll-up ----------------------------------------------------------

    async def lead_inbox(self, user: SignedIn, year: int) -> list[board_store.QueueRow]:
        """What this lead's teams sent them in ``year``: the evaluations a roll-up may take."""
        if not user.viewer.is_lead:
            return []
        async with self.sessions() as session:
            return await board_store.lead_inbox(session, user.viewer, year)

    async def live_rollup(self, user: SignedIn, year: int) -> rollup_store.LiveRollup | None:
        if not user.viewer.is_lead or user.organisation_id is None:
            return None
        async with self.sessions() as session:
            return await rollup_store.live_rollup(session, user.organisation_id, year)

    async def roll_up(self, user: SignedIn, year: int, evaluation_ids: Sequence[str], note: str) -> RolledUp:
        """Combine evaluations sent to this lead in ``year`` into one, and send it to the board.

        Each evaluation counts once a year: rolling up again replaces the earlier roll-up.
        """
        wanted = set(evaluation_ids)
        organisation_id = user.organisation_id
        if not user.viewer.is_lead or organisation_id is None or not wanted:
            raise BadInput("choose one or more evaluations your teams sent you")
        async with self.sessions.begin() as session:
            now = self.clock()
            await rollup_store.lock_organisation(session, organisation_id)
            parts = await board_store.lead_inbox(session, user.viewer, year, ids=wanted)
            if len(parts) != len(wanted):
                raise BadInput("an evaluation is not one your teams sent you that year")
            answers = combine([part.answers for part in reversed(parts)], self.shape, note)
            rolled = _rolled_up_evaluation(answers, self.engine.content.version, user, now, self.secret_key)
            session.add(rolled)
            await session.flush()
            reference = f"ICF-{year}-R{rolled.id[:7].upper()}"
            rolled.answers = {**answers, "reference": reference}
            connection = await session.connection()
            await enqueue(connection, rolled.id, reference, now, Destination.BOARD, year=year)
            replaced = await rollup_store.record_rollup(
                session, rolled.id, organisation_id, year, [p.evaluation_id for p in parts], user.email, now
            )
            self._audit(session, user, "roll up", f"evaluation {rolled.id}")
        return RolledUp(rolled.id, reference, replaced.reference if replaced else None)


async def _transcript(session: AsyncSession, evaluation_id: str) -> Sequence[TranscriptEntry]:
    return await repo.transcript(session, evaluation_id)


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
