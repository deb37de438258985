"""Polling: fetch updates with getUpdates, store them in the inbox, and only then confirm them.

Telegram forgets an update once a later getUpdates asks from past it (the ``offset``). Storing a
batch before asking for the next one means an update it forgot is always in our inbox: a process
killed in between finds the batch again (Telegram sends it again; the inbox drops the repeats).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import TelegramError

from bot.channels.delivery import backoff
from bot.channels.lanes import LaneWorker
from bot.telegram.app import ALLOWED_UPDATES, POLL_SECONDS, TelegramBot
from bot.telegram.channel import arrived
from storage import inbox, transaction, utcnow

__all__ = ["poll_updates"]

log = logging.getLogger(__name__)


async def poll_updates(bot: TelegramBot, db: AsyncEngine, worker: LaneWorker) -> None:
    """Until cancelled: fetch, store, wake the lanes, then ask for what comes after."""
    offset: int | None = None
    failures = 0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES
            )
        except TelegramError as error:
            failures += 1
            log.warning("telegram polling: getUpdates failed (%s); trying again", error)
            await asyncio.sleep(backoff(failures))
            continue
        failures = 0
        if not updates:
            continue
        messages = [found for found in (arrived(update.to_dict()) for update in updates) if found is not None]
        try:
            async with transaction(db) as connection:
                await inbox.store(connection, messages, utcnow())
        except Exception:  # not stored, so not confirmed: the same batch comes again
            failures += 1
            log.exception("telegram polling: storing updates failed; fetching them again")
            await asyncio.sleep(backoff(failures))
            continue
        worker.wake()
        offset = updates[-1].update_id + 1  # the next call confirms this batch: it is stored
