"""Retention: evaluations never sent and untouched for ICF_RETENTION_DAYS are removed.

``icf retention run`` does it once; a served app does it a minute after it starts and then once a
day (each process does; the work is the same whoever does it first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.background import in_background
from bot.settings import Settings
from storage import retention, utcnow

__all__ = ["RetentionReport", "retention_running", "run_once", "run_retention"]

log = logging.getLogger(__name__)
EVERY = timedelta(days=1)
FIRST_AFTER = timedelta(minutes=1)  # not in the way of start-up, nor of a test's short-lived app
KEEP_UPDATES = timedelta(days=7)  # Telegram gives up redelivering an update well before this
# A channel's reports on a message (WhatsApp: delivered, read, failed) come within hours.
KEEP_SENT = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class RetentionReport:
    evaluations: int
    telegram_updates: int  # inbox messages of every channel (Telegram's updates were the first)
    outbox_messages: int = 0


async def run_retention(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> RetentionReport:
    """One pass. ICF_RETENTION_DAYS=0 keeps evaluations for ever (inbox and outbox messages still go)."""
    removed = 0
    if settings.retention_days > 0:
        removed = await retention.purge_stale(sessions, now - timedelta(days=settings.retention_days))
    async with sessions.begin() as session:
        updates = await retention.purge_processed_updates(session, now - KEEP_UPDATES)
        sent = await retention.purge_outbox(session, now - KEEP_SENT)
        await retention.purge_idle_lanes(session)
    return RetentionReport(removed, updates, sent)


@asynccontextmanager
async def retention_running(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    *,
    first_after: timedelta = FIRST_AFTER,
    every: timedelta = EVERY,
) -> AsyncIterator[asyncio.Task[None]]:
    """A background task for the app's lifespan: a pass soon after start, then one every day."""

    async def loop() -> None:
        await asyncio.sleep(first_after.total_seconds())
        while True:
            try:
                report = await run_retention(sessions, settings, clock())
                log.info(
                    "retention: removed %d evaluations, %d inbox and %d outbox messages",
                    report.evaluations,
                    report.telegram_updates,
                    report.outbox_messages,
                )
            except Exception:  # the next pass tries again; serving goes on meanwhile
                log.exception("retention: the pass failed")
            await asyncio.sleep(every.total_seconds())

    async with in_background(loop(), "retention") as task:
        yield task


async def run_once(settings: Settings, now: datetime | None = None) -> RetentionReport:
    """``icf retention run``: one pass against the configured database."""
    from storage import create_engine, create_sessionmaker

    db = create_engine(settings.database_url)
    try:
        return await run_retention(create_sessionmaker(db), settings, now or utcnow())
    finally:
        await db.dispose()
