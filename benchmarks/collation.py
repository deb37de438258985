"""The board's collation and exports on a large year of evaluations, timed in this process.

    python -m benchmarks.collation --evaluations 10000 [--database sqlite|postgres]

A fresh database (a temporary SQLite file, or PostgreSQL with its public schema dropped and rebuilt:
everything in it is wiped) is brought up to date with the migrations, then filled with bulk inserts:
``--evaluations`` submitted evaluations in ``--year`` and half as many the year before (so most
organisations have a baseline, and some that sent last year are missing this year), each with its row
in the board's queue. The answers are shaped as the chat stores them (``bot/board/demo.py`` makes them
the same way): annual evaluations answer every approach with a checklist, activity checks one to three
approaches; a few organisations' teams send to their lead, who rolls them up for the board; stories
come in several languages and scripts.

First the board's first collation, which sums every organisation and keeps the sums (as the first
collation after the upgrade to kept sums does), and the first XLSX export, which makes and keeps
every evaluation's piece of the sheet; then, ``--repeat`` times each: a busy day's changes
(``ARRIVALS`` evaluations' parts read again and their export rows changed) and the collation that
follows them, the collation with nothing changed (``BoardService.collation``: the refresh, the
reads of the kept sums, then the figures on a worker thread), the XLSX export that makes the
changed pieces again, the XLSX export with nothing changed (``BoardService.export_body``, as the
board's worker runs it), and the CSV export, each streamed to the end as a client reads it. Last,
once, the same workbook with every row made now, as any export other than board staff's of one
year is written. The best and the median are printed. Nothing is checked against
a target here: these are figures to compare, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from benchmarks.servers import Kind, fresh_database
from bot.board.auth import SignedIn
from bot.board.demo import ACTIONS, STORIES
from bot.board.exports import csv_body, xlsx_body
from bot.board.parts import parts_of
from bot.board.rollup import combine
from bot.board.service import BoardService
from bot.ids import RandomIds
from bot.translations import Catalogs
from dialogs import Content, Engine, Status, load_default_content
from dialogs.state import Answers, ApproachAnswers, ConversationState, Position
from dialogs.stored import shape_of
from storage import (
    Evaluation,
    Organisation,
    Submission,
    create_engine,
    create_sessionmaker,
    hash_secret,
    upgrade_engine,
)
from storage.models import EvaluationPart, ListedOrganisation, Rollup, RollupMember
from storage.parts import forget

__all__ = ["DEFAULT_POSTGRES_URL", "main", "run"]

T = TypeVar("T")

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BATCH = 5_000
KEY = b"benchmark-key-not-for-production"
PLACES = [
    "Batley",
    "Dewsbury",
    "Huddersfield",
    "Holmfirth",
    "Marsden",
    "Ravensthorpe",
    "Thornhill",
    "Heckmondwike",
    "Cleckheaton",
    "Mirfield",
    "Kirkburton",
    "Slaithwaite",
]
KINDS = [
    "Community Kitchen",
    "Youth Trust",
    "Carers Network",
    "Library Friends",
    "Mosque",
    "Allotment Society",
    "Food Bank",
    "Arts Collective",
    "Primary Care Network",
    "Sports Club",
    "Tenants' Association",
    "Council Directorate",
]
UNITS = ["Youth team", "Family support", "Welcome desk", "Parks", "Outreach", "Volunteers", "Board"]
ACTIVITIES = ["Coffee morning", "Park sessions", "Open mic night", "Eid celebration", "Diwali fair"]
# Stories as people type them: other scripts, several lines, a list that starts with "-".
MORE_STORIES = [
    "ہم نے والدین کے ساتھ مل کر ہفتہ وار ملاقات شروع کی اور نئے خاندان آئے۔",
    "عملنا مع الجيران لتنظيم يوم مفتوح في الحديقة، وجاء أكثر من خمسين شخصاً.",
    "Zorganizowaliśmy spotkanie z tłumaczem i przyszło dwadzieścia nowych rodzin.",
    "અમે સમુદાય સાથે મળીને દિવાળીનો મેળો ગોઠવ્યો.",
    "We asked first.\nThen we changed the times.\nMore carers came in the evenings.",
    "- a welcome café\n- a room for the youth panel\n- paid interpreters",
]
NEEDS = ["training", "connect", "time", "funding", "leaders", "data", "other"]
NEED_WEIGHTS = [5, 4, 3, 3, 2, 2, 1]
OTHER_NEEDS = [
    "An interpreter for Saturday sessions",
    "A room to meet in the evenings",
    "Help with a grant application",
    "ترجمان کی مدد",
]
LANGUAGES = ["en"] * 17 + ["ur", "pl", "ar", "gu", "pa", "ro"]
CHECKLIST_ANSWERS = {5: "yes", 4: "yes", 3: "partly", 2: "partly", 1: "not_yet"}


@dataclass
class _Organisation:
    id: int
    name: str
    level: float  # its typical score
    units: list[str]
    years: tuple[int, ...]  # the years it sends evaluations in


@dataclass
class Made:
    """What was put in the database."""

    organisations: int = 0
    by_year: dict[int, int] = field(default_factory=dict)
    rollups: int = 0
    seconds: float = 0.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.collation",
        description="Time the board's collation and exports on a large year of evaluations.",
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL to use (its public schema is dropped and rebuilt); default %(default)s",
    )
    parser.add_argument(
        "--evaluations", type=int, default=10_000, help="submitted evaluations in the year collated"
    )
    parser.add_argument("--year", type=int, default=2026, help="the year collated; default %(default)s")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each step; default %(default)s")
    parser.add_argument("--seed", type=int, default=1)
    return parser


# -- the data --------------------------------------------------------------------------------------


def _organisations(rng: random.Random, count: int, year: int) -> list[_Organisation]:
    found: list[_Organisation] = []
    for index in range(count):
        name = f"{PLACES[index % len(PLACES)]} {KINDS[(index // len(PLACES)) % len(KINDS)]}"
        if index >= len(PLACES) * len(KINDS):
            name += f" {index // (len(PLACES) * len(KINDS)) + 1}"
        share = rng.random()  # a tenth sent last year only (missing), a tenth are new this year
        years = (year - 1,) if share < 0.1 else (year,) if share < 0.2 else (year - 1, year)
        units = rng.sample(UNITS, rng.randint(1, 4))
        found.append(_Organisation(0, name, min(4.6, max(1.4, rng.gauss(3.2, 0.6))), units, years))
    return found


def _story(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.35:
        return None
    return rng.choice(MORE_STORIES) if roll < 0.5 else rng.choice(STORIES)


def _answers(content: Content, rng: random.Random, organisation: _Organisation, progress: float) -> Answers:
    annual = rng.random() < 0.7
    every = [a.id for a in content.approaches]
    approaches = every if annual else sorted(rng.sample(every, rng.randint(1, 3)), key=every.index)
    by_approach: dict[str, ApproachAnswers] = {}
    for approach_id in approaches:
        score = max(1, min(5, round(rng.gauss(organisation.level + progress, 0.8))))
        checklist: dict[str, str] = {}
        if annual:
            checklist = {
                q.id: CHECKLIST_ANSWERS[max(1, min(5, score + rng.choice((-1, 0, 0, 1))))]
                for q in content.approach(approach_id).questions
            }
        support = sorted(set(rng.choices(NEEDS, NEED_WEIGHTS, k=rng.randint(0, 3))))
        by_approach[approach_id] = ApproachAnswers(
            checklist=checklist,
            score=None if rng.random() < 0.04 else score,  # skipped now and then
            suggested_score=score if annual else None,
            confidence=rng.choice(["low", "some", "some", "high"]) if annual else None,
            story=_story(rng),
            support=support,
            support_other=rng.choice(OTHER_NEEDS) if "other" in support else None,
            action=rng.choice(ACTIONS) if annual else None,
        )
    unit = rng.choice(organisation.units)
    return Answers(
        scope="annual" if annual else "activity",
        level="team" if annual else None,
        organisation=organisation.name,
        unit=unit if annual else None,
        activity=None if annual else rng.choice(ACTIVITIES),
        approaches=approaches,
        by_approach=by_approach,
    )


def _finished_state(content: Content) -> dict[str, Any]:
    found = _STATES.get(content.version)
    if found is None:
        found = ConversationState(
            Position("finished"), status=Status.SUBMITTED, content_version=content.version
        ).to_json()
        del found["answers"]
        _STATES[content.version] = found
    return found


_STATES: dict[str, dict[str, Any]] = {}


def _row(
    content: Content,
    rng: random.Random,
    answers: dict[str, Any],
    organisation_id: int,
    when: datetime,
    number: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An ``evaluations`` row and its ``submissions`` row, as bulk-insert parameters."""
    evaluation_id = f"{rng.getrandbits(128):032x}"
    reference = f"ICF-{when.year}-{number:08d}"
    answers["reference"] = reference
    evaluation = {
        "id": evaluation_id,
        "organisation_id": organisation_id,
        "scope": answers["scope"],
        "language": rng.choice(LANGUAGES),
        "content_version": content.version,
        "status": Status.SUBMITTED,
        "step": "finished",
        "state": _finished_state(content),
        "answers": answers,
        "channel": rng.choice(["web", "web", "telegram"]),
        "access_token_hash": hash_secret(evaluation_id, KEY),
        "created_at": when - timedelta(minutes=rng.randint(10, 90)),
        "updated_at": when,
        "completed_at": when,
        "submitted_at": when,
        "version": 1,
    }
    submission = {
        "evaluation_id": evaluation_id,
        "reference": reference,
        "queued_at": when,
        "destination": "board",
        "year": when.year,
        "parts_read": True,  # its parts are written beside it (fill), as at submit
    }
    return evaluation, submission


