"""Collation against a small fixed data set, every figure worked out by hand (see the comments), and
the same figures recomputed from the export alone."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board.auth import SignedIn
from bot.board.collation import ApproachStats, Collation, _focus, round_half_up
from bot.board.exports import to_json
from bot.board.rollup import combine
from bot.board.service import BoardService
from bot.translations import Catalogs
from dialogs import Engine, load_default_content
from dialogs.content import parse_content
from storage import Evaluation, Organisation, Submission, create_engine, create_sessionmaker, upgrade_engine
from storage.models import ListedOrganisation
from storage.rollups import record_rollup
from tests.conftest import SECRET, Clock, FixedIds

APPROACH_IDS = tuple(a.id for a in load_default_content().approaches)
ALL = list(APPROACH_IDS)
STAFF = SignedIn(user_id=0, email="staff@kirklees.example", role="board", organisation_id=None)
ASHBROW, BATLEY, COLNE, DEWSBURY = (
    "Ashbrow Youth Hub",
    "Batley Food Bank",
    "Colne Valley Arts",
    "Dewsbury Carers",
)
HYPERLINK = '=HYPERLINK("https://evil.example","Click me")'
SCRIPT = "<script>alert(1)</script>"


def given(
    score: int | None,
    story: str | None = None,
    support: tuple[str, ...] = (),
    other: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    return {
        "checklist": more.get("checklist", {}),
        "score": score,
        "suggested_score": more.get("suggested_score"),
        "confidence": more.get("confidence"),
        "story": story,
        "support": list(support),
        "support_other": other,
        "action": more.get("action"),
    }


def answers(
    scope: str,
    organisation: str | None,
    by_approach: dict[str, dict[str, Any]],
    approaches: list[str],
    reference: str | None,
    unit: str | None = None,
    activity: str | None = None,
) -> dict[str, Any]:
    return {
        "scope": scope,
        "level": "team" if scope == "annual" else None,
        "organisation": organisation,
        "unit": unit,
        "activity": activity,
        "approaches": approaches,
        "by_approach": by_approach,
        "notes": [],
        "reference": reference,
    }


def scored(*scores: int | None) -> dict[str, dict[str, Any]]:
    return {a: given(s) for a, s in zip(APPROACH_IDS, scores, strict=True)}


@dataclass(frozen=True)
class Sent:
    """One evaluation for the data set; ``queued_at`` None means never sent (a draft)."""

    id: str
    organisation: str | None
    scope: str
    answers: dict[str, Any]
    queued_at: datetime | None
    reference: str | None = None
    language: str = "en"
    destination: str = "board"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


E1_CONNECTING = given(
    4,
    "We ran a street party with the mosque and the church.",
    ("training",),
    checklist={
        "connecting.1": "yes",
        "connecting.2": "partly",
        "connecting.3": "yes",
        "connecting.4": "not_sure",
    },
    suggested_score=4,
    confidence="high",
    action="Ask the youth forum to plan the next one.",
)

DATA = [
    # 2024: Ashbrow's first year (its baseline).
    Sent("g1", ASHBROW, "annual", answers("annual", ASHBROW, scored(2, 2, 2, 3, 1), ALL, "ICF-2024-00000001"),
         utc(2024, 9, 9, 10), "ICF-2024-00000001"),
    # 2025: Batley's first year; Colne's only year.
    Sent("f1", BATLEY, "annual", answers("annual", BATLEY, {
        **scored(1, 3, 3, 2, 2), "connecting": given(1, None, ("training",))}, ALL, "ICF-2025-00000001"),
         utc(2025, 5, 5, 10), "ICF-2025-00000001"),
    Sent("f2", COLNE, "annual", answers("annual", COLNE, scored(3, 3, 3, 3, 3), ALL, "ICF-2025-00000002"),
         utc(2025, 7, 7, 10), "ICF-2025-00000002"),
    # 2026.
    Sent("e4", None, "activity", answers("activity", None, {
        "celebrating": given(5, "", ("other",), "A room to meet")}, ["celebrating"], "ICF-2026-00000001",
        activity="Open mic night"), utc(2026, 2, 2, 9), "ICF-2026-00000001"),
    Sent("e1", ASHBROW, "annual", answers("annual", ASHBROW, {
        "connecting": E1_CONNECTING,
        "communicating": given(3, "Leaflets in three languages.", ("training", "time"), confidence="some"),
        "equalising": given(2, "Parents struggle to reach us.", ("funding", "other"), "A Polish interpreter",
                            confidence="low"),
        "trusting": given(5, "Young people chose the grant winners.", confidence="high"),
        "celebrating": given(3, "", ("time",)),
    }, ALL, "ICF-2026-00000002", unit="Youth team"), utc(2026, 3, 10, 10), "ICF-2026-00000002"),
    Sent("e2", ASHBROW, "activity", answers("activity", ASHBROW, {
        "connecting": given(5, "Forty families came to the final.", ("connect",)),
        "trusting": given(3, "Coaches are volunteers from the estate.", ("training",)),
        # picked, answered, then unpicked: still in by_approach, but not in approaches; must not count
        "equalising": given(1, "Stale answer", ("leaders",), "stale need"),
    }, ["connecting", "trusting"], "ICF-2026-00000003", activity="Saturday football"),
         utc(2026, 6, 1, 12), "ICF-2026-00000003", language="pl"),
    # 00:30 on New Year's Day in UTC+1 is still 2026 in UTC.
    Sent("e3", BATLEY, "annual", answers("annual", BATLEY, {
        "connecting": given(2, "We are new to this.", ("training", "connect")),
        "communicating": given(4, HYPERLINK),
        "equalising": given(3, SCRIPT, ("training",)),
        "trusting": given(4, "", ("data",)),
        # skipped the score; the typed need stays behind after "something else" was unticked
        "celebrating": given(None, "We have no events yet.", ("leaders",), "stale typed need"),
    }, ALL, "ICF-2026-00000004", unit="Warehouse"),
         datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "ICF-2026-00000004"),
    # A draft (never sent): must not count anywhere.
    Sent("d1", DEWSBURY, "annual", answers("annual", DEWSBURY, scored(1, 1, 1, 1, 1), ALL, None), None),
    # 2027: 00:30 UTC on New Year's Day.
    Sent("h1", ASHBROW, "activity", answers("activity", ASHBROW, {"connecting": given(1)}, ["connecting"],
                                            "ICF-2027-00000001", activity="Coffee morning"),
         utc(2027, 1, 1, 0, 30), "ICF-2027-00000001"),
]  # fmt: skip


async def seed(session: AsyncSession, data: list[Sent] = DATA) -> dict[str, int]:
    """The data set in the database; returns organisation ids by name."""
    names = sorted({s.organisation for s in data if s.organisation})
    organisations = {name: Organisation(name=name, created_at=utc(2024, 1, 1)) for name in names}
    session.add_all(organisations.values())
    await session.flush()
    for organisation in organisations.values():
        session.add(
            ListedOrganisation(organisation_id=organisation.id, listed_at=utc(2024, 1, 1), listed_by="t")
        )
    for sent in data:
        created = (sent.queued_at or utc(2026, 4, 1)) - timedelta(hours=1)
        session.add(
            Evaluation(
                id=sent.id,
                organisation_id=organisations[sent.organisation].id if sent.organisation else None,
                scope=sent.scope,
                language=sent.language,
                content_version="1",
                status="submitted" if sent.queued_at else "draft",
                step="finished" if sent.queued_at else "story",
                state={},
                answers=sent.answers,
                channel="web",
                access_token_hash=hashlib.sha256(sent.id.encode()).hexdigest(),
                created_at=created,
                updated_at=created,
                completed_at=sent.queued_at,
                submitted_at=sent.queued_at,
            )
        )
    await session.flush()
    for sent in data:
        if sent.queued_at is not None and sent.reference is not None:
            session.add(
                Submission(
                    evaluation_id=sent.id,
                    reference=sent.reference,
                    destination=sent.destination,
                    year=sent.queued_at.astimezone(UTC).year,
                    queued_at=sent.queued_at,
                )
            )
    return {name: organisation.id for name, organisation in organisations.items()}


@dataclass(frozen=True)
class Board:
    sessions: async_sessionmaker[AsyncSession]
    ids: dict[str, int]

    @property
    def service(self) -> BoardService:
        return BoardService(
            self.sessions, Engine(load_default_content(), FixedIds()), Catalogs(), SECRET, Clock()
        )

    async def collate(self, year: int) -> Collation:
        """The board's collation for the year, exactly as its pages and API get it."""
        return await self.service.collation(STAFF, year)


