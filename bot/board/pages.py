"""The board area in the browser: sign-in, the queue, one evaluation, collation, the report, roll-ups,
the organisations list and the audit log.

Handlers are thin: validate with ``bot.board.inputs``, call ``BoardService``, render. A filter that
does not make sense gets the page back with a plain message (400), never a 500.
"""

from __future__ import annotations

import asyncio
import csv
import hmac
import io
import json
import re
from datetime import date
from gettext import NullTranslations
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

import bot.board.charts as charts
from bot.board.auth import COOKIE, LOGIN_COOKIE, SESSION_HOURS, SignedIn, SignInRefused
from bot.board.collation import KINDS, OTHER_NEEDS_SHOWN
from bot.board.english import FIELD_LABELS
from bot.board.exports import guard
from bot.board.inputs import (
    EVALUATION_ID,
    MAX_ID,
    ExportQuery,
    QueueQuery,
    YearQuery,
    decode_cursor,
    encode_cursor,
    problems,
)
from bot.board.service import AlreadyInEnglish, BadInput, BoardService, EnglishRefused, NotVisible
from bot.board.text import direction, isolated, language_name, plain
from bot.board.workshops import FOUNDATIONS
from bot.board.xlsx import write_xlsx
from bot.throttle import RateLimited
from dialogs.engine import MAX_TEXT

__all__ = [
    "XLSX",
    "SignInRequired",
    "board_templates",
    "router",
    "transcript_csv",
    "transcript_json",
]

router = APIRouter(prefix="/board", include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


class SignInRequired(Exception):
    """Not signed in: the error handler sends the browser to the sign-in page."""

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted


def board_templates() -> Environment:
    """The board area is in English; its words still go through gettext (domain "board").

    ``|user`` shows a piece of user text safely: escaped, without bidirectional controls, isolated.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters["user"] = isolated
    env.filters["plain"] = plain  # for an attribute's value, where <bdi> cannot go
    env.filters["direction"] = direction  # a language code's writing direction: "rtl" or "ltr"
    env.filters["language_name"] = language_name  # its name in English
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


def _page(
    request: Request, template: str, user: SignedIn | None, status: int = 200, **values: Any
) -> HTMLResponse:
    env: Environment = request.app.state.board_templates
    return HTMLResponse(env.get_template(template).render(user=user, **values), status_code=status)


async def _large_page(request: Request, template: str, user: SignedIn, **values: Any) -> HTMLResponse:
    """A page that lists every organisation (the collation, the report): written on a thread, as a
    year of thousands of organisations takes a large part of a second that the loop owes to chats."""
    env: Environment = request.app.state.board_templates
    page = await asyncio.to_thread(env.get_template(template).render, user=user, **values)
    return HTMLResponse(page)


def _check_csrf(user: SignedIn, csrf: str) -> None:
    if not hmac.compare_digest(user.csrf_token.encode(), csrf.encode()):
        raise NotVisible("the form's CSRF token does not match")


def _evaluation_id(evaluation_id: str) -> str:
    """An id of the shape ids have; anything else is simply not found."""
    if not re.fullmatch(EVALUATION_ID, evaluation_id):
        raise NotVisible(evaluation_id)
    return evaluation_id


def _query(request: Request) -> dict[str, str]:
    """The query, without the fields a form left empty (they mean "any")."""
    return {k: v for k, v in request.query_params.items() if v != ""}


# -- signing in ---------------------------------------------------------------------------------


def _login_page(request: Request, next: str, status: int = 200, **message: Any) -> HTMLResponse:
    cookie = request.app.state.board_auth.login_token()
    page = _page(request, "login.html", None, status, next=next, **message)
    secure = str(request.app.state.settings.public_url).startswith("https://")
    page.set_cookie(
        LOGIN_COOKIE, cookie, max_age=3600, httponly=True, samesite="strict", secure=secure, path="/board"
    )
    return page


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/board") -> HTMLResponse:
    return _login_page(request, next)


def _same_origin(request: Request) -> bool:
    """A browser says where a form came from (``Origin``); when it does, it must be this site."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # the SameSite=Strict sign-in cookie is the check then
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/login", response_model=None)
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/board",
) -> Response:
    auth = request.app.state.board_auth
    if not auth.login_token_ok(request.cookies.get(LOGIN_COOKIE)) or not _same_origin(request):
        return _login_page(request, next, 400, expired=True)  # not our own sign-in form: a forged sign-in
    try:
        cookie, _ = await auth.sign_in(email, password, _client(request))
    except SignInRefused:
        return _login_page(request, next, 401, failed=True)
    except RateLimited as limited:
        minutes = max(1, round(limited.retry_after / 60))
        page = _login_page(request, next, 429, wait_minutes=minutes)
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    target = next if next.startswith("/board") and "//" not in next and "\\" not in next else "/board"
    response = RedirectResponse(target, status_code=303)
    secure = str(request.app.state.settings.public_url).startswith("https://")
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/board")
    return response