async def _insert(connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await connection.execute(insert(table), rows[start : start + BATCH])


async def fill(connection: AsyncConnection, evaluations: int, year: int, seed: int) -> Made:
    """``evaluations`` submitted evaluations in ``year``, half as many in the year before."""
    began = time.perf_counter()
    rng = random.Random(seed)
    content = load_default_content()
    organisations = _organisations(rng, max(4, evaluations // 25), year)
    created = datetime(year - 1, 1, 2, tzinfo=UTC)
    ids = await connection.execute(
        insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
        [{"name": o.name, "created_at": created} for o in organisations],
    )
    for organisation, (organisation_id,) in zip(organisations, ids.all(), strict=True):
        organisation.id = organisation_id
    await _insert(
        connection,
        ListedOrganisation,
        [{"organisation_id": o.id, "listed_at": created, "listed_by": "benchmark"} for o in organisations],
    )
    made = Made(organisations=len(organisations))
    rollup_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    evaluation_rows: list[dict[str, Any]] = []
    submission_rows: list[dict[str, Any]] = []
    number = 0
    for sent_in, count, progress in ((year - 1, evaluations // 2, 0.0), (year, evaluations, 0.3)):
        senders = [o for o in organisations if sent_in in o.years]
        start = datetime(sent_in, 1, 1, tzinfo=UTC)
        last = datetime(sent_in, 12, 31, 23, 59, tzinfo=UTC)
        rollups = count // 50  # a few organisations roll their teams' evaluations up
        sent: list[tuple[datetime, int, dict[str, Any]]] = []
        for _ in range(count - rollups):
            organisation = rng.choice(senders)
            answers = ConversationState(
                Position("finished"), answers=_answers(content, rng, organisation, progress)
            ).to_json()["answers"]
            sent.append((start + (last - start) * rng.random(), organisation.id, answers))
        sent.sort(key=lambda item: item[0])
        teams_of: dict[int, list[tuple[datetime, dict[str, Any], str]]] = {}  # annual, not rolled up
        to_lead: dict[str, bool] = {}
        for when, organisation_id, answers in sent:
            number += 1
            evaluation, submission = _row(content, rng, answers, organisation_id, when, number)
            evaluation_rows.append(evaluation)
            submission_rows.append(submission)
            if answers["scope"] == "annual":
                teams_of.setdefault(organisation_id, []).append((when, answers, evaluation["id"]))
        for _ in range(rollups):
            candidates = [o for o, teams in teams_of.items() if len(teams) >= 2]
            if not candidates:
                break
            organisation_id = rng.choice(candidates)
            teams = teams_of[organisation_id]
            chosen = sorted(rng.sample(range(len(teams)), min(len(teams), rng.randint(2, 4))))
            combined = [teams[i] for i in chosen]
            teams_of[organisation_id] = [t for i, t in enumerate(teams) if i not in chosen]
            answers = combine([t[1] for t in combined], shape_of(content), "Whole organisation")
            when = min(combined[-1][0] + timedelta(days=rng.randint(1, 20)), last)
            number += 1
            evaluation, submission = _row(content, rng, answers, organisation_id, when, number)
            evaluation_rows.append(evaluation)
            submission_rows.append(submission)
            made.rollups += 1
            rollup_rows.append(
                {
                    "id": made.rollups,
                    "evaluation_id": evaluation["id"],
                    "organisation_id": organisation_id,
                    "year": sent_in,
                    "created_at": when,
                    "created_by": "benchmark",
                }
            )
            for _, _, member in combined:  # the teams sent these to their lead, not to the board
                member_rows.append({"rollup_id": made.rollups, "evaluation_id": member})
                to_lead[member] = True
        made.by_year[sent_in] = len(evaluation_rows) - sum(made.by_year.values())
        for submission in submission_rows:
            if to_lead.get(submission["evaluation_id"]):
                submission["destination"] = "lead"
    shape = shape_of(content)
    part_rows = [
        {
            "evaluation_id": row["id"],
            "approach_id": part.approach_id,
            "answered": part.answered,
            "score": part.score,
            "story": part.story,
            "support": json.dumps(list(part.support), ensure_ascii=False),
            "support_other": part.support_other or None,
        }
        for row in evaluation_rows
        for part in parts_of(row["answers"], shape)
    ]
    await _insert(connection, Evaluation, evaluation_rows)
    await _insert(connection, Submission, submission_rows)
    await _insert(connection, EvaluationPart, part_rows)
    await _insert(connection, Rollup, rollup_rows)
    await _insert(connection, RollupMember, member_rows)
    made.seconds = time.perf_counter() - began
    return made


# -- the timings -----------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    seconds: list[float] = field(default_factory=list)
    note: str = ""

    def line(self) -> str:
        best, median = min(self.seconds), statistics.median(self.seconds)
        return f"{self.name:<28} {best * 1000:>9.0f} {median * 1000:>10.0f}   {self.note}".rstrip()


async def _timed(timing: Timing, step: Awaitable[T]) -> T:
    began = time.perf_counter()
    result = await step
    timing.seconds.append(time.perf_counter() - began)
    return result


def _timed_here(timing: Timing, step: Callable[[], T]) -> T:
    began = time.perf_counter()
    result = step()
    timing.seconds.append(time.perf_counter() - began)
    return result


STAFF = SignedIn(user_id=0, email="benchmark", role="board", organisation_id=None)


async def _drain(body: AsyncIterator[bytes]) -> tuple[int, float]:
    """Read a streamed export as a client would: its size, and seconds to its first bytes of rows."""
    size, first, began = 0, 0.0, time.perf_counter()
    async for chunk in body:
        size += len(chunk)
        if not first and size > 1_000:
            first = time.perf_counter() - began
    return size, first


@dataclass
class Memory:
    """Peak memory Python allocated (tracemalloc) while one step ran, apart from the timed runs."""

    name: str
    peak: int = 0

    def line(self) -> str:
        return f"{self.name:<28} {self.peak / 1e6:>9.1f} MB peak (tracemalloc, one run)"


async def measure(
    sessions: async_sessionmaker[AsyncSession], year: int, repeat: int
) -> tuple[list[Timing], list[Memory]]:
    board = BoardService(
        sessions, Engine(load_default_content(), RandomIds()), Catalogs(), KEY, partial(datetime.now, UTC)
    )
    first = Timing("collation, first run")
    changed = Timing(f"collation, {ARRIVALS} changed")
    collation = Timing("collation(year)")
    xlsx_first = Timing("xlsx export, first run")
    xlsx_changed = Timing(f"xlsx export, {ARRIVALS} changed")
    xlsx = Timing("xlsx export")
    xlsx_written = Timing("xlsx, every row made now")
    csv = Timing("csv export, streamed")
    await _timed(first, board.collation(STAFF, year))  # every organisation summed: once, after the upgrade
    first.note = "every organisation summed and kept (once, after the upgrade)"
    size, first_rows = await _timed(xlsx_first, _drain(board.export_body(STAFF.viewer, year, "xlsx")))
    xlsx_first.note = "every evaluation's piece made and kept (once, after the upgrade)"
    for run in range(repeat):
        organisations = await _arrivals(sessions, year, run)
        await _timed(changed, board.collation(STAFF, year))
        changed.note = f"their parts read again and {organisations} organisations summed again"
        found = await _timed(collation, board.collation(STAFF, year))
        collation.note = (
            f"{found.evaluations} evaluations, {len(found.by_organisation)} organisations, "
            f"{len(found.missing)} missing; {time.process_time():.0f} s CPU so far"
        )
        await _timed(xlsx_changed, _drain(board.export_body(STAFF.viewer, year, "xlsx")))
        xlsx_changed.note = f"their {ARRIVALS} pieces made again"
        size, first_rows = await _timed(xlsx, _drain(board.export_body(STAFF.viewer, year, "xlsx")))
        xlsx.note = f"{size / 1e6:.1f} MB, first rows after {first_rows * 1000:.0f} ms, pieces kept"
        size, first_rows = await _timed(csv, _drain(csv_body(await board.export_stream(STAFF, year, "csv"))))
        csv.note = f"{size / 1e6:.1f} MB, first rows after {first_rows * 1000:.0f} ms"
    size, first_rows = await _timed(
        xlsx_written, _drain(xlsx_body(await board.export_stream(STAFF, year, "xlsx")))
    )
    xlsx_written.note = f"{size / 1e6:.1f} MB: the same workbook written as it goes (once)"
    memory = [Memory("collation(year)"), Memory("xlsx export")]
    steps: list[Callable[[], Awaitable[object]]] = [
        partial(board.collation, STAFF, year),
        partial(_stream_xlsx, board, year),
    ]
    for found_memory, step in zip(memory, steps, strict=True):
        tracemalloc.start()
        try:
            await step()
            found_memory.peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return [first, changed, collation, xlsx_first, xlsx_changed, xlsx, xlsx_written, csv], memory


ARRIVALS = 200  # a busy day's evaluations


async def _arrivals(sessions: async_sessionmaker[AsyncSession], year: int, run: int) -> int:
    """What a busy day's new evaluations cost the next collation: ``ARRIVALS`` of the year's have
    their parts read again (as the chat reads a new one's) and their organisations summed again.
    Returns how many organisations that is."""
    async with sessions.begin() as session:
        connection = await session.connection()
        picked = (
            select(Submission.evaluation_id, Evaluation.organisation_id)
            .join(Evaluation, Evaluation.id == Submission.evaluation_id)
            .where(Submission.year == year)
            .order_by(Submission.reference)
            .offset(run * ARRIVALS * 37)
            .limit(ARRIVALS * 37)
        )
        rows = (await connection.execute(picked)).all()[::37]
        for evaluation_id, _ in rows:
            await forget(connection, evaluation_id)
        # and their rows in the export changed, as a new submission's are: their pieces are stale
        touched = [evaluation_id for evaluation_id, _ in rows]
        await connection.execute(
            update(Submission)
            .where(Submission.evaluation_id.in_(touched))
            .values(reference=Submission.reference)
        )
    return len({organisation for _, organisation in rows})


async def _stream_xlsx(board: BoardService, year: int) -> tuple[int, float]:
    return await _drain(board.export_body(STAFF.viewer, year, "xlsx"))


def _versions(kind: Kind) -> str:
    database = f"SQLite {sqlite3.sqlite_version}" if kind == "sqlite" else f"asyncpg {version('asyncpg')}"
    return f"Python {platform.python_version()}, SQLAlchemy {version('sqlalchemy')}, {database}"


async def run(args: argparse.Namespace) -> tuple[Made, list[Timing], list[Memory]]:
    kind: Kind = args.database
    with tempfile.TemporaryDirectory(prefix="icf-collation-") as folder:
        url = await fresh_database(kind, Path(folder), "collation", args.postgres_url)
        engine = create_engine(url)
        try:
            await upgrade_engine(engine)
            async with engine.begin() as connection:
                made = await fill(connection, args.evaluations, args.year, args.seed)
            if kind == "postgres":  # the planner's statistics, as autovacuum keeps them on a live database
                async with engine.connect() as connection:
                    await connection.execute(text("ANALYZE"))
                    await connection.commit()
            timings, memory = await measure(create_sessionmaker(engine), args.year, args.repeat)
        finally:
            await engine.dispose()
    return made, timings, memory


def report(
    args: argparse.Namespace, argv: list[str], made: Made, timings: list[Timing], memory: list[Memory]
) -> str:
    name = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    years = ", ".join(f"{count} in {year}" for year, count in sorted(made.by_year.items()))
    lines = [
        "$ python -m benchmarks.collation " + shlex.join(argv),
        f"{name}: {years} ({made.rollups} of them roll-ups); {made.organisations} organisations; "
        f"inserted in {made.seconds:.1f} s",
        _versions(args.database),
        "",
        f"{'step':<28} {'best ms':>9} {'median ms':>10}   ({args.repeat} runs each)",
        *(timing.line() for timing in timings),
        "",
        *(found.line() for found in memory),
        f"{'whole process':<28} {_max_rss() / 1e6:>9.1f} MB peak (ru_maxrss, with the data made)",
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores",
    ]
    return "\n".join(lines)


def _max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(given)
    if args.evaluations < 1 or args.repeat < 1:
        raise SystemExit("--evaluations and --repeat must be at least 1")
    if args.database == "postgres":
        print(
            f"WARNING: this wipes {args.postgres_url}: its public schema is dropped and rebuilt.",
            file=sys.stderr,
            flush=True,
        )
    made, timings, memory = asyncio.run(run(args))
    print(report(args, given, made, timings, memory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