@asynccontextmanager
async def open_board(database_url: str) -> AsyncIterator[Board]:
    """A fresh database holding the data set."""
    db = create_engine(database_url)
    await upgrade_engine(db)
    sessions = create_sessionmaker(db)
    async with sessions.begin() as session:
        ids = await seed(session)
    try:
        yield Board(sessions, ids)
    finally:
        await db.dispose()


@pytest.fixture
async def board(database_url: str) -> AsyncIterator[Board]:
    async with open_board(database_url) as opened:
        yield opened


def stats(
    approach: str, counts: tuple[int, int, int, int, int], mean: float | None, median: float | None
) -> Any:
    return ApproachStats(approach, sum(counts), dict(zip((1, 2, 3, 4, 5), counts, strict=True)), mean, median)


def typed(*needs: str) -> list[str]:
    return list(needs)


# Ashbrow in 2026: e1 (annual) and e2 (activity: connecting and trusting only; equalising unpicked).
ASHBROW_2026 = {
    "connecting": stats("connecting", (0, 0, 0, 1, 1), 4.5, 4.5),  # 4, 5
    "communicating": stats("communicating", (0, 0, 1, 0, 0), 3.0, 3.0),  # 3
    "equalising": stats("equalising", (0, 1, 0, 0, 0), 2.0, 2.0),  # 2 (not 1.5: e2's 1 is stale)
    "trusting": stats("trusting", (0, 0, 1, 0, 1), 4.0, 4.0),  # 5, 3
    "celebrating": stats("celebrating", (0, 0, 1, 0, 0), 3.0, 3.0),  # 3
}


