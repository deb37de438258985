"""Board sign-in: Argon2 passwords, session cookies with CSRF tokens, and API tokens for scripts."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import accounts, hash_secret
from storage.models import BoardUser

__all__ = ["ROLES", "BoardAuth", "SignedIn"]

ROLES = ("board", "org-lead")
SESSION_HOURS = 8
COOKIE = "icf_board"


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

    @property
    def is_board(self) -> bool:
        return self.role == "board"

    def may_see(self, organisation_id: int | None) -> bool:
        """Board staff see every organisation; an organisation lead only their own."""
        return self.is_board or (organisation_id is not None and organisation_id == self.organisation_id)


def _signed_in(user: BoardUser, csrf_token: str = "") -> SignedIn:
    return SignedIn(user.id, user.email, user.role, user.organisation_id, csrf_token)


class BoardAuth:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], secret_key: bytes, clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.secret_key = secret_key
        self.clock = clock
        self.hasher = PasswordHasher()

    def hash_password(self, password: str) -> str:
        if len(password) < 12:
            raise ValueError("a password needs at least 12 characters")
        return self.hasher.hash(password)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def sign_in(self, email: str, password: str) -> tuple[str, SignedIn] | None:
        """A new session's cookie value, or None for a wrong email or password (told apart by nothing)."""
        async with self.sessions.begin() as session:
            user = await accounts.user_by_email(session, email)
            if not self._check(user.password_hash if user else _dummy_hash(), password) or user is None:
                return None
            cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            now = self.clock()
            expires = now + timedelta(hours=SESSION_HOURS)
            await accounts.start_session(
                session, user, hash_secret(cookie, self.secret_key), csrf, now, expires
            )
            return cookie, _signed_in(user, csrf)

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

    async def add_user(self, email: str, password: str, role: str, organisation_id: int | None) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if role == "org-lead" and organisation_id is None:
            raise ValueError("an organisation lead needs --organisation")
        password_hash = self.hash_password(password)
        async with self.sessions.begin() as session:
            if await accounts.user_by_email(session, email) is not None:
                raise ValueError(f"{email} has an account already")
            await accounts.add_user(session, email, password_hash, role, organisation_id, self.clock())

    async def new_api_token(self, email: str, name: str) -> str:
        """A token for scripts: shown once, here; only its hash is stored."""
        token = "icfb_" + secrets.token_urlsafe(32)
        async with self.sessions.begin() as session:
            user = await accounts.user_by_email(session, email)
            if user is None:
                raise ValueError(f"no account for {email}")
            await accounts.add_token(session, user, name, hash_secret(token, self.secret_key), self.clock())
        return token
