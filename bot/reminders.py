"""Reminders people asked for in a chat, sent by the serving process on their day.

Every serving process looks once an hour (and soon after it starts); claiming a reminder and queueing
its message happen in one transaction (storage/reminders.py), so each is sent once whoever looks, and
a restart in between loses none and doubles none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from bot.background import in_background
from bot.service import ChatService

__all__ = ["reminders_running"]

log = logging.getLogger(__name__)
EVERY = timedelta(hours=1)
FIRST_AFTER = timedelta(seconds=30)


@asynccontextmanager
async def reminders_running(
    service: ChatService, *, first_after: timedelta = FIRST_AFTER, every: timedelta = EVERY
) -> AsyncIterator[asyncio.Task[None]]:
    async def loop() -> None:
        await asyncio.sleep(first_after.total_seconds())
        while True:
            try:
                sent = await service.send_due_reminders()
                if sent:
                    log.info("reminders: %d queued", sent)
            except Exception:  # the next look tries again; serving goes on meanwhile
                log.exception("reminders: the pass failed")
            await asyncio.sleep(every.total_seconds())

    async with in_background(loop(), "reminders") as task:
        yield task