async def test_partnership_figures_for_the_year(board: Board) -> None:
    found = await board.collate(2026)
    assert found.year == 2026
    assert found.evaluations == 4  # e4, e1, e2, e3; not the draft, not 2027's h1
    assert found.by_scope == {"activity": 2, "annual": 2}
    assert found.unnamed == 1  # e4 named no organisation
    assert found.organisations == [ASHBROW, BATLEY]
    assert list(found.partnership) == ALL
    assert found.partnership == {
        "connecting": stats("connecting", (0, 1, 0, 1, 1), 3.67, 4.0),  # 4, 5, 2: 11/3
        "communicating": stats("communicating", (0, 0, 1, 1, 0), 3.5, 3.5),  # 3, 4
        "equalising": stats("equalising", (0, 1, 1, 0, 0), 2.5, 2.5),  # 2, 3 (e2's stale 1 left out)
        "trusting": stats("trusting", (0, 0, 1, 1, 1), 4.0, 4.0),  # 5, 3, 4
        "celebrating": stats("celebrating", (0, 0, 1, 0, 1), 4.0, 4.0),  # 3, 5 (e3 skipped it)
    }


async def test_organisations_and_change_against_their_baseline(board: Board) -> None:
    found = await board.collate(2026)
    ashbrow, batley = found.by_organisation
    assert (ashbrow.organisation, ashbrow.evaluations, ashbrow.baseline_year) == (ASHBROW, 2, 2024)
    assert ashbrow.organisation_id == board.ids[ASHBROW]
    assert ashbrow.approaches == ASHBROW_2026
    # baseline 2024 (g1): 2, 2, 2, 3, 1
    assert ashbrow.baseline == dict(zip(ALL, (2.0, 2.0, 2.0, 3.0, 1.0), strict=True))
    assert ashbrow.change == dict(zip(ALL, (2.5, 1.0, 0.0, 1.0, 2.0), strict=True))
    # Batley 2026 (e3): 2, 4, 3, 4, none; baseline 2025 (f1): 1, 3, 3, 2, 2
    assert (batley.organisation, batley.evaluations, batley.baseline_year) == (BATLEY, 1, 2025)
    assert batley.approaches["connecting"] == stats("connecting", (0, 1, 0, 0, 0), 2.0, 2.0)
    assert batley.approaches["celebrating"] == stats("celebrating", (0, 0, 0, 0, 0), None, None)
    assert batley.change == dict(zip(ALL, (1.0, 1.0, 0.0, 2.0, None), strict=True))


