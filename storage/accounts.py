"""Board accounts: users, signed-in sessions and API tokens (only hashes of secrets are kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, BoardSession, BoardUser

__all__ = [
    "add_token",
    "add_user",
    "end_session",
    "start_session",
    "user_by_email",
    "user_by_session",
    "user_by_token",
]


async def add_user(
    session: AsyncSession,
    email: str,
    password_hash: str,
    role: str,
    organisation_id: int | None,
    now: datetime,
) -> BoardUser:
    user = BoardUser(
        email=email.strip().lower(),
        password_hash=password_hash,
        role=role,
        organisation_id=organisation_id,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def user_by_email(session: AsyncSession, email: str) -> BoardUser | None:
    query = select(BoardUser).where(func.lower(BoardUser.email) == email.strip().lower())
    return (await session.execute(query)).scalar_one_or_none()


async def start_session(
    session: AsyncSession,
    user: BoardUser,
    token_hash: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await session.execute(delete(BoardSession).where(BoardSession.expires_at <= now))  # tidy as we go
    session.add(
        BoardSession(
            token_hash=token_hash,
            user_id=user.id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )
    user.last_seen_at = now


async def user_by_session(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[BoardUser, BoardSession] | None:
    query = (
        select(BoardUser, BoardSession)
        .join(BoardSession, BoardSession.user_id == BoardUser.id)
        .where(BoardSession.token_hash == token_hash, BoardSession.expires_at > now)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def end_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(BoardSession).where(BoardSession.token_hash == token_hash))


async def add_token(
    session: AsyncSession, user: BoardUser, name: str, token_hash: str, now: datetime
) -> ApiToken:
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash, created_at=now)
    session.add(token)
    return token


async def user_by_token(session: AsyncSession, token_hash: str, now: datetime) -> BoardUser | None:
    query = select(BoardUser, ApiToken).join(ApiToken, ApiToken.user_id == BoardUser.id)
    row = (await session.execute(query.where(ApiToken.token_hash == token_hash))).first()
    if row is None:
        return None
    row[1].last_used_at = now
    user: BoardUser = row[0]
    return user
