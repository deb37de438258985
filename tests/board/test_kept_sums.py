"""Board staff's collation reads sums kept between collations: after every kind of change a person
or the board can make, it shows what summing everything again shows, and what changed shows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from bot.board.collation import Collation, strength_scores
from bot.board.kept_sums import sums_running
from storage import Evaluation, Submission
from storage import collation_sums as kept_sums
from storage.access import Role, Viewer
from storage.models import CollationStale, CollationSum, CollationTyped
from storage.parts import forget
from tests.board.test_collation import (
    ALL,
    ASHBROW,
    BATLEY,
    COLNE,
    STAFF,
    Board,
    _add_rollup,
    add_sent,
    answers,
    open_board,
    scored,
    utc,
)

YEARS = (2024, 2025, 2026, 2027)
BOARD = Viewer(Role.BOARD)


@pytest.fixture
async def board(database_url: str) -> AsyncIterator[Board]:
    async with open_board(database_url) as opened:
        yield opened


async def kept_and_fresh(board: Board) -> dict[int, Collation]:
    """Every year's collation from the kept sums, checked against the same summed again."""
    service = board.service
    found = {}
    for year in YEARS:
        kept = await service.collation(STAFF, year)
        fresh = await service.collation_for(BOARD, year, fresh=True)
        assert asdict(kept) == asdict(fresh), year
        found[year] = kept
    return found


async def send(board: Board, evaluation_id: str, organisation: str, sent: datetime, *scores: int) -> None:
    """A new annual evaluation sent to the board, as the chat stores one."""
    answered = answers("annual", organisation, scored(*scores), ALL, f"ICF-{sent.year}-N{evaluation_id}")
    async with board.sessions.begin() as session:
        await add_sent(session, evaluation_id, board.ids[organisation], answered, sent.year, sent)


async def change(board: Board, statement: Any) -> None:
    async with board.sessions.begin() as session:
        await session.execute(statement)


def organisation(collation: Collation, name: str) -> Any:
    return next((o for o in collation.by_organisation if o.organisation == name), None)


async def test_every_change_shows_as_summing_everything_again_would(board: Board) -> None:
    before = await kept_and_fresh(board)
    assert (before[2026].evaluations, organisation(before[2026], COLNE)) == (4, None)

    await send(board, "n1", COLNE, utc(2026, 8, 1, 9), 5, 5, 5, 5, 5)  # a new one arrives
    found = await kept_and_fresh(board)
    assert found[2026].evaluations == 5
    assert organisation(found[2026], COLNE).approaches["connecting"].mean == 5.0
    assert organisation(found[2026], COLNE).change["connecting"] == 2.0  # against its 2025 baseline

    await _add_rollup(board, "r1", ["e3"], 2026, utc(2026, 12, 30, 9), 4)  # Batley rolls up e3
    await _add_rollup(board, "r2", ["e3"], 2026, utc(2026, 12, 31, 9), 2)  # and again: r2 replaces r1
    found = await kept_and_fresh(board)
    assert organisation(found[2026], BATLEY).approaches["trusting"].mean == 2.0

    await change(board, update(Submission).where(Submission.evaluation_id == "n1").values(destination="lead"))
    found = await kept_and_fresh(board)  # sent to its lead instead: not the board's
    assert (found[2026].evaluations, organisation(found[2026], COLNE)) == (4, None)

    await change(board, update(Evaluation).where(Evaluation.id == "e2").values(scope="annual"))
    found = await kept_and_fresh(board)
    assert found[2026].kind_counts == {"annual": 3, "activity": 1}

    async with board.sessions.begin() as session:  # its answers changed: its parts are read again
        await forget(await session.connection(), "e1")
    await kept_and_fresh(board)

    await board.service.change_organisations(
        STAFF, "merge", source_id=board.ids[COLNE], target_id=board.ids[ASHBROW]
    )
    found = await kept_and_fresh(board)
    assert organisation(found[2025], COLNE) is None and organisation(found[2025], ASHBROW).evaluations == 1

    await change(board, update(Evaluation).where(Evaluation.id == "e1").values(status="draft"))
    await change(board, delete(Evaluation).where(Evaluation.id == "g1"))  # erased: Ashbrow's 2024 is gone
    found = await kept_and_fresh(board)
    assert found[2024].evaluations == 0 and found[2026].evaluations == 3
    assert organisation(found[2026], ASHBROW).baseline_year == 2025  # Colne's 2025, merged in

    assert [n.text for n in found[2026].other_needs] == ["A room to meet"]
    await change(board, delete(Evaluation).where(Evaluation.id == "e4"))  # erased: its typed need too
    async with board.sessions() as session:  # at once, before any collation
        assert list(await session.scalars(select(CollationTyped.text))) == []
    await change(board, delete(Evaluation).where(Evaluation.id == "r2"))  # the roll-up goes: e3 counts again
    found = await kept_and_fresh(board)
    assert organisation(found[2026], BATLEY).approaches["trusting"].mean == 4.0
    assert found[2026].unnamed == 0 and found[2026].other_needs == []
    async with board.sessions() as session:  # and nothing is left to sum again
        assert await session.scalar(select(func.count()).select_from(CollationStale)) == 0


async def test_a_change_made_while_a_refresh_sums_is_not_lost(board: Board) -> None:
    await kept_and_fresh(board)
    await send(board, "n1", COLNE, utc(2026, 8, 1, 9), 4, 4, 4, 4, 4)
    service = board.service
    scores, strength = service.shape.scores, strength_scores(service.shape)
    options = service.support_ids
    await service.collation(STAFF, 2026)
    # n2 makes Colne stale; a refresh reads it and sums it, and before it stores, n3 is sent.
    await send(board, "n2", COLNE, utc(2026, 8, 2, 9), 2, 2, 2, 2, 2)
    async with board.sessions() as session:
        connection = await session.connection()
        stamps = dict(
            (await connection.execute(select(CollationStale.organisation_key, CollationStale.stamp))).all()
        )
        summed = await kept_sums._summed(
            connection, BOARD, list(stamps), scores=scores, strength=strength, options=options
        )
    await send(board, "n3", COLNE, utc(2026, 8, 3, 9), 1, 1, 1, 1, 1)  # lands in between
    async with board.sessions.begin() as session:
        stored = await kept_sums._store(
            await session.connection(), kept_sums._shape(scores, strength, options), stamps, summed
        )
    assert stored == 0  # what it summed is out of date: Colne stays stale
    found = await kept_and_fresh(board)
    colne = organisation(found[2026], COLNE)
    assert colne.evaluations == 3 and colne.approaches["connecting"].mean == 2.33


async def test_the_server_brings_the_sums_up_to_date_in_the_background(board: Board) -> None:
    service = board.service
    await service.collation(STAFF, 2026)
    await send(board, "n1", COLNE, utc(2026, 8, 1, 9), 5, 5, 5, 5, 5)
    assert await service.sums_stale()
    async with sums_running(service, every=0.01):
        for _ in range(500):  # up to 5 s
            if not await service.sums_stale():
                break
            await asyncio.sleep(0.01)
    assert not await service.sums_stale()  # summed again with no collation asked for
    async with board.sessions() as session:
        kept = await session.scalar(
            select(func.count())
            .select_from(CollationSum)
            .where(CollationSum.organisation_key == board.ids[COLNE])
        )
    assert kept == 2 * len(ALL)  # Colne's 2025 and now its 2026
    assert organisation((await kept_and_fresh(board))[2026], COLNE).evaluations == 1
