"""The board's kept collation sums and export pieces, brought up to date in the background while
the server runs.

A collation brings the kept sums up to date itself before it reads them (``storage.collation_sums``),
but summing a busy day's organisations again costs it most of a second. So the server looks every
``EVERY`` seconds (one small read) and, when anything is stale, has the board's worker process sum
it: a board officer's collation then finds almost nothing left to do. The kept pieces of the XLSX
export (``storage.export_pieces``) are made the same way, after the sums.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.background import in_background
from bot.board.service import BoardService

__all__ = ["EVERY", "sums_running"]

EVERY = 60.0  # seconds between looks
log = logging.getLogger(__name__)


@asynccontextmanager
async def sums_running(board: BoardService, every: float = EVERY) -> AsyncIterator[None]:
    """While the app runs: every ``every`` seconds, bring the kept sums and pieces up to date if stale."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                if await board.sums_stale():
                    await board.refresh_sums()
                if await board.pieces_stale():
                    await board.refresh_pieces()
            except Exception:  # a busy database or a worker that died: tried again next time
                log.exception("the kept collation sums were not brought up to date; tried again later")

    async with in_background(loop(), "kept collation sums"):
        yield
