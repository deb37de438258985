"""Board sign-in: Argon2 passwords, session cookies with CSRF tokens, and API tokens for scripts.

Argon2 takes tens of milliseconds of CPU on purpose, so it runs on a worker thread and never inside
a database transaction: the account is read in one short transaction, the password checked with
none open, and the session written in another (which checks the account is still enabled). Wrong
passwords are counted per address and per account, in this process's memory (``bot.throttle``);
over either limit, sign-in waits, even with the right password.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.throttle import RateLimited, TokenBuckets
from storage import accounts, hash_secret
from storage.access import Role, Viewer
from storage.models import BoardUser

__all__ = [
    "COOKIE",
    "LOGIN_COOKIE",
    "ROLES",
    "TOKEN_DAYS",
    "BoardAuth",
    "SignInRefused",
    "SignedIn",
]

ROLES = tuple(role.value for role in Role)
SESSION_HOURS = 8
TOKEN_DAYS = 90  # an API token works this long unless told otherwise (at most MAX_TOKEN_DAYS)
MAX_TOKEN_DAYS = 366
COOKIE = "icf_board"
LOGIN_COOKIE = "icf_board_login"  # set by the sign-in page: a sign-in without it came from elsewhere
FAILS_PER_ADDRESS = 10  # wrong passwords a minute from one address
FAILS_PER_ACCOUNT = 5  # wrong passwords a minute for one account, from anywhere
HASHING_NICENESS = 10  # a password's hashing gives way to the conversations whenever both want a core
T = TypeVar("T")


def _gives_way() -> None:
    """Each password thread runs at a lower priority (Linux keeps one per thread, and the four threads
    Argon2 starts for a hash inherit it): a hash keeps both cores busy for 0.1-0.2 s, which held up
    every conversation's turn and /healthz (the interference benchmark's case (c))."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


# Two hashes at a time at most, for the process: more guesses wait their turn rather than take the cores.
_HASHING = ThreadPoolExecutor(2, thread_name_prefix="password", initializer=_gives_way)