async def test_support_needs_missing_and_celebration(board: Board) -> None:
    found = await board.collate(2026)
    # e4: other | e1: training; training, time; funding, other; -; time | e2: connect; training
    # e3: training, connect; -; training; data; leaders  (e2's unpicked equalising is left out)
    assert found.support_needs == [
        ("training", 5),
        ("connect", 2),
        ("other", 2),
        ("time", 2),
        ("data", 1),
        ("funding", 1),
        ("leaders", 1),
    ]
    assert found.support_by_approach["connecting"] == [("connect", 2), ("training", 2)]
    assert found.support_by_approach["celebrating"] == [("leaders", 1), ("other", 1), ("time", 1)]
    # in the order sent; e3's typed need no longer has "something else" ticked
    assert [(n.text, n.count) for n in found.other_needs] == [
        ("A Polish interpreter", 1),
        ("A room to meet", 1),
    ]
    assert found.missing == [COLNE]  # sent in 2025, not in 2026; Dewsbury's draft never counts
    # scores of 4 or 5 with a story, best first, then the oldest first
    assert [(s.reference, s.approach_id, s.score, s.organisation) for s in found.celebrate] == [
        ("ICF-2026-00000002", "trusting", 5, ASHBROW),
        ("ICF-2026-00000003", "connecting", 5, ASHBROW),
        ("ICF-2026-00000002", "connecting", 4, ASHBROW),
        ("ICF-2026-00000004", "communicating", 4, BATLEY),
    ]
    assert found.celebrate[0].story == "Young people chose the grant winners."
    assert found.celebrate[0].who == "Youth team"
    assert found.celebrate[1].who == "Saturday football"
    assert found.celebrate[1].scope == "activity"
    assert found.celebrate[3].story == HYPERLINK  # kept as typed: pages and exports escape it


async def test_other_years_and_the_utc_year_boundary(board: Board) -> None:
    first = await board.collate(2025)
    later = await board.collate(2027)
    empty = await board.collate(2030)
    years = await board.service.years(STAFF)
    assert years == [2024, 2025, 2026, 2027]  # e3 was sent at 23:30 UTC on 31 December 2026
    # 2025: f1 and f2; Batley's baseline is this year, so no change yet
    assert (first.evaluations, first.organisations, first.missing) == (2, [BATLEY, COLNE], [ASHBROW])
    assert first.partnership["connecting"] == stats("connecting", (1, 0, 1, 0, 0), 2.0, 2.0)  # 1, 3
    assert first.by_organisation[0].baseline_year == 2025
    assert first.by_organisation[0].change == dict.fromkeys(ALL)
    assert first.by_organisation[0].baseline == {}
    # 2027: h1 only (e3 belongs to 2026 in UTC); Ashbrow's connecting 1 against 2024's 2
    assert (later.evaluations, later.organisations, later.missing) == (1, [ASHBROW], [BATLEY])
    assert later.by_organisation[0].change == {**dict.fromkeys(ALL), "connecting": -1.0}
    assert (empty.evaluations, empty.missing, empty.by_organisation) == (0, [], [])


