"""Board accounts: users, signed-in sessions and API tokens (only hashes of secrets are kept).

A disabled account has no sessions and no live tokens: disabling ends them in the same transaction,
and every lookup checks ``disabled_at`` as well, so nothing slips through between the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, BoardSession, BoardUser

__all__ = [
    "add_token",
    "add_user",
    "disable_user",
    "enable_user",
    "end_session",
    "languages_of",
    "listed_languages",
    "revoke_token",
    "set_digest",
    "start_session",
    "tokens_of",
    "user_by_email",
    "user_by_session",
    "user_by_token",
    "users",
]


def listed_languages(codes: Sequence[str]) -> str | None:
    """A translator's languages as ``board_users.languages`` keeps them ("ur,pa"): each once, in order."""
    return ",".join(dict.fromkeys(codes)) or None


def languages_of(listed: str | None) -> tuple[str, ...]:
    """The codes in a stored ``board_users.languages``."""
    return tuple(code for code in (listed or "").split(",") if code)


async def add_user(
    session: AsyncSession,
    email: str,
    password_hash: str,
    role: str,
    organisation_id: int | None,
    now: datetime,
    languages: Sequence[str] = (),
) -> BoardUser:
    user = BoardUser(
        email=email.strip().lower(),
        password_hash=password_hash,
        role=role,
        organisation_id=organisation_id,
        created_at=now,
        languages=listed_languages(languages),
    )
    session.add(user)
    await session.flush()
    return user


async def user_by_email(session: AsyncSession, email: str) -> BoardUser | None:
    query = select(BoardUser).where(func.lower(BoardUser.email) == email.strip().lower())
    return (await session.execute(query)).scalar_one_or_none()


async def users(session: AsyncSession) -> Sequence[BoardUser]:
    return (await session.execute(select(BoardUser).order_by(BoardUser.email))).scalars().all()


async def start_session(
    session: AsyncSession,
    user_id: int,
    token_hash: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """A new session for a user still enabled; False if the account was disabled meanwhile."""
    await session.execute(delete(BoardSession).where(BoardSession.expires_at <= now))  # tidy as we go
    touched = await session.execute(
        update(BoardUser)
        .where(BoardUser.id == user_id, BoardUser.disabled_at.is_(None))
        .values(last_seen_at=now)
    )
    if not touched.rowcount:  # type: ignore[attr-defined]
        return False
    session.add(
        BoardSession(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return True


async def user_by_session(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[BoardUser, BoardSession] | None:
    query = (
        select(BoardUser, BoardSession)
        .join(BoardSession, BoardSession.user_id == BoardUser.id)
        .where(
            BoardSession.token_hash == token_hash,
            BoardSession.expires_at > now,
            BoardUser.disabled_at.is_(None),
        )
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def end_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(BoardSession).where(BoardSession.token_hash == token_hash))


async def add_token(
    session: AsyncSession, user: BoardUser, name: str, token_hash: str, now: datetime, expires_at: datetime
) -> ApiToken:
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash, created_at=now, expires_at=expires_at)
    session.add(token)
    await session.flush()
    return token


async def user_by_token(session: AsyncSession, token_hash: str, now: datetime) -> BoardUser | None:
    """The token's user, if the token is neither expired nor revoked and the account is enabled."""
    query = (
        select(BoardUser, ApiToken)
        .join(ApiToken, ApiToken.user_id == BoardUser.id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.expires_at > now,
            ApiToken.revoked_at.is_(None),
            BoardUser.disabled_at.is_(None),
        )
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    row[1].last_used_at = now
    user: BoardUser = row[0]
    return user


async def tokens_of(session: AsyncSession, user_id: int) -> Sequence[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return (await session.execute(query)).scalars().all()


async def revoke_token(session: AsyncSession, user_id: int, token_id: int | None, now: datetime) -> int:
    """Revoke one of the user's tokens (by id), or all of them (None); returns how many."""
    query = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    result = await session.execute(query.values(revoked_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def disable_user(session: AsyncSession, user_id: int, now: datetime) -> None:
    """No more sign-in; every session ends and every token is revoked, now."""
    await session.execute(update(BoardUser).where(BoardUser.id == user_id).values(disabled_at=now))
    await session.execute(delete(BoardSession).where(BoardSession.user_id == user_id))
    await revoke_token(session, user_id, None, now)


async def enable_user(session: AsyncSession, user_id: int) -> None:
    """The account may sign in again; its old sessions and tokens stay ended."""
    await session.execute(update(BoardUser).where(BoardUser.id == user_id).values(disabled_at=None))


async def set_digest(session: AsyncSession, user_id: int, wanted: bool) -> None:
    await session.execute(update(BoardUser).where(BoardUser.id == user_id).values(digest=wanted))