@router.post("/logout")
async def logout(request: Request, user: User, csrf: Annotated[str, Form()]) -> RedirectResponse:
    _check_csrf(user, csrf)
    await request.app.state.board_auth.sign_out(request.cookies.get(COOKIE))
    response = RedirectResponse("/board/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -- the queue ----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse, response_model=None)
async def queue_page(request: Request, user: User, board: Board) -> Response:
    if user.is_translator:
        return RedirectResponse("/board/translations", status_code=303)  # nothing else is theirs
    raw = _query(request)
    organisations = await board.organisations() if user.is_board else []
    try:
        query = QueueQuery.model_validate(raw)
        page = await board.queue(user, query.filters(), decode_cursor(query.cursor), query.limit)
    except (ValidationError, ValueError) as error:
        found = problems(error) if isinstance(error, ValidationError) else [str(error)]
        return _page(
            request,
            "queue.html",
            user,
            400,
            rows=[],
            query=QueueQuery(),
            raw=raw,
            problems=found,
            organisations=organisations,
            next_url=None,
            result=None,
        )
    more = encode_cursor(page.next)
    next_url = f"/board?{urlencode({**raw, 'cursor': more})}" if more else None
    return _page(
        request,
        "queue.html",
        user,
        rows=page.rows,
        query=query,
        raw=raw,
        problems=[],
        organisations=organisations,
        next_url=next_url,
        result=_pull_result(raw),
    )


def _pull_result(raw: dict[str, str]) -> dict[str, int] | None:
    keys = ("pulled", "already", "gone")
    if not any(k in raw for k in keys):
        return None
    return {k: int(raw[k]) if raw.get(k, "").isascii() and raw.get(k, "").isdigit() else 0 for k in keys}


@router.post("/pull")
async def pull(
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    evaluation: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    """Pull the submissions that were on the page, and say which changed since it was shown."""
    _check_csrf(user, csrf)
    result = await board.pull(user, (evaluation or [])[:500])
    counts = {"pulled": len(result.pulled), "already": len(result.already), "gone": len(result.gone)}
    return RedirectResponse(f"/board?status=pulled&{urlencode(counts)}", status_code=303)


# -- one evaluation -----------------------------------------------------------------------------


@router.get("/evaluations/{evaluation_id}", response_class=HTMLResponse)
async def evaluation_page(request: Request, evaluation_id: str, user: User, board: Board) -> HTMLResponse:
    view = await board.evaluation(user, _evaluation_id(evaluation_id))
    return _page(request, "evaluation.html", user, view=view, content=board.engine.content, **board.labels())


@router.get("/evaluations/{evaluation_id}/plan", response_class=HTMLResponse)
async def evaluation_plan(evaluation_id: str, user: User, board: Board) -> HTMLResponse:
    return HTMLResponse(await board.plan_html(user, _evaluation_id(evaluation_id)))


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


def transcript_csv(entries: Any) -> bytes:
    """The transcript as CSV: UTF-8 with a byte order mark (Excel then shows every script)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "direction", "channel", "language", "step", "text"])
    for row in transcript_json(entries):
        writer.writerow([guard(str(v)) for v in row.values()])
    return out.getvalue().encode("utf-8-sig")


@router.get("/evaluations/{evaluation_id}/transcript.json")
async def evaluation_transcript_json(evaluation_id: str, user: User, board: Board) -> Response:
    view = await board.whole_evaluation(user, _evaluation_id(evaluation_id), "transcript json")
    return Response(
        json.dumps(transcript_json(view.transcript), ensure_ascii=False), media_type="application/json"
    )


@router.get("/evaluations/{evaluation_id}/transcript.csv")
async def evaluation_transcript_csv(evaluation_id: str, user: User, board: Board) -> Response:
    view = await board.whole_evaluation(user, _evaluation_id(evaluation_id), "transcript csv")
    headers = {"Content-Disposition": f'attachment; filename="transcript-{quote(evaluation_id)}.csv"'}
    return Response(transcript_csv(view.transcript), media_type=CSV, headers=headers)


# -- exports, collation and the report ----------------------------------------------------------


def _bad_request(request: Request, user: SignedIn, error: ValidationError) -> HTMLResponse:
    return _page(request, "problem.html", user, 400, problems=problems(error))


@router.get("/export", response_model=None)
async def export(request: Request, user: User, board: Board) -> Response:
    try:
        query = ExportQuery.model_validate({"format": "csv", **_query(request)})
    except ValidationError as error:
        return _bad_request(request, user, error)
    name = f"icf-evaluations-{query.year or 'all'}"
    body = await board.export_file(user, query.year, query.format)  # streamed as it is written
    if query.format == "json":
        return StreamingResponse(body, media_type="application/json")
    kind = XLSX if query.format == "xlsx" else CSV
    headers = {"Content-Disposition": f'attachment; filename="{name}.{query.format}"'}
    return StreamingResponse(body, media_type=kind, headers=headers)


async def _year(board: BoardService, user: SignedIn, year: int | None) -> tuple[int, list[int]]:
    years = await board.years(user)
    chosen = year or (years[-1] if years else board.clock().year)
    return chosen, sorted(set(years) | {chosen})


async def _collation_values(request: Request, user: SignedIn, board: BoardService) -> dict[str, Any]:
    query = YearQuery.model_validate(_query(request))
    chosen, years = await _year(board, user, query.year)
    collation = await board.collation(user, chosen)
    shown = [story.reference for story in collation.celebrate[:STORIES_SHOWN]]
    return {
        "c": collation,
        "english": await board.story_versions(user, shown),
        "years": years,
        "charts": charts,
        "kinds": KINDS,
        "needs_shown": OTHER_NEEDS_SHOWN,
        **board.labels(),
    }


STORIES_SHOWN = 20  # the collation page shows this many stories to celebrate, the report fewer


@router.get("/collation", response_class=HTMLResponse)
async def collation_page(request: Request, user: User, board: Board) -> HTMLResponse:
    try:
        values = await _collation_values(request, user, board)
    except ValidationError as error:
        return _bad_request(request, user, error)
    return await _large_page(request, "collation.html", user, **values)


@router.get("/report", response_class=HTMLResponse)
async def report_page(request: Request, user: User, board: Board) -> HTMLResponse:
    try:
        values = await _collation_values(request, user, board)
    except ValidationError as error:
        return _bad_request(request, user, error)
    c = values["c"]
    means = {approach: stats.mean for approach, stats in c.partnership.items()}
    workshops: list[Any] = []
    if user.is_board:
        workshops, _ = await board.workshops(user, c.year)
    themes = {**values["support"], FOUNDATIONS: FOUNDATIONS_LABEL}
    return await _large_page(
        request, "report.html", user, means=means, workshops=workshops, themes=themes, **values
    )


# -- roll-ups -----------------------------------------------------------------------------------


@router.get("/rollup", response_class=HTMLResponse)
async def rollup_page(request: Request, user: User, board: Board) -> HTMLResponse:
    raw = _query(request)
    try:
        query = YearQuery.model_validate(raw)
    except ValidationError as error:
        return _bad_request(request, user, error)
    year = query.year or board.clock().year
    return _page(
        request,
        "rollup.html",
        user,
        year=year,
        rows=await board.lead_inbox(user, year),
        live=await board.live_rollup(user, year),
        done=plain(raw.get("done", ""))[:40],
        replaced=plain(raw.get("replaced", ""))[:40],
        error=plain(raw.get("error", ""))[:200],
    )


@router.post("/rollup")
async def rollup(
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    year: Annotated[int, Form(ge=2000, le=2100)],
    evaluation: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    _check_csrf(user, csrf)
    try:
        done = await board.roll_up(user, year, (evaluation or [])[:500], note)
    except BadInput as error:
        return RedirectResponse(
            f"/board/rollup?{urlencode({'year': year, 'error': str(error)})}", status_code=303
        )
    values = {"year": year, "done": done.reference, **({"replaced": done.replaced} if done.replaced else {})}
    return RedirectResponse(f"/board/rollup?{urlencode(values)}", status_code=303)


# -- organisations ------------------------------------------------------------------------------


@router.get("/organisations", response_class=HTMLResponse)
async def organisations_page(request: Request, user: User, board: Board) -> HTMLResponse:
    checks = await board.organisations_to_check(user)
    raw = _query(request)
    return _page(
        request,
        "organisations.html",
        user,
        listed=await board.organisations(),
        checks=checks,
        done=plain(raw.get("done", ""))[:200],
        error=plain(raw.get("error", ""))[:200],
    )


def _id(value: str) -> int:
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
        raise BadInput("no such organisation")
    return int(value)


@router.post("/organisations")
async def change_organisations(
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    action: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=400)] = "",
    organisation: Annotated[str, Form(max_length=20)] = "",
    into: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    _check_csrf(user, csrf)
    try:
        if action == "add":
            await board.change_organisations(user, "add", name=name)
        elif action == "rename":
            await board.change_organisations(user, "rename", organisation_id=_id(organisation), name=name)
        elif action == "accept":
            await board.change_organisations(
                user, "accept", organisation_id=_id(organisation), name=name.strip() or None
            )
        elif action == "merge":
            await board.change_organisations(user, "merge", source_id=_id(organisation), target_id=_id(into))
        else:
            raise BadInput("unknown action")
    except BadInput as error:
        return RedirectResponse(f"/board/organisations?{urlencode({'error': str(error)})}", status_code=303)
    return RedirectResponse(f"/board/organisations?{urlencode({'done': action})}", status_code=303)


# -- the workshop planner ----------------------------------------------------------------------

WORKSHOP_COLUMNS = (
    ("Year", 6),
    ("Approach", 15),
    ("Theme", 32),
    ("Evaluations asking", 10),
    ("Organisations asking", 60),
    ("Commissioned on", 14),
)


async def _workshops(request: Request, user: SignedIn, board: BoardService) -> dict[str, Any]:
    query = YearQuery.model_validate(_query(request))
    chosen, years = await _year(board, user, query.year)
    proposals, first_year = await board.workshops(user, chosen)
    labels = board.labels()
    themes = {**labels["support"], FOUNDATIONS: FOUNDATIONS_LABEL}
    return {
        "year": chosen,
        "years": years,
        "proposals": proposals,
        "first_year": first_year,
        "themes": themes,
        **labels,
    }


FOUNDATIONS_LABEL = "Foundations of the approach"


def _workshop_rows(values: dict[str, Any]) -> list[tuple[Any, ...]]:
    names, themes = values["names"], values["themes"]
    return [
        (
            values["year"],
            names.get(p.approach_id, p.approach_id),
            themes.get(p.theme, p.theme),
            p.evaluations,
            "; ".join(plain(o) for o in p.organisations),
            p.commissioned_on,
        )
        for p in values["proposals"]
    ]


@router.get("/workshops", response_class=HTMLResponse)
async def workshops_page(request: Request, user: User, board: Board) -> HTMLResponse:
    try:
        values = await _workshops(request, user, board)
    except ValidationError as error:
        return _bad_request(request, user, error)
    reason = plain(request.query_params.get("error", ""))[:200]
    return _page(request, "workshops.html", user, error=reason, **values)


@router.get("/workshops.csv")
async def workshops_csv(request: Request, user: User, board: Board) -> Response:
    try:
        values = await _workshops(request, user, board)
    except ValidationError as error:
        return _bad_request(request, user, error)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in WORKSHOP_COLUMNS])
    for row in _workshop_rows(values):
        writer.writerow(["" if v is None else guard(v) if isinstance(v, str) else v for v in row])
    headers = {"Content-Disposition": f'attachment; filename="icf-workshops-{values["year"]}.csv"'}
    return Response(out.getvalue().encode("utf-8-sig"), media_type=CSV, headers=headers)


@router.get("/workshops.xlsx")
async def workshops_xlsx(request: Request, user: User, board: Board) -> Response:
    try:
        values = await _workshops(request, user, board)
    except ValidationError as error:
        return _bad_request(request, user, error)
    data = await asyncio.to_thread(
        write_xlsx, list(WORKSHOP_COLUMNS), _workshop_rows(values), sheet="Workshops", prepare=guard
    )
    headers = {"Content-Disposition": f'attachment; filename="icf-workshops-{values["year"]}.xlsx"'}
    return Response(data, media_type=XLSX, headers=headers)


@router.post("/workshops")
async def commission_workshop(
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    year: Annotated[int, Form(ge=2000, le=2100)],
    approach: Annotated[str, Form(max_length=32)],
    theme: Annotated[str, Form(max_length=32)],
    on: Annotated[str, Form(max_length=10)] = "",
    clear: Annotated[str, Form(max_length=1)] = "",
) -> RedirectResponse:
    _check_csrf(user, csrf)
    try:
        day = None if clear or not on else date.fromisoformat(on)
        await board.commission(user, year, approach, theme, day)
    except ValueError as error:  # BadInput, or a date that is not one
        reason = str(error) if isinstance(error, BadInput) else "not a date"
        return RedirectResponse(
            f"/board/workshops?{urlencode({'year': year, 'error': reason})}", status_code=303
        )
    return RedirectResponse(f"/board/workshops?year={year}", status_code=303)


# -- English versions ---------------------------------------------------------------------------

TRANSLATIONS_SHOWN = 50  # answers on the translators' page at once (the longest waiting first)


async def _translations_page(
    request: Request, user: SignedIn, board: BoardService, status: int = 200, **values: Any
) -> HTMLResponse:
    queue = await board.translation_queue(user)
    shown = queue.items[:TRANSLATIONS_SHOWN]
    typed: dict[tuple[str, str, str], str] = values.pop("typed", {})
    boxes = {(i.evaluation_id, i.approach_id, i.field) for i in shown}
    return _page(
        request,
        "translations.html",
        user,
        status,
        queue=queue,
        shown=shown,
        fields=FIELD_LABELS,
        max_text=MAX_TEXT,
        typed=typed,
        aside=[text for key, text in typed.items() if key not in boxes],  # its box has gone: shown here
        **board.labels(),
        **{"error": "", "done": False, **values},
    )


@router.get("/translations", response_class=HTMLResponse)
async def translations_page(request: Request, user: User, board: Board) -> HTMLResponse:
    return await _translations_page(request, user, board, done="done" in request.query_params)


@router.post("/translations", response_model=None)
async def translate(
    request: Request,
    user: User,
    board: Board,
    csrf: Annotated[str, Form()],
    evaluation: Annotated[str, Form(max_length=32)],
    approach: Annotated[str, Form(max_length=32)],
    field: Annotated[str, Form(max_length=32)],
    english: Annotated[str, Form(max_length=2 * MAX_TEXT)],
) -> Response:
    """A translator's English for one answer: kept beside the original; the page again on a problem,
    with what they wrote still in the box."""
    _check_csrf(user, csrf)
    try:
        await board.translate(user, _evaluation_id(evaluation), approach, field, english)
    except EnglishRefused as error:
        status = 409 if isinstance(error, AlreadyInEnglish) else 400
        typed = {(evaluation, approach, field): english}
        return await _translations_page(request, user, board, status, error=error.code, typed=typed)
    return RedirectResponse("/board/translations?done=1", status_code=303)


# -- the audit log ------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, user: User, board: Board) -> HTMLResponse:
    return _page(request, "audit.html", user, entries=await board.audit_log(user))
