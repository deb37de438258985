"""The database as ``/healthz`` reports it: checked in the background, never inside the request.

A load balancer asks ``/healthz`` every few seconds, often from several places at once. Were each
request to ask the database itself, its answer would wait for a round trip to PostgreSQL's process
and for the loop to come back to it: on a busy two-core machine that was 12–42 ms at the 99th
percentile across four runs of the interference benchmark's flood (issue 19, case (d)), while the
loop itself answered in under 14. So one task asks the database every ``EVERY`` seconds, and
``/healthz`` answers at once from what it last saw: healthy while the last check succeeded and is
no older than ``EVERY + LIMIT`` seconds, otherwise 503. A database that stops answering shows within
``EVERY`` plus the check's own time limit, ``LIMIT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.background import in_background
from storage.database import ping

__all__ = ["EVERY", "LIMIT", "Health", "health_running"]

EVERY = 1.0  # seconds between checks
LIMIT = 2.0  # a check that takes longer has failed

log = logging.getLogger(__name__)


class Health:
    """What the last check of the database found."""

    def __init__(self, engine: AsyncEngine, every: float = EVERY, limit: float = LIMIT) -> None:
        self.engine = engine
        self.every, self.limit = every, limit
        self.stale = every + limit  # the last good check is trusted this long
        self._last_good: float | None = None
        self._failed = False

    async def check(self) -> bool:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.limit):
                await ping(self.engine)
        except Exception:  # any failure is a database that does not answer; the log says which
            if not self._failed:
                log.warning("the database did not answer the health check", exc_info=True)
            self._failed = True
            return False
        if self._failed:
            log.warning("the database answers the health check again")
        self._failed, self._last_good = False, loop.time()
        return True

    def healthy(self) -> bool:
        last = self._last_good
        return (
            not self._failed and last is not None and asyncio.get_running_loop().time() - last <= self.stale
        )

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self.check()


@contextlib.asynccontextmanager
async def health_running(health: Health) -> AsyncIterator[Health]:
    """Checked once before the app serves (so its first answer is true), then every ``EVERY`` s."""
    await health.check()
    async with in_background(health.run(), "health checks"):
        yield health
