"""Applies the Telegram inbox: one chat at a time, each chat's updates in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Update

from bot.telegram.channel import TelegramChannel
from storage import inbox, utcnow

__all__ = ["InboxWorker"]

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 1.0  # also picks up work left by a process that stopped


class InboxWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: TelegramChannel,
        bot: Bot,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.channel = channel
        self.bot = bot
        self.clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self.drain()
            except Exception:  # keep serving: the update stays in the inbox and is tried again
                log.exception("telegram inbox: a round failed")
            try:
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()

    async def drain(self) -> int:
        """Apply everything waiting; returns how many updates were applied."""
        applied = 0
        while True:
            async with self.sessions.begin() as session:
                batch = [
                    (row.update_id, row.attempts, row.payload)
                    for row in await inbox.claim_chat(session, self.clock())
                ]
            if not batch:
                return applied
            applied += await self._apply_batch(batch)

    async def _apply_batch(self, batch: list[tuple[int, int, dict[str, object]]]) -> int:
        for index, (update_id, attempts, payload) in enumerate(batch):
            try:
                await self.channel.handle(Update.de_json(payload, self.bot), self.bot)
            except Exception:
                log.exception("telegram inbox: update %s failed (attempt %s)", update_id, attempts)
                async with self.sessions.begin() as session:
                    later = [later_id for later_id, _, _ in batch[index + 1 :]]
                    await inbox.mark_failed(session, update_id, attempts, later, self.clock())
                return index
            async with self.sessions.begin() as session:
                await inbox.mark_processed(session, update_id, self.clock())
        return len(batch)
