"""Every input answered, never a 500; the queue pages with a stable cursor; a pull takes what was shown."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache, partial
from itertools import product
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import SECRET, Clock

from .helpers import PASSWORD, add_user, browser, csrf_of, list_organisations, send_activity_check, signed_in

BOARD = "board@kirklees.example"
ODD = [
    "",
    "2026-06-01",
    "2026-06-01T00:00:00",
    "2026-06-01T00:00:00Z",
    "2026-06-01T00:00:00+05:30",
    "9999-12-31",
    "0001-01-01",
    "²",
    "2147483648",
    "-1",
    "0",
    "10000",
    "null",
    "%00",
    "'; drop table submissions; --",
    "\u202egnp.exe",
    "x" * 5000,
]
PAGES = [
    "/board",
    "/board/collation",
    "/board/report",
    "/board/export",
    "/board/rollup",
    "/board/workshops",
    "/board/workshops.csv",
    "/board/workshops.xlsx",
    "/board/organisations",
    "/board/audit",
]
FORMS = [
    "/board/pull",
    "/board/rollup",
    "/board/organisations",
    "/board/workshops",
    "/board/login",
]
FORM_FIELDS = [
    "csrf",
    "evaluation",
    "year",
    "note",
    "action",
    "name",
    "organisation",
    "into",
    "approach",
    "theme",
    "on",
    "clear",
]
PAGE_FIELDS = [
    "status",
    "scope",
    "organisation_id",
    "since",
    "until",
    "year",
    "format",
    "cursor",
    "limit",
    "check",
]
API = ["/api/board/submissions", "/api/board/export", "/api/board/collation"]


@pytest.fixture
async def people(app: FastAPI) -> dict[str, httpx.AsyncClient | dict[str, str]]:
    await list_organisations(app, "Locala")
    await add_user(app, BOARD)
    await add_user(app, "lead@locala.example", "org-lead", "Locala")
    token = await app.state.board_auth.new_api_token(BOARD, "t")
    return {
        "board": await signed_in(app, BOARD),
        "lead": await signed_in(app, "lead@locala.example"),
        "api": {"Authorization": f"Bearer {token}"},
    }


async def test_odd_filters_get_a_plain_answer_never_a_500(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, object]
) -> None:
    await send_activity_check(client, "Locala", "A story.")
    api = people["api"]
    assert isinstance(api, dict)
    for who in ("board", "lead"):
        person = people[who]
        assert isinstance(person, httpx.AsyncClient)
        for path, name, value in product(PAGES, PAGE_FIELDS, ODD):
            answer = await person.get(path, params={name: value})
            assert answer.status_code < 500, (who, path, name, value, answer.text[:200])
            if answer.status_code == 400:
                assert "Please check" in answer.text or "could not be used" in answer.text
    for path, name, value in product(API, PAGE_FIELDS, ODD):
        answer = await client.get(path, params={name: value}, headers=api)
        assert answer.status_code in (200, 422), (path, name, value, answer.text[:200])
        if answer.status_code == 422:
            assert answer.json()["error"] and answer.json()["message"]
    board = people["board"]
    assert isinstance(board, httpx.AsyncClient)
    csrf = csrf_of((await board.get("/board")).text)
    for path, value in product(FORMS, ODD):
        for fields in (FORM_FIELDS, FORM_FIELDS[:1], FORM_FIELDS[1:]):
            form = {name: value for name in fields}
            if "csrf" in form:
                form["csrf"] = csrf
            answer = await board.post(path, data=form)
            assert answer.status_code < 500, (path, value, fields, answer.text[:200])
        assert (await board.post(path, content=value.encode()[:2000])).status_code < 500, (path, value)
    assert (await board.get("/board")).status_code == 200  # still signed in, after all that
    for value in ODD:
        assert (await board.post("/board/logout", data={"csrf": value})).status_code < 500
    for value in ODD:
        for path in (f"/board/evaluations/{value}", f"/board/evaluations/{value}/transcript.csv"):
            answer = await people["board"].get(path)  # type: ignore[union-attr]
            assert answer.status_code in (404, 307, 308) or answer.status_code < 500, (
                path,
                answer.status_code,
            )
        answer = await client.get(f"/api/board/evaluations/{value}", headers=api)
        assert answer.status_code in (404, 422, 307), (value, answer.status_code)


async def test_dates_are_read_as_people_and_scripts_write_them(
    client: httpx.AsyncClient, app: FastAPI, clock: Clock, people: dict[str, object]
) -> None:
    sent = await send_activity_check(client, "Locala", "Sent on the 23rd.")  # 2026-11-23 09:00 UTC
    api = people["api"]
    assert isinstance(api, dict)
    expect = {
        "since=2026-11-23": [sent],
        "since=2026-11-23T09:00:00": [sent],  # naive is UTC
        "since=2026-11-23T09:30:00%2B01:00": [sent],  # 08:30 UTC
        "since=2026-11-23T09:00:01Z": [],
        "until=2026-11-23": [sent],  # a date alone: up to the end of that day
        "until=2026-11-22": [],
        "until=2026-11-23T09:00:00Z": [],  # before that moment
    }
    for query, ids in expect.items():
        answer = await client.get(f"/api/board/submissions?status=all&{query}", headers=api)
        assert [r["evaluation_id"] for r in answer.json()["submissions"]] == ids, query
    for query in (
        "since=2026-13-01",
        "until=9999-12-31",
        "year=0",
        "year=10000",
        "organisation_id=2147483648",
    ):
        path = "/api/board/collation" if query.startswith("year") else "/api/board/submissions"
        answer = await client.get(f"{path}?{query}", headers=api)
        assert answer.status_code == 422 and answer.json()["detail"], query
    page = await people["board"].get("/board?since=2026-13-01")  # type: ignore[union-attr]
    assert page.status_code == 400 and "Some filters could not be used" in page.text


async def test_a_wrong_method_says_which_are_allowed(
    client: httpx.AsyncClient, people: dict[str, object]
) -> None:
    for method, path, allowed in [
        ("DELETE", "/api/board/submissions", "GET"),
        ("PUT", "/api/board/submissions/pull", "POST"),
        ("POST", "/api/board/export", "GET"),
        ("PATCH", "/board/login", "GET, POST"),
    ]:
        answer = await client.request(method, path)
        assert answer.status_code == 405, (method, path)
        assert set(answer.headers["allow"].replace(" ", "").split(",")) >= set(
            allowed.replace(" ", "").split(",")
        )


async def test_the_queue_pages_with_a_stable_cursor(
    client: httpx.AsyncClient, app: FastAPI, clock: Clock, people: dict[str, object]
) -> None:
    api = people["api"]
    assert isinstance(api, dict)
    sent = []
    for n in range(5):
        sent.append(await send_activity_check(client, "Locala", f"Story {n}."))
        clock.advance(minutes=1)
    first = (await client.get("/api/board/submissions?limit=2", headers=api)).json()
    assert [r["evaluation_id"] for r in first["submissions"]] == [sent[4], sent[3]] and first["next"]
    newer = await send_activity_check(client, "Locala", "Arrived while paging.")  # comes before page 1
    second = (await client.get(f"/api/board/submissions?limit=2&cursor={first['next']}", headers=api)).json()
    assert [r["evaluation_id"] for r in second["submissions"]] == [sent[2], sent[1]]
    third = (await client.get(f"/api/board/submissions?limit=2&cursor={second['next']}", headers=api)).json()
    assert [r["evaluation_id"] for r in third["submissions"]] == [sent[0]] and third["next"] is None
    bad = await client.get("/api/board/submissions?cursor=not-a-cursor", headers=api)
    assert bad.status_code == 422 and "cursor" in str(bad.json()["detail"])
    board = people["board"]
    assert isinstance(board, httpx.AsyncClient)
    page = await board.get("/board?limit=2")
    assert 'rel="next"' in page.text and newer in page.text


async def test_a_pull_takes_only_what_was_shown_and_says_what_changed(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, object]
) -> None:
    api = people["api"]
    board = people["board"]
    assert isinstance(api, dict) and isinstance(board, httpx.AsyncClient)
    shown = [await send_activity_check(client, "Locala", f"Shown {n}.") for n in range(3)]
    page = await board.get("/board")
    unseen = await send_activity_check(client, "Locala", "Arrived after the page was shown.")
    await add_user(app, "colleague@kirklees.example")
    colleague = _bearer(await app.state.board_auth.new_api_token("colleague@kirklees.example", "t"))
    taken = await client.post(
        "/api/board/submissions/pull", json={"evaluation_ids": [shown[0]]}, headers=colleague
    )
    assert len(taken.json()["pulled"]) == 1
    pulled = await board.post("/board/pull", data={"csrf": csrf_of(page.text), "evaluation": shown})
    assert pulled.headers["location"] == "/board?status=pulled&pulled=2&already=1&gone=0"
    told = await board.get(pulled.headers["location"])
    assert "Pulled 2. Already pulled by someone before: 1. No longer there: 0." in told.text
    still_new = (await client.get("/api/board/submissions", headers=api)).json()["submissions"]
    assert [r["evaluation_id"] for r in still_new] == [unseen]  # never marked without being seen
    again = await client.post(
        "/api/board/submissions/pull", json={"evaluation_ids": [unseen, shown[1], "0" * 32]}, headers=api
    )
    body = again.json()
    assert len(body["pulled"]) == 1 and body["gone"] == ["0" * 32]
    assert [a["pulled_by"] for a in body["already_pulled"]] == [BOARD]
    lead = _bearer(await app.state.board_auth.new_api_token("lead@locala.example", "t"))
    assert (
        await client.post("/api/board/submissions/pull", json={"evaluation_ids": [unseen]}, headers=lead)
    ).status_code == 404
    for body in (
        {},
        {"evaluation_ids": []},
        {"evaluation_ids": ["../x"]},
        {"evaluation_ids": ["a"] * 501},
        [1],
    ):
        assert (await client.post("/api/board/submissions/pull", json=body, headers=api)).status_code == 422


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@cache
def _live() -> tuple[BlockingPortal, httpx.AsyncClient]:
    """The real app on a SQLite file, on an event loop of its own, signed in both ways (cookie, token)."""
    folder = Path(tempfile.mkdtemp(prefix="icf-board-queries-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    portal_running = start_blocking_portal()
    portal = portal_running.__enter__()
    atexit.register(portal_running.__exit__, None, None, None)
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{folder / 'icf.db'}", secret_key=SECRET))
    running = portal.wrap_async_context_manager(app.router.lifespan_context(app))
    running.__enter__()
    atexit.register(running.__exit__, None, None, None)

    async def signed_in_client() -> httpx.AsyncClient:
        await app.state.board_auth.add_user(BOARD, PASSWORD, "board", None)
        client = browser(app)
        await client.get("/board/login")
        await client.post("/board/login", data={"email": BOARD, "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {await app.state.board_auth.new_api_token(BOARD, 'q')}"
        return client

    return portal, portal.call(signed_in_client)


@settings(
    max_examples=80, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    path=st.sampled_from([*API, *PAGES]),
    query=st.dictionaries(st.sampled_from(PAGE_FIELDS), st.text(max_size=30), max_size=4),
)
def test_random_queries_never_fail(path: str, query: dict[str, str]) -> None:
    """Hypothesis over every filter of every board list: a page, a 400 page or a 422, never a 5xx."""
    portal, client = _live()
    answer = portal.call(partial(client.get, path, params=query))
    assert answer.status_code in (200, 400, 422), (path, query, answer.status_code, answer.text[:300])
