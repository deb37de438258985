"""Channel links: which evaluation a chat on another channel (Telegram) is talking to."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import ChannelLink

__all__ = ["linked_evaluation", "set_link", "swap_keyboard"]

LINKS = cast(Table, ChannelLink.__table__)
# b_ names: a bound parameter may not share a column's name in an UPDATE.
_THIS_CHAT = (LINKS.c.channel == bindparam("b_channel")) & (LINKS.c.external_id == bindparam("b_external_id"))
_LINKED = select(LINKS.c.evaluation_id).where(_THIS_CHAT)
_KEYBOARD = select(LINKS.c.keyboard_message_id).where(_THIS_CHAT).with_for_update()


async def linked_evaluation(connection: AsyncConnection, channel: str, external_id: str) -> str | None:
    result = await connection.execute(_LINKED, {"b_channel": channel, "b_external_id": external_id})
    return result.scalar()


async def set_link(
    connection: AsyncConnection, channel: str, external_id: str, evaluation_id: str, now: datetime
) -> None:
    chat = {"b_channel": channel, "b_external_id": external_id}
    moved = await connection.execute(
        update(LINKS).where(_THIS_CHAT).values(evaluation_id=evaluation_id, updated_at=now), chat
    )
    if moved.rowcount == 0:
        await connection.execute(
            insert(LINKS).values(
                channel=channel, external_id=external_id, evaluation_id=evaluation_id, updated_at=now
            )
        )


async def swap_keyboard(
    connection: AsyncConnection, channel: str, external_id: str, message_id: int | None
) -> int | None:
    """Remember the message that now holds the live buttons; return the one that held them before."""
    chat = {"b_channel": channel, "b_external_id": external_id}
    previous = (await connection.execute(_KEYBOARD, chat)).first()
    if previous is None:
        return None
    await connection.execute(update(LINKS).where(_THIS_CHAT).values(keyboard_message_id=message_id), chat)
    return cast(int | None, previous[0])
