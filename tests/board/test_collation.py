"""Collation against a small fixed data set, every figure worked out by hand (see the comments)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import Evaluation, Organisation, Submission, create_engine, create_sessionmaker, upgrade_engine
from storage.collation import APPROACH_IDS, ApproachStats, collate, submitted_years

ALL = list(APPROACH_IDS)
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
            session.add(Submission(evaluation_id=sent.id, reference=sent.reference, queued_at=sent.queued_at))
    return {name: organisation.id for name, organisation in organisations.items()}


@dataclass(frozen=True)
class Board:
    sessions: async_sessionmaker[AsyncSession]
    ids: dict[str, int]


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


# Ashbrow in 2026: e1 (annual) and e2 (activity: connecting and trusting only; equalising unpicked).
ASHBROW_2026 = {
    "connecting": stats("connecting", (0, 0, 0, 1, 1), 4.5, 4.5),  # 4, 5
    "communicating": stats("communicating", (0, 0, 1, 0, 0), 3.0, 3.0),  # 3
    "equalising": stats("equalising", (0, 1, 0, 0, 0), 2.0, 2.0),  # 2 (not 1.5: e2's 1 is stale)
    "trusting": stats("trusting", (0, 0, 1, 0, 1), 4.0, 4.0),  # 5, 3
    "celebrating": stats("celebrating", (0, 0, 1, 0, 0), 3.0, 3.0),  # 3
}


async def test_partnership_figures_for_the_year(board: Board) -> None:
    async with board.sessions() as session:
        found = await collate(session, 2026)
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
    async with board.sessions() as session:
        found = await collate(session, 2026)
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
    async with board.sessions() as session:
        found = await collate(session, 2026)
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
    assert found.other_needs == ["A room to meet", "A Polish interpreter"]
    assert found.missing == [COLNE]  # sent in 2025, not in 2026; Dewsbury's draft never counts
    # scores of 4 or 5 with a story, best first, then the oldest first
    assert [(s.reference, s.approach_id, s.score, s.organisation) for s in found.celebrate] == [
        ("ICF-2026-00000002", "trusting", 5, ASHBROW),
        ("ICF-2026-00000003", "connecting", 5, ASHBROW),
        ("ICF-2026-00000002", "connecting", 4, ASHBROW),
        ("ICF-2026-00000004", "communicating", 4, BATLEY),
    ]
    assert found.celebrate[0].story == "Young people chose the grant winners."
    assert found.celebrate[0].unit == "Youth team"
    assert found.celebrate[1].activity == "Saturday football"
    assert found.celebrate[1].scope == "activity"
    assert found.celebrate[3].story == HYPERLINK  # kept as typed: pages and exports escape it


async def test_one_organisation_only(board: Board) -> None:
    async with board.sessions() as session:
        ashbrow = await collate(session, 2026, board.ids[ASHBROW])
        colne = await collate(session, 2026, board.ids[COLNE])
        dewsbury = await collate(session, 2026, board.ids[DEWSBURY])
    assert ashbrow.evaluations == 2
    assert ashbrow.organisations == [ASHBROW]
    assert ashbrow.partnership == ASHBROW_2026
    assert [o.organisation for o in ashbrow.by_organisation] == [ASHBROW]
    assert ashbrow.by_organisation[0].change == dict(zip(ALL, (2.5, 1.0, 0.0, 1.0, 2.0), strict=True))
    assert ashbrow.support_needs == [
        ("training", 3),
        ("time", 2),
        ("connect", 1),
        ("funding", 1),
        ("other", 1),
    ]
    assert ashbrow.other_needs == ["A Polish interpreter"]
    assert ashbrow.missing == []  # Ashbrow sent nothing in 2025; Colne is not its business
    assert [s.reference for s in ashbrow.celebrate] == [
        "ICF-2026-00000002",
        "ICF-2026-00000003",
        "ICF-2026-00000002",
    ]
    assert (colne.evaluations, colne.organisations, colne.missing) == (0, [], [COLNE])
    assert all(s.count == 0 and s.mean is None and s.median is None for s in colne.partnership.values())
    assert colne.partnership["trusting"].distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert (colne.support_needs, colne.celebrate, colne.by_organisation) == ([], [], [])
    assert (dewsbury.evaluations, dewsbury.missing) == (0, [])


async def test_other_years_and_the_utc_year_boundary(board: Board) -> None:
    async with board.sessions() as session:
        first = await collate(session, 2025)
        later = await collate(session, 2027)
        empty = await collate(session, 2030)
        years = await submitted_years(session)
        batley_years = await submitted_years(session, board.ids[BATLEY])
    assert years == [2024, 2025, 2026, 2027]
    assert batley_years == [2025, 2026]  # e3 was sent at 23:30 UTC on 31 December 2026
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


async def test_a_roll_up_stands_for_the_evaluations_it_names(board: Board) -> None:
    rollup = Sent(
        "r1",
        BATLEY,
        "rollup",
        {**answers("rollup", BATLEY, scored(5, 5, 5, 5, 5), ALL, "ICF-2026-R0000001"), "rollup_ids": ["e3"]},
        utc(2026, 12, 31, 23, 45),
        "ICF-2026-R0000001",
    )
    async with board.sessions.begin() as session:
        organisation = await session.get(Organisation, board.ids[BATLEY])
        assert organisation is not None
        session.add(
            Evaluation(
                id=rollup.id,
                organisation_id=organisation.id,
                scope="rollup",
                language="en",
                content_version="1",
                status="submitted",
                step="finished",
                state={},
                answers=rollup.answers,
                channel="board",
                access_token_hash="r" * 64,
            )
        )
        await session.flush()
        session.add(Submission(evaluation_id="r1", reference=rollup.reference, queued_at=rollup.queued_at))
    async with board.sessions() as session:
        found = await collate(session, 2026)
    batley = found.by_organisation[1]
    assert (found.evaluations, batley.evaluations) == (4, 1)  # r1 in, e3 (which it combines) out
    assert found.by_scope == {"activity": 2, "annual": 1, "rollup": 1}
    assert batley.approaches["celebrating"] == stats("celebrating", (0, 0, 0, 0, 1), 5.0, 5.0)
    assert batley.change == dict(zip(ALL, (4.0, 2.0, 2.0, 3.0, 3.0), strict=True))