async def _hashing(work: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, work, *args)


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so a wrong email takes as long as a wrong password.
    Made on first use: hashing takes half a second, which every process start would otherwise pay."""
    return PasswordHasher().hash("not a real password")


@dataclass(frozen=True, slots=True)
class SignedIn:
    user_id: int
    email: str
    role: str
    organisation_id: int | None
    csrf_token: str = ""
    languages: tuple[str, ...] = ()  # a translator's

    @property
    def is_board(self) -> bool:
        return self.role == Role.BOARD

    @property
    def is_translator(self) -> bool:
        return self.role == Role.TRANSLATOR

    @property
    def viewer(self) -> Viewer:
        """What ``storage.access`` needs to know: the role and, for a lead, the organisation; for a
        translator, the languages."""
        return Viewer(self.role, self.organisation_id, self.languages)


class SignInRefused(Exception):
    """Wrong email or password (told apart by nothing)."""


def _signed_in(user: BoardUser, csrf_token: str = "") -> SignedIn:
    return SignedIn(
        user.id,
        user.email,
        user.role,
        user.organisation_id,
        csrf_token,
        accounts.languages_of(user.languages),
    )


def _account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()  # no address kept in memory


class BoardAuth:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        secret_key: bytes,
        clock: Callable[[], datetime],
        *,
        fails_per_address: int = FAILS_PER_ADDRESS,
        fails_per_account: int = FAILS_PER_ACCOUNT,
    ) -> None:
        self.sessions = sessions
        self.secret_key = secret_key
        self.clock = clock
        self.hasher = PasswordHasher()
        self.per_address = TokenBuckets(fails_per_address)
        self.per_account = TokenBuckets(fails_per_account)

    def hash_password(self, password: str) -> str:
        if len(password) < 12:
            raise ValueError("a password needs at least 12 characters")
        return self.hasher.hash(password)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- login CSRF ---------------------------------------------------------------------------

    def login_token(self) -> str:
        """The sign-in cookie's value: random, and signed, so only this server can have made it.

        The cookie is SameSite=Strict: a form on another site that posts to the sign-in gets no
        cookie with it, and is refused (login CSRF). The page itself stays the same for everyone.
        """
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._login_signature(nonce)}"

    def _login_signature(self, nonce: str) -> str:
        return hmac.new(self.secret_key, b"board login:" + nonce.encode(), hashlib.sha256).hexdigest()

    def login_token_ok(self, cookie: str | None) -> bool:
        nonce, _, signature = (cookie or "").partition(".")
        if not nonce or not signature:
            return False
        return hmac.compare_digest(self._login_signature(nonce).encode(), signature.encode())

    # -- signing in ---------------------------------------------------------------------------

    def _throttled(self, address: str, email: str) -> None:
        wait = max(self.per_address.wait(address), self.per_account.wait(_account_key(email)))
        if wait:
            raise RateLimited(wait)

    async def sign_in(self, email: str, password: str, address: str = "") -> tuple[str, SignedIn]:
        """A new session's cookie value. Raises SignInRefused, or RateLimited after too many wrong tries."""
        self._throttled(address, email)
        async with self.sessions() as session:
            user = await accounts.user_by_email(session, email)
            password_hash = user.password_hash if user and user.disabled_at is None else _dummy_hash()
            found = _signed_in(user) if user else None
        ok = await _hashing(self._check, password_hash, password)
        if not ok or found is None or password_hash is _dummy_hash():
            self.per_address.spend(address)
            self.per_account.spend(_account_key(email))
            raise SignInRefused(email)
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        async with self.sessions.begin() as session:
            started = await accounts.start_session(
                session,
                found.user_id,
                hash_secret(cookie, self.secret_key),
                csrf,
                now,
                now + timedelta(hours=SESSION_HOURS),
            )
        if not started:
            raise SignInRefused(email)  # disabled while the password was being checked
        return cookie, replace(found, csrf_token=csrf)

    async def from_cookie(self, cookie: str | None) -> SignedIn | None:
        if not cookie:
            return None
        async with self.sessions() as session:
            found = await accounts.user_by_session(
                session, hash_secret(cookie, self.secret_key), self.clock()
            )
        return _signed_in(found[0], found[1].csrf_token) if found else None

    async def from_api_token(self, token: str | None) -> SignedIn | None:
        if not token:
            return None
        async with self.sessions.begin() as session:
            user = await accounts.user_by_token(session, hash_secret(token, self.secret_key), self.clock())
        return _signed_in(user) if user else None

    async def sign_out(self, cookie: str | None) -> None:
        if cookie:
            async with self.sessions.begin() as session:
                await accounts.end_session(session, hash_secret(cookie, self.secret_key))

    # -- accounts and tokens (the command line) ---------------------------------------------------

    async def add_user(
        self,
        email: str,
        password: str,
        role: str,
        organisation_id: int | None,
        languages: Sequence[str] = (),
    ) -> None:
        """``languages``: the codes a translator reads (a translator needs one at least; nobody else
        has any), already checked against the languages the assistant speaks."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if role == Role.ORG_LEAD and organisation_id is None:
            raise ValueError("an organisation lead needs --organisation")
        if (role == Role.TRANSLATOR) != bool(languages):
            raise ValueError("a translator needs --languages (such as ur,pa), and only a translator has them")
        password_hash = await _hashing(self.hash_password, password)
        async with self.sessions.begin() as session:
            if await accounts.user_by_email(session, email) is not None:
                raise ValueError(f"{email} has an account already")
            await accounts.add_user(
                session, email, password_hash, role, organisation_id, self.clock(), languages
            )

    async def _user(self, session: AsyncSession, email: str) -> BoardUser:
        user = await accounts.user_by_email(session, email)
        if user is None:
            raise ValueError(f"no account for {email}")
        return user

    async def new_api_token(self, email: str, name: str, days: int = TOKEN_DAYS) -> str:
        """A token for scripts, working ``days`` days: shown once, here; only its hash is stored."""
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise ValueError(f"a token works from 1 to {MAX_TOKEN_DAYS} days")
        token = "icfb_" + secrets.token_urlsafe(32)
        now = self.clock()
        async with self.sessions.begin() as session:
            user = await self._user(session, email)
            if user.disabled_at is not None:
                raise ValueError(f"the account {email} is disabled")
            await accounts.add_token(
                session, user, name, hash_secret(token, self.secret_key), now, now + timedelta(days=days)
            )
        return token

    async def revoke_tokens(self, email: str, token_id: int | None = None) -> int:
        async with self.sessions.begin() as session:
            user = await self._user(session, email)
            return await accounts.revoke_token(session, user.id, token_id, self.clock())

    async def disable(self, email: str) -> None:
        async with self.sessions.begin() as session:
            user = await self._user(session, email)
            await accounts.disable_user(session, user.id, self.clock())

    async def enable(self, email: str) -> None:
        async with self.sessions.begin() as session:
            user = await self._user(session, email)
            await accounts.enable_user(session, user.id)

    async def want_digest(self, email: str, wanted: bool) -> None:
        async with self.sessions.begin() as session:
            user = await self._user(session, email)
            await accounts.set_digest(session, user.id, wanted)
