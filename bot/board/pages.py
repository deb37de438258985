"""The board area in the browser: sign-in, the queue, one evaluation, collation, the report, roll-ups."""

from __future__ import annotations

import asyncio
import hmac
import json
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from gettext import NullTranslations
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

import bot.board.charts as charts
from bot.board.auth import COOKIE, SignedIn
from bot.board.exports import csv_bytes, to_json, to_xlsx
from bot.board.service import BoardService, NotVisible
from storage.board import QueueFilter

__all__ = ["SignInRequired", "board_templates", "router", "transcript_csv", "transcript_json"]

router = APIRouter(prefix="/board", include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SignInRequired(Exception):
    """Not signed in: the error handler sends the browser to the sign-in page."""

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted


def board_templates() -> Environment:
    """The board area is in English; its words still go through gettext (domain "board")."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    return env


def _board(request: Request) -> BoardService:
    service: BoardService = request.app.state.board
    return service


async def _user(request: Request) -> SignedIn:
    user: SignedIn | None = await request.app.state.board_auth.from_cookie(request.cookies.get(COOKIE))
    if user is None:
        raise SignInRequired(str(request.url.path))
    return user


Board = Annotated[BoardService, Depends(_board)]
User = Annotated[SignedIn, Depends(_user)]


def _page(request: Request, template: str, user: SignedIn | None, **values: Any) -> HTMLResponse:
    env: Environment = request.app.state.board_templates
    return HTMLResponse(env.get_template(template).render(user=user, **values))


def _check_csrf(user: SignedIn, csrf: str) -> None:
    if not hmac.compare_digest(user.csrf_token.encode(), csrf.encode()):
        raise NotVisible("the form's CSRF token does not match")


def _day(value: str | None, end: bool = False) -> datetime | None:
    """A date from a filter form as the start of that day (or of the next, for "until"), in UTC."""
    try:
        start = datetime.combine(date.fromisoformat(value or ""), time.min, tzinfo=UTC)
    except ValueError:
        return None
    return start + timedelta(days=1) if end else start


def _filters(status: str, scope: str, organisation: str, since: str, until: str) -> QueueFilter:
    return QueueFilter(
        status=status if status in {"new", "pulled", "all"} else "new",
        organisation_id=int(organisation) if organisation.isdigit() else None,
        scope=scope if scope in {"annual", "activity", "rollup"} else None,
        since=_day(since),
        until=_day(until, end=True),
    )


# -- signing in ---------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/board") -> HTMLResponse:
    return _page(request, "login.html", None, next=next, failed=False)


@router.post("/login", response_model=None)
async def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/board",
) -> Response:
    signed = await request.app.state.board_auth.sign_in(email, password)
    if signed is None:
        refused = _page(request, "login.html", None, next=next, failed=True)
        refused.status_code = 401
        return refused
    cookie, _ = signed
    target = next if next.startswith("/board") and "//" not in next else "/board"  # never off-site
    response = RedirectResponse(target, status_code=303)
    secure = str(request.app.state.settings.public_url).startswith("https://")
    response.set_cookie(
        COOKIE, cookie, max_age=8 * 3600, httponly=True, samesite="strict", secure=secure, path="/"
    )
    return response


@router.post("/logout")
async def logout(request: Request, user: User, csrf: Annotated[str, Form()]) -> RedirectResponse:
    _check_csrf(user, csrf)
    await request.app.state.board_auth.sign_out(request.cookies.get(COOKIE))
    response = RedirectResponse("/board/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -- the queue ----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    user: User,
    board: Board,
    status: str = "new",
    scope: str = "",
    organisation: str = "",
    since: str = "",
    until: str = "",
    pulled: int = 0,
) -> HTMLResponse:
    filters = _filters(status, scope, organisation, since, until)
    rows = await board.queue(user, filters)
    organisations = await board.organisations() if user.is_board else []
    return _page(
        request,
        "queue.html",
        user,
        rows=rows,
        filters=filters,
        organisations=organisations,
        since=since,
        until=until,
        pulled=pulled,
    )


@router.post("/pull")
async def pull(
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    scope: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    since: Annotated[str, Form()] = "",
    until: Annotated[str, Form()] = "",
) -> RedirectResponse:
    _check_csrf(user, csrf)
    references = await board.pull(user, _filters("new", scope, organisation, since, until))
    return RedirectResponse(f"/board?status=pulled&pulled={len(references)}", status_code=303)


# -- one evaluation -----------------------------------------------------------------------------


@router.get("/evaluations/{evaluation_id}", response_class=HTMLResponse)
async def evaluation_page(request: Request, evaluation_id: str, user: User, board: Board) -> HTMLResponse:
    view = await board.evaluation(user, evaluation_id)
    return _page(request, "evaluation.html", user, view=view, content=board.engine.content)


@router.get("/evaluations/{evaluation_id}/plan", response_class=HTMLResponse)
async def evaluation_plan(evaluation_id: str, user: User, board: Board) -> HTMLResponse:
    return HTMLResponse(await board.plan_html(user, evaluation_id))


def transcript_json(entries: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at.isoformat(),
            "direction": e.direction,
            "channel": e.channel,
            "language": e.language,
            "step": e.step,
            "text": e.text,
        }
        for e in entries
    ]


def transcript_csv(entries: Any) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "direction", "channel", "language", "step", "text"])
    for row in transcript_json(entries):
        writer.writerow([_guard(str(v)) for v in row.values()])
    return out.getvalue()


def _guard(cell: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return "'" + cell if cell[:1] in {"=", "+", "-", "@"} else cell


@router.get("/evaluations/{evaluation_id}/transcript.json")
async def evaluation_transcript_json(evaluation_id: str, user: User, board: Board) -> Response:
    view = await board.evaluation(user, evaluation_id, action="transcript json")
    return Response(
        json.dumps(transcript_json(view.transcript), ensure_ascii=False), media_type="application/json"
    )


@router.get("/evaluations/{evaluation_id}/transcript.csv")
async def evaluation_transcript_csv(evaluation_id: str, user: User, board: Board) -> Response:
    view = await board.evaluation(user, evaluation_id, action="transcript csv")
    headers = {"Content-Disposition": f'attachment; filename="transcript-{quote(evaluation_id)}.csv"'}
    return Response(transcript_csv(view.transcript), media_type="text/csv; charset=utf-8", headers=headers)


# -- exports, collation and the report ----------------------------------------------------------


@router.get("/export")
async def export(user: User, board: Board, format: str = "csv", year: int | None = None) -> Response:
    rows = await board.export(user, year, format)
    name = f"icf-evaluations-{year or 'all'}"
    if format == "xlsx":
        headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        return Response(await asyncio.to_thread(to_xlsx, rows), media_type=XLSX, headers=headers)
    if format == "json":
        return Response(
            json.dumps(to_json(rows), ensure_ascii=False, default=str), media_type="application/json"
        )
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(csv_bytes(rows), media_type="text/csv; charset=utf-8", headers=headers)


async def _year(board: Board, year: int | None) -> tuple[int, list[int]]:
    years = await board.years()
    chosen = year or (years[-1] if years else board.clock().year)
    return chosen, sorted(set(years) | {chosen})


@router.get("/collation", response_class=HTMLResponse)
async def collation_page(request: Request, user: User, board: Board, year: int | None = None) -> HTMLResponse:
    chosen, years = await _year(board, year)
    collation = await board.collation(user, chosen)
    return _page(request, "collation.html", user, c=collation, years=years, charts=charts, **board.labels())


@router.get("/report", response_class=HTMLResponse)
async def report_page(request: Request, user: User, board: Board, year: int | None = None) -> HTMLResponse:
    chosen, _ = await _year(board, year)
    c = await board.collation(user, chosen)
    means = {approach: stats.mean for approach, stats in c.partnership.items()}
    scored = {approach: mean for approach, mean in means.items() if mean is not None}
    lowest = min(scored, key=lambda a: scored[a]) if scored else None
    return _page(
        request, "report.html", user, c=c, means=means, lowest=lowest, charts=charts, **board.labels()
    )


# -- roll-ups and the audit log -----------------------------------------------------------------


@router.get("/rollup", response_class=HTMLResponse)
async def rollup_page(
    request: Request, user: User, board: Board, done: str = "", error: int = 0
) -> HTMLResponse:
    rows = await board.team_evaluations(user)
    return _page(request, "rollup.html", user, rows=rows, done=done, error=error)


@router.post("/rollup")
async def rollup(
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    evaluation: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    _check_csrf(user, csrf)
    try:
        _, reference = await board.roll_up(user, evaluation or [], note)
    except NotVisible:
        return RedirectResponse("/board/rollup?error=1", status_code=303)
    return RedirectResponse(f"/board/rollup?done={quote(reference)}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, user: User, board: Board) -> HTMLResponse:
    return _page(request, "audit.html", user, entries=await board.audit_log(user))


def collation_json(collation: Any) -> dict[str, Any]:
    data: dict[str, Any] = asdict(collation)
    return data
