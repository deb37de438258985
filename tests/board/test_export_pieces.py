"""Board staff's XLSX export, joined from the pieces kept for each evaluation: the same bytes as the
workbook written as it goes, before and after every kind of change its rows show, and a piece
made while its evaluation changed is never kept."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from bot.board.exports import COLUMNS, made_pieces, xlsx_body
from storage import Evaluation, Organisation, export_pieces
from storage.collation import SentRow
from storage.models import ExportPiece, ExportStale, Submission, Translation
from tests.board.test_collation import BATLEY, STAFF, Board, _add_rollup, board, utc

__all__ = ["board"]  # the fixture, from test_collation
YEARS = (2024, 2025, 2026, 2027)


def rename(name: str, new: str) -> Any:
    return update(Organisation).where(Organisation.name == name).values(name=new)


async def kept(board: Board, year: int) -> bytes:
    """The workbook as the board's pages and API send it: joined from the kept pieces."""
    return b"".join([chunk async for chunk in board.service.export_body(STAFF.viewer, year, "xlsx")])


async def written(board: Board, year: int) -> bytes:
    """The same workbook written as it goes, every row made now."""
    batches = await board.service.export_stream(STAFF, year, "xlsx")
    return b"".join([chunk async for chunk in xlsx_body(batches)])


def sheet(data: bytes) -> list[dict[str, Any]]:
    rows = list(load_workbook(io.BytesIO(data), read_only=True)["Evaluations"].iter_rows(values_only=True))
    names = [name for name, _, _ in COLUMNS]
    return [dict(zip(names, row, strict=False)) for row in rows[1:]]


async def the_same(board: Board) -> dict[int, list[dict[str, Any]]]:
    """Every year's kept workbook, checked against the one written as it goes; its rows by year."""
    found = {}
    for year in YEARS:
        data = await kept(board, year)
        assert data == await written(board, year), year
        found[year] = sheet(data)
    assert not await board.service.pieces_stale()
    return found


async def test_the_kept_workbook_is_the_one_written_as_it_goes(board: Board) -> None:
    await _add_rollup(board, "r1", ["e3"], 2026, utc(2026, 12, 31, 23, 45), 5)
    await _add_rollup(board, "r2", ["e3"], 2026, utc(2027, 1, 3, 9), 4)  # replaces r1
    found = await the_same(board)
    rows = found[2026]
    assert [r["evaluation_id"] for r in rows if r["rollup"]] == ["e3"] * 5  # the part, after the rest
    assert {r["evaluation_id"] for r in rows if not r["rollup"]} == {"e4", "e1", "e2", "r2"}
    assert "r1" not in {r["evaluation_id"] for r in rows}
    assert {r["evaluation_id"] for r in found[2027]} == {"h1"}  # r2, made in January, counts in 2026
    async with board.sessions() as session:
        pieces = set(await session.scalars(select(ExportPiece.evaluation_id)))
    assert pieces == {"g1", "f1", "f2", "e4", "e1", "e2", "e3", "r2", "h1"}  # never r1, or a draft


async def test_each_change_shows_in_the_next_workbook(board: Board) -> None:
    await the_same(board)

    async with board.sessions.begin() as session:  # the board renames an organisation
        await session.execute(
            update(Organisation).where(Organisation.name == BATLEY).values(name="Batley Pantry")
        )
    assert await board.service.pieces_stale()
    rows = (await the_same(board))[2026]
    assert {r["organisation"] for r in rows if r["evaluation_id"] == "e3"} == {"Batley Pantry"}

    async with board.sessions.begin() as session:  # a translator adds an English version
        session.add(
            Translation(
                evaluation_id="e2",
                approach_id="connecting",
                field="story",
                language="pl",
                text="We met at the library.",
                translated_by="translator@kirklees.example",
                translated_at=datetime(2026, 7, 1, tzinfo=UTC),
            )
        )
    rows = (await the_same(board))[2026]
    english = {
        r["story_english"] for r in rows if r["evaluation_id"] == "e2" and r["approach_id"] == "connecting"
    }
    assert english == {"We met at the library."}

    await _add_rollup(board, "r1", ["e3"], 2026, utc(2026, 12, 31, 23, 45), 5)  # e3 becomes a part
    rows = (await the_same(board))[2026]
    assert {r["rollup"] for r in rows if r["evaluation_id"] == "e3"} == {"r1"}

    async with board.sessions.begin() as session:  # the roll-up is erased: e3 counts again
        await session.execute(Evaluation.__table__.delete().where(Evaluation.id == "r1"))
    rows = (await the_same(board))[2026]
    assert {r["rollup"] for r in rows if r["evaluation_id"] == "e3"} == {None}
    assert "r1" not in {r["evaluation_id"] for r in rows}

    async with board.sessions.begin() as session:  # a submission moves to the next year
        await session.execute(update(Submission).where(Submission.evaluation_id == "e1").values(year=2027))
    found = await the_same(board)
    assert "e1" not in {r["evaluation_id"] for r in found[2026]}
    assert "e1" in {r["evaluation_id"] for r in found[2027]}


async def test_a_draft_is_never_marked(board: Board) -> None:
    await the_same(board)
    async with board.sessions.begin() as session:  # a turn of a conversation not yet sent
        draft = await session.scalar(select(Evaluation).where(Evaluation.status == "draft"))
        assert draft is not None
        draft.answers = {**draft.answers, "touched": True}
    async with board.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ExportStale)) == 0


async def test_a_piece_made_while_its_evaluation_changes_is_not_kept(board: Board) -> None:
    service = board.service
    shape, content = service.shape, service.engine.content

    async def make_and_rename(
        sent: list[SentRow], translated: Mapping[str, Mapping[Any, Any]]
    ) -> list[export_pieces.Made]:
        made = made_pieces(sent, translated, content, shape)
        async with board.sessions.begin() as session:  # committed after the read, before the store
            await session.execute(
                update(Organisation).where(Organisation.name == BATLEY).values(name="Later")
            )
        return [export_pieces.Made(*found) for found in made]

    await export_pieces.refresh(board.sessions, service._piece_shape, make_and_rename)
    assert await service.pieces_stale()  # Batley's evaluations wait to be made again
    rows = (await the_same(board))[2026]
    assert {r["organisation"] for r in rows if r["evaluation_id"] == "e3"} == {"Later"}
