"""Delivering one chat's outbox, in order, each call recorded as soon as the channel confirms it.

A message the person is waiting for (a reply, a notice) ``holds``: while it cannot be sent, the
chat's later ones wait behind it, so nothing arrives out of order. It is tried again after about a
second, then two, then every four (or when the channel's ``retry_after`` says), so the chat moves
on within seconds of the channel coming back. Acknowledging a button press or taking old buttons
away holds nothing: it is tried again on its own and given up when it no longer matters.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.channels.seam import DeliveryFailed, Messenger, Outgoing
from storage import lanes, outbox, transaction, utcnow
from storage.outbox import Kind, Queued, Unsent

__all__ = ["Deliverer", "backoff"]

log = logging.getLogger(__name__)
FAST_RETRIES = 30  # about two minutes of tries a few seconds apart; then every half a minute
GIVE_UP_AFTER = 3000  # tries: about a day
CLEAR_EXPIRES = timedelta(hours=1)


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before try number ``attempts + 1``: from about a second, at most four for a couple of
    minutes (the person is waiting), then half a minute."""
    base = min(2.0 ** max(attempts - 1, 0), 4.0) if attempts <= FAST_RETRIES else 30.0
    jitter = (rng or random).uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not a secret
    return base * jitter


@dataclass
class _Pass:
    """One pass over a chat's outbox: what to write with the next record."""

    live: str | None  # the message whose buttons can be pressed
    reach: str | None = None
    live_changed: bool = False
    sent_lazily: list[int] = field(default_factory=list)  # harmless to repeat: recorded with the next write
    follow_ups: list[Queued] = field(default_factory=list)
    blocked: bool = False  # a held message could not go: the chat's later held ones wait
    queued_more: bool = False  # follow-ups were queued: another pass sends them


class Deliverer:
    def __init__(self, db: AsyncEngine, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def deliver(self, messenger: Messenger, address: str) -> bool:
        """Send what is due for the chat; True if it queued more (taking old buttons away) to send."""
        channel = messenger.name
        async with transaction(self.db) as connection:
            rows = await outbox.unsent(connection, channel, address)
            live = await lanes.live_message(connection, channel, address) if rows else None
            reach = await lanes.reach(connection, channel, address) if rows else None
        state = _Pass(live, reach)
        # What holds nothing (answering a press, taking old buttons away) goes alongside, so a slow
        # answer to it never keeps the person waiting for their next question.
        aside = [
            asyncio.create_task(self._one(messenger, address, row, state)) for row in rows if not row.holds
        ]
        try:
            for row in rows:
                if row.holds:
                    await self._one(messenger, address, row, state)
        finally:
            await asyncio.gather(*aside)
        if state.sent_lazily or state.follow_ups or state.live_changed:
            await self._record(messenger, address, state)
        return state.queued_more

    async def _one(self, messenger: Messenger, address: str, row: Unsent, state: _Pass) -> None:
        now = self.clock()
        if row.expires_at is not None and row.expires_at <= now:
            await self._give_up(row, "expired")
            return
        if row.not_before > now or (state.blocked and row.holds):
            state.blocked = state.blocked or row.holds
            return
        outgoing = Outgoing(
            row.id, address, row.kind, row.payload, row.language, row.evaluation_id, state.live, state.reach
        )
        steps = messenger.steps(outgoing)
        done = row.steps_done
        buttons: str | None = None
        provider: str | None = None
        for index in range(done, len(steps)):
            try:
                sent = await steps[index]()
            except DeliveryFailed as failure:
                await self._failed(row, failure, state)
                return
            except Exception as error:  # a bug or an unexpected answer: tried again, never lost
                log.exception("outbox: message %s to %s:%s failed", row.id, messenger.name, address)
                await self._failed(row, DeliveryFailed(f"{type(error).__name__}: {error}"), state)
                return
            provider = sent.message_id or provider
            if sent.buttons and sent.message_id:
                buttons = sent.message_id
            last = index == len(steps) - 1
            if not last and row.holds:
                await self._progress(messenger, address, row, index + 1, state, buttons)
        if row.kind == Kind.REPLY:
            await self._settle_buttons(messenger, address, state, buttons)
        if row.holds:
            await self._record(messenger, address, state, row=row, steps=len(steps), provider=provider)
        else:
            state.sent_lazily.append(row.id)

    async def _settle_buttons(
        self, messenger: Messenger, address: str, state: _Pass, buttons: str | None
    ) -> None:
        """After a reply only its buttons (if it has any) can be pressed: older ones are taken away."""
        if state.live is not None and state.live != buttons:
            payload = {"message_id": state.live}
            expires = self.clock() + CLEAR_EXPIRES
            state.follow_ups.append(
                Queued(messenger.name, address, Kind.CLEAR, payload, "en", None, False, expires)
            )
        if state.live != buttons:
            state.live = buttons
            state.live_changed = True

    async def _progress(
        self, messenger: Messenger, address: str, row: Unsent, steps: int, state: _Pass, buttons: str | None
    ) -> None:
        """Part of a held message is out: recorded before the next call, so it is never sent twice."""
        if buttons is not None and buttons != state.live:
            await self._settle_buttons(messenger, address, state, buttons)
        async with transaction(self.db) as connection:
            await outbox.step_done(connection, row.id, steps)
            await self._write(connection, messenger, address, state)

    async def _record(
        self,
        messenger: Messenger,
        address: str,
        state: _Pass,
        *,
        row: Unsent | None = None,
        steps: int = 0,
        provider: str | None = None,
    ) -> None:
        async with transaction(self.db) as connection:
            if row is not None:
                await outbox.mark_sent(connection, [row.id], self.clock(), steps=steps, provider_id=provider)
            await self._write(connection, messenger, address, state)

    async def _write(
        self, connection: AsyncConnection, messenger: Messenger, address: str, state: _Pass
    ) -> None:
        now = self.clock()
        await outbox.mark_sent(connection, state.sent_lazily, now)
        await outbox.add(connection, state.follow_ups, now)
        state.queued_more = state.queued_more or bool(state.follow_ups)
        if state.live_changed:
            await lanes.set_live_message(connection, messenger.name, address, state.live)
            state.live_changed = False
        state.sent_lazily = []
        state.follow_ups = []

    async def _failed(self, row: Unsent, failure: DeliveryFailed, state: _Pass) -> None:
        attempts = row.attempts + 1
        if failure.permanent or attempts >= GIVE_UP_AFTER:
            log.warning("outbox: gave up message %s after %d tries: %s", row.id, attempts, failure.reason)
            await self._give_up(row, failure.reason)
            return
        wait = failure.retry_after if failure.retry_after is not None else backoff(attempts)
        async with transaction(self.db) as connection:
            await outbox.retry_later(
                connection, row.id, self.clock() + timedelta(seconds=wait), failure.reason
            )
        state.blocked = state.blocked or row.holds

    async def _give_up(self, row: Unsent, reason: str) -> None:
        async with transaction(self.db) as connection:
            await outbox.give_up(connection, row.id, self.clock(), reason)