async def add_sent(
    session: AsyncSession,
    evaluation_id: str,
    organisation_id: int,
    answered: dict[str, Any],
    year: int,
    queued_at: datetime,
    channel: str = "web",
) -> None:
    """One evaluation sent to the board as the chat (or a lead's roll-up) stores it, with its
    submission; ``answered``: its answers, whose reference the submission takes."""
    session.add(
        Evaluation(
            id=evaluation_id,
            organisation_id=organisation_id,
            scope=answered["scope"],
            language="en",
            content_version="1",
            status="submitted",
            step="finished",
            state={},
            answers=answered,
            channel=channel,
            access_token_hash=hashlib.sha256(evaluation_id.encode()).hexdigest(),
            submitted_at=queued_at,
        )
    )
    await session.flush()
    session.add(
        Submission(
            evaluation_id=evaluation_id,
            reference=answered["reference"],
            destination="board",
            year=year,
            queued_at=queued_at,
        )
    )


async def _add_rollup(
    board: Board, rollup_id: str, members: list[str], year: int, queued_at: datetime, score: int
) -> None:
    """A roll-up of Batley's as the lead's page records one: its evaluation, submission and members;
    an earlier live roll-up of that year is replaced."""
    reference = f"ICF-{year}-R{rollup_id}"
    combined = answers("rollup", BATLEY, scored(*[score] * 5), ALL, reference)
    async with board.sessions.begin() as session:
        await add_sent(session, rollup_id, board.ids[BATLEY], combined, year, queued_at, "board")
        await record_rollup(
            session, rollup_id, board.ids[BATLEY], year, members, "lead@batley.example", queued_at
        )


async def test_a_roll_up_counts_once_for_what_it_combines(board: Board) -> None:
    # e3 and f1 were Batley's; f1 is from 2025 and e3 from 2026. Rolled up in 2026 (e3), twice over,
    # and the second replaces the first: still one evaluation for Batley, the second's scores.
    await _add_rollup(board, "r1", ["e3"], 2026, utc(2026, 12, 31, 23, 45), 5)
    await _add_rollup(board, "r2", ["e3"], 2026, utc(2027, 1, 3, 9), 4)  # made in January, for 2026
    found = await board.collate(2026)
    batley = found.by_organisation[1]
    assert (found.evaluations, batley.evaluations) == (4, 1)  # r2 in; e3 (it combines) and r1 (replaced) out
    assert found.by_scope == {"activity": 2, "annual": 1, "rollup": 1}
    assert found.kind_counts == {"annual": 2, "activity": 2}  # a roll-up is an annual evaluation
    assert batley.approaches["celebrating"] == stats("celebrating", (0, 0, 0, 1, 0), 4.0, 4.0)
    # against the 2025 baseline (f1): 1, 3, 3, 2, 2
    assert batley.change == dict(zip(ALL, (3.0, 1.0, 1.0, 2.0, 2.0), strict=True))
    assert (await board.collate(2027)).evaluations == 1  # h1 only: the roll-up counts in its own year
    rows = await board.service.export(STAFF, 2026, "json")
    assert {r.evaluation_id for r in rows if r.rollup == "r2"} == {"e3"}  # the part, named with its roll-up
    assert "r1" not in {r.evaluation_id for r in rows}


def recompute(rows: list[Any], year: int) -> dict[str, Any]:
    """The collation's main figures from nothing but the export's rows (as a board officer's
    spreadsheet would work them out): rows whose roll-up is empty count, one evaluation per id."""
    counted = [r for r in rows if r["year"] == year and not r["rollup"]]
    scores: dict[str, list[int]] = {}
    for r in counted:
        if r["score"] is not None:
            scores.setdefault(r["approach_id"], []).append(r["score"])
    return {
        "evaluations": len({r["evaluation_id"] for r in counted}),
        "organisations": sorted({r["organisation"] for r in counted if r["organisation"]}),
        "counts": {a: len(v) for a, v in scores.items()},
        "means": {a: round_half_up(Decimal(sum(v)) / Decimal(len(v))) for a, v in scores.items()},
    }


