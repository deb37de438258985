"""The board's HTTP API for scripts: ``Authorization: Bearer icfb_...`` (tokens from ``icf board token``).

Every parameter is one of the typed models in ``bot.board.inputs``; every error is ``ApiError`` JSON
with a 4xx status, and the schema says so (Schemathesis checks the app against it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from bot.board.auth import SignedIn
from bot.board.inputs import (
    EVALUATION_ID,
    ApiError,
    ExportQuery,
    PullIn,
    QueueQuery,
    YearQuery,
    decode_cursor,
)
from bot.board.inputs import encode_cursor as _encode
from bot.board.pages import CSV, XLSX, transcript_csv, transcript_json
from bot.board.service import BoardService

__all__ = ["router"]

router = APIRouter(prefix="/api/board", tags=["board"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The body is not JSON.",
        401: "No API token, or one that is wrong, expired or revoked.",
        404: "Nothing here you may see (the same for an id that does not exist).",
        422: "A parameter or the body is not valid: `detail` says which and why.",
        503: "The database is too busy to answer in time. Nothing was changed: try again after the "
        "seconds in Retry-After.",
    }
    return {code: {"model": ApiError, "description": described[code]} for code in (401, 422, 503, *codes)}


async def _api_user(request: Request, authorization: Annotated[str | None, Header()] = None) -> SignedIn:
    scheme, _, token = (authorization or "").partition(" ")
    user: SignedIn | None = None
    if scheme.lower() == "bearer" and len(token) <= 200:
        user = await request.app.state.board_auth.from_api_token(token.strip())
    if user is None:
        raise HTTPException(401, "a board API token is needed", headers={"WWW-Authenticate": "Bearer"})
    return user


def _board(request: Request) -> BoardService:
    service: BoardService = request.app.state.board
    return service


User = Annotated[SignedIn, Depends(_api_user)]
Board = Annotated[BoardService, Depends(_board)]
EvaluationId = Annotated[str, Path(pattern=EVALUATION_ID, max_length=32)]


class SubmissionOut(BaseModel):
    evaluation_id: str
    reference: str
    organisation: str
    organisation_listed: bool = Field(description="False: a new organisation name for board staff to check.")
    scope: str
    destination: str = Field(description="`board`, or `lead`: sent to the organisation's ICF lead.")
    year: int
    team_or_activity: str
    language: str
    channel: str
    queued_at: datetime
    pulled_at: datetime | None
    pulled_by: str | None


class SubmissionsPage(BaseModel):
    submissions: list[SubmissionOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AlreadyPulled(BaseModel):
    reference: str
    pulled_by: str
    pulled_at: datetime


class PullOut(BaseModel):
    pulled: list[str] = Field(description="References of the submissions now marked as pulled by you.")
    already_pulled: list[AlreadyPulled] = Field(description="Pulled by someone (or you) before this call.")
    gone: list[str] = Field(description="Ids asked for that are not, or no longer, in the queue.")


@router.get("/submissions", responses=_errors())
async def submissions(user: User, board: Board, query: Annotated[QueueQuery, Query()]) -> SubmissionsPage:
    """Submissions you may see, newest first, a page at a time; by default the ones not pulled yet."""
    try:
        after = decode_cursor(query.cursor)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    page = await board.queue(user, query.filters(), after, query.limit)
    return SubmissionsPage(
        submissions=[
            SubmissionOut(
                evaluation_id=r.evaluation_id,
                reference=r.reference,
                organisation=r.organisation,
                organisation_listed=r.organisation_listed,
                scope=r.scope,
                destination=r.destination,
                year=r.year,
                team_or_activity=str(r.answers.get("unit") or r.answers.get("activity") or ""),
                language=r.language,
                channel=r.channel,
                queued_at=r.queued_at,
                pulled_at=r.pulled_at,
                pulled_by=r.pulled_by,
            )
            for r in page.rows
        ],
        next=_encode(page.next),
    )


@router.post("/submissions/pull", responses=_errors(400, 404))
async def pull(user: User, board: Board, body: PullIn) -> PullOut:
    """Mark the submissions you were shown (by evaluation id) as pulled by you; board staff only."""
    result = await board.pull(user, body.evaluation_ids)
    return PullOut(
        pulled=result.pulled,
        already_pulled=[AlreadyPulled(reference=r, pulled_by=b, pulled_at=a) for r, b, a in result.already],
        gone=result.gone,
    )


@router.get("/evaluations/{evaluation_id}", responses=_errors(404))
async def evaluation(evaluation_id: EvaluationId, user: User, board: Board) -> dict[str, Any]:
    """One evaluation's answers, with the English versions beside those typed in another language;
    its transcript too, unless you see it only as part of a roll-up."""
    view = await board.evaluation(user, evaluation_id, action="api view")
    return {
        "evaluation_id": view.evaluation.id,
        "reference": view.reference,
        "organisation": view.organisation,
        "status": view.evaluation.status,
        "scope": view.evaluation.scope,
        "destination": view.destination,
        "access": view.access.value,
        "language": view.evaluation.language,
        "content_version": view.evaluation.content_version,
        "answers": view.evaluation.answers,
        "part_of_rollup": view.part_of,
        "rollup_members": [m.evaluation_id for m in view.members],
        "transcript": transcript_json(view.transcript) if view.whole else None,
        "english": [  # beside answers typed in another language: the person's own (by null) or a translator's
            {
                "approach_id": a,
                "field": f,
                "text": v.text,
                "by": v.by,
                "at": v.at.isoformat() if v.at else None,
            }
            for (a, f), v in view.english.items()
        ],
    }


@router.get(
    "/evaluations/{evaluation_id}/transcript",
    responses={
        **_errors(404),
        200: {"content": {"application/json": {}, CSV: {}}, "description": "The transcript, JSON or CSV."},
    },
    response_model=None,
)
async def transcript(
    evaluation_id: EvaluationId,
    user: User,
    board: Board,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response | list[dict[str, Any]]:
    view = await board.whole_evaluation(user, evaluation_id, action=f"api transcript {format}")
    if format == "csv":
        return Response(transcript_csv(view.transcript), media_type=CSV)
    return transcript_json(view.transcript)


@router.get(
    "/export",
    responses={
        **_errors(),
        200: {
            "content": {"application/json": {}, CSV: {}, XLSX: {}},
            "description": "One row per evaluation and approach: JSON, CSV (UTF-8 with BOM) or XLSX.",
        },
    },
    response_model=None,
)
async def export(user: User, board: Board, query: Annotated[ExportQuery, Query()]) -> Response:
    """What your collation counts, then each roll-up's parts, for a year or for every year, streamed
    as it is written."""
    body = await board.export_file(user, query.year, query.format, f"api {query.format}")
    kinds = {"csv": CSV, "xlsx": XLSX, "json": "application/json"}
    return StreamingResponse(body, media_type=kinds[query.format])


@router.get(
    "/collation",
    responses={
        **_errors(),
        200: {
            "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
            "description": "The year's figures, as the collation page shows them.",
        },
    },
    response_model=None,
)
async def collation(user: User, board: Board, query: Annotated[YearQuery, Query()]) -> Response:
    """The figures for a year (by default the latest with anything), as the collation page shows them."""
    chosen = query.year
    if chosen is None:
        years = await board.years(user)
        chosen = years[-1] if years else board.clock().year
    return Response(await board.collation_json(user, chosen), media_type="application/json")
