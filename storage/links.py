"""Channel links: which evaluation a chat on a messenger (a Telegram chat) is talking to.

A chat talks to one conversation at a time, and a conversation answers one chat: carrying it on
somewhere else (a resume code) detaches every other chat. A detached link is kept, so the chat can
be told why, in the conversation's language, and starts nothing until it starts anew or resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import ChannelLink

__all__ = ["Link", "detach_others", "link_of", "linked_evaluation", "set_link"]

LINKS = cast(Table, ChannelLink.__table__)
# b_ names: a bound parameter may not share a column's name in an UPDATE.
_THIS_CHAT = (LINKS.c.channel == bindparam("b_channel")) & (LINKS.c.external_id == bindparam("b_external_id"))
_LINK = select(LINKS.c.evaluation_id, LINKS.c.detached_at).where(_THIS_CHAT)


@dataclass(frozen=True, slots=True)
class Link:
    evaluation_id: str
    detached: bool


async def link_of(connection: AsyncConnection, channel: str, external_id: str) -> Link | None:
    """The chat's link, live or detached; None for a chat that never started."""
    row = (await connection.execute(_LINK, {"b_channel": channel, "b_external_id": external_id})).first()
    return None if row is None else Link(str(row[0]), row[1] is not None)


async def linked_evaluation(connection: AsyncConnection, channel: str, external_id: str) -> str | None:
    """The conversation the chat answers now; None when it has none or was detached."""
    link = await link_of(connection, channel, external_id)
    return link.evaluation_id if link is not None and not link.detached else None


async def set_link(
    connection: AsyncConnection, channel: str, external_id: str, evaluation_id: str, now: datetime
) -> None:
    """The chat answers this conversation from now on (whatever it answered before)."""
    chat = {"b_channel": channel, "b_external_id": external_id}
    moved = await connection.execute(
        update(LINKS).where(_THIS_CHAT).values(evaluation_id=evaluation_id, updated_at=now, detached_at=None),
        chat,
    )
    if moved.rowcount == 0:
        await connection.execute(
            insert(LINKS).values(
                channel=channel, external_id=external_id, evaluation_id=evaluation_id, updated_at=now
            )
        )


async def detach_others(
    connection: AsyncConnection,
    evaluation_id: str,
    keep: tuple[str, str] | None,
    now: datetime,
) -> list[tuple[str, str]]:
    """Every live link of the conversation but ``keep`` (channel, chat) is detached; returns them."""
    live = await connection.execute(
        select(LINKS.c.channel, LINKS.c.external_id).where(
            LINKS.c.evaluation_id == evaluation_id, LINKS.c.detached_at.is_(None)
        )
    )
    others = [(str(channel), str(chat)) for channel, chat in live if (channel, chat) != keep]
    for channel, chat in others:
        await connection.execute(
            update(LINKS).where(_THIS_CHAT).values(detached_at=now, updated_at=now),
            {"b_channel": channel, "b_external_id": chat},
        )
    return others
