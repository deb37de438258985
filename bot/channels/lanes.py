"""Serving the messenger chats: each chat's inbox applied in order, then its outbox delivered.

One ``LaneWorker`` per process serves every chat of the messengers it runs, several chats at once
(``concurrency``), each chat by one process at a time: whoever holds the chat's lane
(``storage/lanes.py``). Webhooks and polling only store what arrives and wake it.

- **Order**: a chat's messages are applied in the channel's order (Telegram's ``update_id``).
  One that arrived just now waits a moment (``ORDER_WINDOW``) so an earlier one still on its way
  is not overtaken.
- **Restarts**: the lane is a lease renewed every second or so; a killed process lets go within
  ``LEASE`` seconds and another process (or the next one started) takes the chat over.
- **Stopping** (SIGTERM): nothing new is taken on; each chat in hand finishes the message it is
  applying and delivers what is owed for it, then the worker stops (``stop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.background import ended
from bot.channels import messages as words
from bot.channels.chats import ChatTurns
from bot.channels.delivery import Deliverer, backoff
from bot.channels.seam import Messenger, Origin
from dialogs import Text, render
from storage import inbox, lanes, transaction, utcnow
from storage.inbox import Pending

__all__ = ["IDLE_SECONDS", "MAX_ATTEMPTS", "ORDER_WINDOW", "LaneWorker"]

log = logging.getLogger(__name__)
ORDER_WINDOW = 0.05  # seconds a message that just arrived waits for an earlier one still on its way
IDLE_SECONDS = 0.5  # also how soon a retry that came due, or a chat a dead process held, is seen
MAX_ATTEMPTS = 5  # a message that fails to apply this often is given up (and the person told)
CONCURRENCY = 16
STOP_GRACE = 20.0  # seconds to finish the chats in hand when stopping


class LaneWorker:
    def __init__(
        self,
        db: AsyncEngine,
        messengers: Sequence[Messenger],
        turns: ChatTurns,
        *,
        concurrency: int = CONCURRENCY,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.messengers = {messenger.name: messenger for messenger in messengers}
        self.turns = turns
        self.concurrency = concurrency
        self.clock = clock  # real time: leases, retries and the order window measure the network
        self.deliverer = Deliverer(db, clock)
        self.holder = secrets.token_hex(8)
        self._wake = asyncio.Event()
        self._stopping = False
        self._active: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._main: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._main = asyncio.create_task(self._run(), name="lanes")
        self._heartbeat = asyncio.create_task(self._renew(), name="lanes-heartbeat")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Take nothing new; let each chat in hand finish its message and deliver it; then stop."""
        self._stopping = True
        self.wake()
        if self._main is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
        if self._active:
            _, late = await asyncio.wait(list(self._active.values()), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._heartbeat is not None:
            await ended(self._heartbeat)

    async def settled(self) -> bool:
        """Nothing in hand (for tests and benchmarks waiting for quiet)."""
        return not self._active

    # -- finding work ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before looking: something stored while we look wakes us again
            free = self.concurrency - len(self._active)
            claimed = await self._claim(free) if free > 0 else []
            for lane in claimed:
                task = asyncio.create_task(self._serve(*lane), name=f"lane {lane[0]}:{lane[1]}")
                self._active[lane] = task
            if claimed and len(claimed) == free:
                continue  # there may be more waiting
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(IDLE_SECONDS):
                    await self._wake.wait()

    async def _claim(self, free: int) -> list[tuple[str, str]]:
        try:
            async with transaction(self.db) as connection:
                now = self.clock()
                limit = free + len(self._active)
                found = await lanes.waiting(connection, self.messengers, now, limit, self.holder)
                claimed: list[tuple[str, str]] = []
                for lane in found:
                    if lane in self._active or len(claimed) == free:
                        continue
                    if await lanes.claim(connection, *lane, self.holder, now):
                        claimed.append(lane)
                return claimed
        except Exception:  # keep serving: whatever waits is claimed on a later round
            log.exception("lanes: claiming failed")
            return []

    async def _renew(self) -> None:
        seconds = lanes.LEASE.total_seconds() / 4
        while True:
            await asyncio.sleep(seconds)
            try:
                async with transaction(self.db) as connection:
                    await lanes.renew(connection, self.holder, self.clock())
            except Exception:  # the next beat tries again; a lease has room for three misses
                log.exception("lanes: renewing the leases failed")

    # -- one chat -------------------------------------------------------------------------------

    async def _serve(self, channel: str, address: str) -> None:
        """One pass for the chat: apply what waits, deliver what is owed, let go. A chat that keeps
        writing is claimed again at once, but behind chats that have waited longer."""
        messenger = self.messengers[channel]
        try:
            await self._apply_inbox(messenger, address)
            while await self.deliverer.deliver(messenger, address):
                pass  # it queued more (taking old buttons away): send that too
        except Exception:  # what is stored stays stored: the chat is served again on a later round
            log.exception("lanes: serving %s:%s failed", channel, address)
        finally:
            self._active.pop((channel, address), None)
            with contextlib.suppress(Exception):
                async with transaction(self.db) as connection:
                    await lanes.release(connection, channel, address, self.holder)
            self.wake()  # the chat's messages that came meanwhile can be claimed now

    async def _pending(self, messenger: Messenger, address: str) -> list[Pending]:
        """The chat's messages to apply now, once none has arrived within ORDER_WINDOW."""
        seen: set[int] = set()
        while True:
            async with transaction(self.db) as connection:
                waiting = await inbox.pending(connection, messenger.name, address)
            ids = {message.id for message in waiting}
            if not waiting or ids <= seen:
                return waiting
            seen |= ids
            newest = max(message.received_at for message in waiting)
            age = (self.clock() - newest).total_seconds()
            if age >= ORDER_WINDOW:
                return waiting
            await asyncio.sleep(ORDER_WINDOW - max(age, 0.0))

    async def _apply_inbox(self, messenger: Messenger, address: str) -> bool:
        """Apply the chat's waiting messages in order; False if there were none (or they must wait)."""
        waiting = await self._pending(messenger, address)
        if not waiting:
            return False
        first = waiting[0]
        if first.not_before is not None and first.not_before > self.clock():
            async with transaction(self.db) as connection:  # later arrivals wait behind it too
                await inbox.hold_back(connection, messenger.name, address, first.not_before)
            return False
        for message in waiting:
            try:
                await self.turns.apply(messenger, address, message)
            except Exception:
                log.exception("lanes: message %s of %s:%s failed", message.id, messenger.name, address)
                await self._failed(messenger, address, message)
                return True
            if self._stopping:
                break  # the message in hand is done: deliver what it owes, then stop
        return True

    async def _failed(self, messenger: Messenger, address: str, message: Pending) -> None:
        """Try it again shortly, the chat's later messages behind it; after MAX_ATTEMPTS, say sorry and
        move on, so one bad message cannot hold a chat for ever."""
        async with transaction(self.db) as connection:
            attempts = await inbox.failed(connection, message.id)
            if attempts < MAX_ATTEMPTS:
                until = self.clock() + timedelta(seconds=backoff(attempts))
                await inbox.hold_back(connection, messenger.name, address, until)
                return
        origin = Origin(messenger, address, arrival=message.id)
        language = await self.turns.service.chat_language(origin, None)
        sorry = render(Text(words.FAILED), self.turns.service.catalogs.translator(language))
        await self.turns.service.say(origin, [sorry], language=language)
