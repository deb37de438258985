"""The board's HTTP API for scripts: ``Authorization: Bearer icfb_...`` (tokens from ``icf board token``)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from bot.board.auth import SignedIn
from bot.board.exports import csv_bytes, to_json, to_xlsx
from bot.board.pages import XLSX, collation_json, transcript_csv, transcript_json
from bot.board.service import BoardService
from storage.board import QueueFilter

__all__ = ["router"]

router = APIRouter(prefix="/api/board", tags=["board"])
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "No or wrong API token."}, 404: {}}


async def _api_user(request: Request, authorization: Annotated[str | None, Header()] = None) -> SignedIn:
    scheme, _, token = (authorization or "").partition(" ")
    user: SignedIn | None = None
    if scheme.lower() == "bearer":
        user = await request.app.state.board_auth.from_api_token(token.strip())
    if user is None:
        raise HTTPException(401, "a board API token is needed", headers={"WWW-Authenticate": "Bearer"})
    return user


def _board(request: Request) -> BoardService:
    service: BoardService = request.app.state.board
    return service


User = Annotated[SignedIn, Depends(_api_user)]
Board = Annotated[BoardService, Depends(_board)]


class SubmissionOut(BaseModel):
    evaluation_id: str
    reference: str
    organisation: str
    scope: str
    team_or_activity: str
    language: str
    channel: str
    queued_at: datetime
    pulled_at: datetime | None
    pulled_by: str | None


class PullIn(BaseModel):
    scope: Literal["annual", "activity", "rollup"] | None = None
    organisation_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


class PullOut(BaseModel):
    pulled: list[str] = Field(description="References of the submissions now marked as pulled by you.")


@router.get("/submissions", responses=_ERRORS)
async def submissions(
    user: User,
    board: Board,
    status: Literal["new", "pulled", "all"] = "new",
    scope: Literal["annual", "activity", "rollup"] | None = None,
    organisation_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[SubmissionOut]:
    """Submitted evaluations, newest first; by default the ones nobody has pulled yet."""
    rows = await board.queue(user, QueueFilter(status, organisation_id, scope, since, until))
    return [
        SubmissionOut(
            evaluation_id=r.evaluation_id,
            reference=r.reference,
            organisation=r.organisation,
            scope=r.scope,
            team_or_activity=str(r.answers.get("unit") or r.answers.get("activity") or ""),
            language=r.language,
            channel=r.channel,
            queued_at=r.queued_at,
            pulled_at=r.pulled_at,
            pulled_by=r.pulled_by,
        )
        for r in rows
    ]


@router.post("/submissions/pull", responses=_ERRORS)
async def pull(user: User, board: Board, body: PullIn | None = None) -> PullOut:
    """Mark the new submissions that match as pulled by you (and when); board staff only."""
    wanted = body or PullIn()
    references = await board.pull(
        user, QueueFilter("new", wanted.organisation_id, wanted.scope, wanted.since, wanted.until)
    )
    return PullOut(pulled=list(references))


@router.get("/evaluations/{evaluation_id}", responses=_ERRORS)
async def evaluation(evaluation_id: str, user: User, board: Board) -> dict[str, Any]:
    """One evaluation's answers and its whole transcript."""
    view = await board.evaluation(user, evaluation_id, action="api view")
    return {
        "evaluation_id": view.evaluation.id,
        "reference": view.reference,
        "organisation": view.organisation,
        "status": view.evaluation.status,
        "scope": view.evaluation.scope,
        "language": view.evaluation.language,
        "content_version": view.evaluation.content_version,
        "answers": view.evaluation.answers,
        "transcript": transcript_json(view.transcript),
    }


@router.get("/evaluations/{evaluation_id}/transcript", responses=_ERRORS, response_model=None)
async def transcript(
    evaluation_id: str, user: User, board: Board, format: Literal["json", "csv"] = "json"
) -> Response | list[dict[str, Any]]:
    view = await board.evaluation(user, evaluation_id, action=f"api transcript {format}")
    if format == "csv":
        return Response(transcript_csv(view.transcript), media_type="text/csv; charset=utf-8")
    return transcript_json(view.transcript)


@router.get("/export", responses=_ERRORS, response_model=None)
async def export(
    user: User, board: Board, year: int | None = None, format: Literal["json", "csv", "xlsx"] = "json"
) -> Response | list[dict[str, object]]:
    """One row per evaluation and approach, for a year or for every year."""
    rows = await board.export(user, year, f"api {format}")
    if format == "csv":
        return Response(csv_bytes(rows), media_type="text/csv; charset=utf-8")
    if format == "xlsx":
        return Response(await asyncio.to_thread(to_xlsx, rows), media_type=XLSX)
    return to_json(rows)


@router.get("/collation", responses=_ERRORS)
async def collation(user: User, board: Board, year: int) -> dict[str, Any]:
    """The partnership view for a year, as the collation page shows it."""
    return collation_json(await board.collation(user, year))
