"""Workshops the board has commissioned: one row per year, approach and theme, with the date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Workshop

__all__ = ["commission", "commissioned", "uncommission"]


async def commissioned(session: AsyncSession, year: int) -> dict[tuple[str, str], date]:
    query = select(Workshop.approach_id, Workshop.theme, Workshop.commissioned_on).where(
        Workshop.year == year
    )
    return {(a, t): on for a, t, on in await session.execute(query)}


async def commission(
    session: AsyncSession, year: int, approach_id: str, theme: str, on: date, by: str, now: datetime
) -> None:
    """Mark the workshop commissioned on ``on`` (again: the new date replaces the old)."""
    await uncommission(session, year, approach_id, theme)
    session.add(
        Workshop(
            year=year,
            approach_id=approach_id,
            theme=theme,
            commissioned_on=on,
            noted_by=by[:254],
            noted_at=now,
        )
    )


async def uncommission(session: AsyncSession, year: int, approach_id: str, theme: str) -> None:
    await session.execute(
        delete(Workshop).where(
            Workshop.year == year, Workshop.approach_id == approach_id, Workshop.theme == theme
        )
    )
