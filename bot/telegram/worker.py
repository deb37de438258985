"""Applies the Telegram inbox: several chats at a time, each chat's updates in order."""

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
# Chats served at the same time (TELEGRAM_CONCURRENT_CHATS). Each update waits on Telegram for every
# message it sends (tens of milliseconds each), so one chat at a time serves only a few updates a second.
LANES = 16


class InboxWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: TelegramChannel,
        bot: Bot,
        clock: Callable[[], datetime] = utcnow,
        lanes: int = LANES,
    ) -> None:
        self.sessions = sessions
        self.channel = channel
        self.bot = bot
        self.clock = clock
        self.lanes = lanes
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Claim one chat's waiting updates at a time and apply them in a lane of its own.

        A chat whose updates are being applied cannot be claimed again until they are done
        (storage.inbox.claim_chat), so each chat's updates still go in order.
        """
        free = asyncio.Semaphore(self.lanes)
        lanes: set[asyncio.Task[None]] = set()
        try:
            while True:
                await free.acquire()
                self._wake.clear()  # before looking: an update stored while we look wakes us again
                batch = await self._claim()
                if batch:
                    lane = asyncio.create_task(self._serve(batch, free))
                    lanes.add(lane)
                    lane.add_done_callback(lanes.discard)
                    continue
                free.release()
                try:
                    await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
                except TimeoutError:
                    pass
        finally:
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    async def _claim(self) -> list[tuple[int, int, dict[str, object]]]:
        try:
            async with self.sessions.begin() as session:
                return [
                    (row.update_id, row.attempts, row.payload)
                    for row in await inbox.claim_chat(session, self.clock())
                ]
        except Exception:  # keep serving: whatever waits is claimed on a later round
            log.exception("telegram inbox: claiming failed")
            return []

    async def _serve(self, batch: list[tuple[int, int, dict[str, object]]], free: asyncio.Semaphore) -> None:
        try:
            await self._apply_batch(batch)
        except Exception:  # the updates stay in the inbox and are tried again after the claim times out
            log.exception("telegram inbox: a batch failed")
        finally:
            free.release()
            self.wake()  # this chat's updates that came meanwhile can be claimed now

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
