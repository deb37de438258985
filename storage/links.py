"""Channel links: which evaluation a chat on another channel (Telegram) is talking to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelLink

__all__ = ["linked_evaluation", "set_link", "swap_keyboard"]


async def linked_evaluation(session: AsyncSession, channel: str, external_id: str) -> str | None:
    query = select(ChannelLink.evaluation_id).where(
        ChannelLink.channel == channel, ChannelLink.external_id == external_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def set_link(
    session: AsyncSession, channel: str, external_id: str, evaluation_id: str, now: datetime
) -> None:
    link = await session.get(ChannelLink, (channel, external_id))
    if link is None:
        session.add(
            ChannelLink(channel=channel, external_id=external_id, evaluation_id=evaluation_id, updated_at=now)
        )
    else:
        link.evaluation_id = evaluation_id
        link.updated_at = now


async def swap_keyboard(
    session: AsyncSession, channel: str, external_id: str, message_id: int | None
) -> int | None:
    """Remember the message that now holds the live buttons; return the one that held them before."""
    link = await session.get(ChannelLink, (channel, external_id), with_for_update=True)
    if link is None:
        return None
    previous, link.keyboard_message_id = link.keyboard_message_id, message_id
    return previous
