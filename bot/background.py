"""A task that runs beside the app for as long as a block does, and is cancelled when it ends.

The app's lifespan keeps several (health checks, retention, reminders, the digest, the collation's
kept sums): each is started here and ended here the same way, so none is left running after
shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

__all__ = ["in_background"]


@contextlib.asynccontextmanager
async def in_background(work: Coroutine[Any, Any, None], name: str) -> AsyncIterator[asyncio.Task[None]]:
    """``work`` as a task named ``name`` while the block runs; cancelled and awaited at its end."""
    task = asyncio.create_task(work, name=name)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
