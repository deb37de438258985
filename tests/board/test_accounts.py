"""Board accounts people can trust: slowed guessing, no forged sign-in, tokens that end, accounts that
can be switched off, and nothing kept in a browser's cache."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.conftest import Clock

from .helpers import PASSWORD, add_user, browser, list_organisations, send_activity_check, sign_in, signed_in

BOARD = "board@kirklees.example"


async def test_sign_in_sets_a_safe_cookie_and_wrong_passwords_fail(app: FastAPI) -> None:
    await add_user(app, BOARD)
    async with browser(app) as person:
        wrong = await sign_in(person, BOARD, "not the password")
        unknown = await sign_in(person, "who@example.org")
        assert wrong.status_code == unknown.status_code == 401 and "do not match" in wrong.text
        good = await sign_in(person, BOARD.upper())
        cookie = good.headers["set-cookie"].lower()
        assert good.status_code == 303 and "httponly" in cookie and "samesite=strict" in cookie
        assert "max-age=28800" in cookie
        await person.get("/board/login")
        off_site = await person.post(
            "/board/login", data={"email": BOARD, "password": PASSWORD, "next": "https://evil.example"}
        )
        assert off_site.headers["location"] == "/board"


async def test_guessing_is_slowed_per_address_and_per_account(app: FastAPI) -> None:
    await add_user(app, BOARD)
    await add_user(app, "other@kirklees.example")
    async with browser(app) as guesser:
        answers = [(await sign_in(guesser, BOARD, f"guess number {n}")).status_code for n in range(7)]
        assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]  # five wrong a minute per account
        refused = await sign_in(guesser, BOARD)  # even the right password waits now
        assert refused.status_code == 429 and "Please wait 1 minute" in refused.text
        assert int(refused.headers["retry-after"]) > 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 1234)), base_url="http://testserver"
    ) as elsewhere:
        assert (await sign_in(elsewhere, BOARD)).status_code == 429  # the account is held, from anywhere
        assert (await sign_in(elsewhere, "other@kirklees.example")).status_code == 303
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 1234)), base_url="http://testserver"
    ) as spray:  # many accounts from one address: held per address too
        tries = [(await sign_in(spray, f"user{n}@example.org", "guess")).status_code for n in range(12)]
        assert tries.count(401) == 10 and tries[-1] == 429


async def test_a_forged_sign_in_form_from_another_site_is_refused(app: FastAPI) -> None:
    await add_user(app, "attacker@kirklees.example")
    async with browser(app) as victim:  # never opened our sign-in page: a cross-site form posts blind
        forged = await victim.post(
            "/board/login", data={"email": "attacker@kirklees.example", "password": PASSWORD}
        )
        assert forged.status_code == 400 and "icf_board=" not in forged.headers.get("set-cookie", "")
        await victim.get("/board/login")
        other_site = await victim.post(
            "/board/login",
            data={"email": "attacker@kirklees.example", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert other_site.status_code == 400 and "out of date" in other_site.text
        assert (await victim.get("/board")).status_code == 303  # still not signed in as anyone


async def test_api_tokens_expire_and_can_be_revoked(
    client: httpx.AsyncClient, app: FastAPI, clock: Clock
) -> None:
    await add_user(app, BOARD)
    short = await app.state.board_auth.new_api_token(BOARD, "nightly", days=1)
    kept = await app.state.board_auth.new_api_token(BOARD, "weekly", days=30)
    for token in (short, kept):
        assert (await client.get("/api/board/submissions", headers=_bearer(token))).status_code == 200
    clock.advance(days=2)
    expired = await client.get("/api/board/submissions", headers=_bearer(short))
    assert expired.status_code == 401 and expired.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/api/board/submissions", headers=_bearer(kept))).status_code == 200
    assert await app.state.board_auth.revoke_tokens(BOARD) == 2
    assert (await client.get("/api/board/submissions", headers=_bearer(kept))).status_code == 401


async def test_disabling_an_account_ends_its_sessions_and_tokens(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await add_user(app, BOARD)
    person = await signed_in(app, BOARD)
    token = await app.state.board_auth.new_api_token(BOARD, "script")
    assert (await person.get("/board")).status_code == 200
    await app.state.board_auth.disable(BOARD)
    assert (await person.get("/board")).status_code == 303
    assert (await client.get("/api/board/submissions", headers=_bearer(token))).status_code == 401
    assert (await sign_in(person, BOARD)).status_code == 401
    await app.state.board_auth.enable(BOARD)
    assert (await sign_in(person, BOARD)).status_code == 303
    assert (await client.get("/api/board/submissions", headers=_bearer(token))).status_code == 401
    await person.aclose()


async def test_nothing_under_the_board_is_cached(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, "Locala")
    evaluation = await send_activity_check(client, "Locala", "A story.")
    await add_user(app, BOARD)
    person = await signed_in(app, BOARD)
    token = _bearer(await app.state.board_auth.new_api_token(BOARD, "t"))
    for path in [
        "/board",
        "/board/login",
        f"/board/evaluations/{evaluation}",
        f"/board/evaluations/{evaluation}/transcript.csv",
        "/board/export?format=xlsx",
        "/board/collation",
        "/board/evaluations/nothing-here",
        "/board/no-such-page",
    ]:
        assert (await person.get(path)).headers.get("cache-control") == "no-store", path
    for path in ["/api/board/submissions", "/api/board/export?format=csv", "/api/board/collation?year=1"]:
        assert (await client.get(path, headers=token)).headers.get("cache-control") == "no-store", path
    assert (await client.get("/api/board/submissions")).headers.get("cache-control") == "no-store"
    assert (await client.get("/")).headers.get("cache-control") != "no-store"  # the chat is not the board
    await person.aclose()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