async def test_the_collation_can_be_recomputed_from_the_export(board: Board) -> None:
    await _add_rollup(board, "r1", ["e3"], 2026, utc(2026, 12, 31, 23, 45), 5)
    await _add_rollup(board, "r2", ["e3"], 2026, utc(2027, 1, 3, 9), 4)
    everything = to_json(await board.service.export(STAFF, None, "json"))
    for year in (2024, 2025, 2026, 2027):
        found = await board.collate(year)
        again = recompute(everything, year)
        assert again["evaluations"] == found.evaluations, year
        assert again["organisations"] == found.organisations, year
        assert again["counts"] == {a: s.count for a, s in found.partnership.items() if s.count}, year
        assert again["means"] == {a: s.mean for a, s in found.partnership.items() if s.mean is not None}, year


def test_means_round_half_up_and_focus_names_every_close_approach() -> None:
    assert [round_half_up(Decimal(x)) for x in ("3.625", "3.615", "2.005", "3.444")] == [
        3.63,
        3.62,
        2.01,
        3.44,
    ]
    partnership = {
        "a": stats("a", (0, 0, 0, 0, 0), 3.44, 3.0),
        "b": stats("b", (0, 0, 0, 0, 0), 3.47, 3.0),
        "c": stats("c", (0, 0, 0, 0, 0), 3.60, 3.0),
        "d": stats("d", (0, 0, 0, 0, 0), 3.54, 3.0),
    }
    assert _focus(partnership) == ["a", "b", "d"]  # 3.47 and 3.54 are within 0.1 of 3.44; 3.60 is not


async def test_an_approach_added_to_the_content_shows_everywhere(database_url: str) -> None:
    """A sixth approach in the content file: collation, export and roll-up take it with no code change."""
    text = resources.files("dialogs").joinpath("data/framework.toml").read_text(encoding="utf-8")
    sixth = text + SIXTH_APPROACH
    content = parse_content(sixth)
    assert [a.id for a in content.approaches][-1] == "belonging"
    db = create_engine(database_url)
    await upgrade_engine(db)
    sessions = create_sessionmaker(db)
    data = [
        Sent("s1", ASHBROW, "annual", answers("annual", ASHBROW, {
            **scored(3, 3, 3, 3, 3), "belonging": given(5, "We made a welcome pack.", ("time",))},
            [*ALL, "belonging"], "ICF-2026-00000101", unit="Hub"), utc(2026, 3, 3, 9), "ICF-2026-00000101"),
        Sent("s2", ASHBROW, "annual", answers("annual", ASHBROW, {
            **scored(1, 1, 1, 1, 1), "belonging": given(2, "Not yet.", ("training",))},
            [*ALL, "belonging"], "ICF-2026-00000102", unit="Youth"), utc(2026, 3, 4, 9), "ICF-2026-00000102"),
    ]  # fmt: skip
    try:
        async with sessions.begin() as session:
            await seed(session, data)
        service = BoardService(sessions, Engine(content, FixedIds()), Catalogs(), SECRET, Clock())
        found = await service.collation(STAFF, 2026)
        assert list(found.partnership)[-1] == "belonging"
        assert found.partnership["belonging"] == stats("belonging", (0, 1, 0, 0, 1), 3.5, 3.5)
        assert found.support_by_approach["belonging"] == [("time", 1), ("training", 1)]
        assert [s.approach_id for s in found.celebrate] == ["belonging"]
        rows = await service.export(STAFF, 2026, "json")
        assert [(r.approach, r.score) for r in rows if r.approach_id == "belonging"] == [
            ("Belonging", 5),
            ("Belonging", 2),
        ]
        combined = combine([d.answers for d in data], service.shape, "Both")
        assert (
            combined["approaches"][-1] == "belonging" and combined["by_approach"]["belonging"]["score"] == 4
        )
    finally:
        await db.dispose()


SIXTH_APPROACH = """

[[approaches]]
id = "belonging"
name = "Belonging"
intro = "Everyone feels they are part of this place."
intro_source = "a sense of belonging to our surroundings"
practice_bases = []

[[approaches.first_steps]]
text = "Ask people what makes them feel welcome."
source = "inclusive and welcoming to people from different backgrounds"

[[approaches.questions]]
id = "belonging.1"
original = "Do people feel they belong?"
plain = "Do people feel they belong here?"
"""
