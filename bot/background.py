"""A task that runs beside the app for as long as a block does, and is cancelled when it ends.

The app's lifespan keeps several (health checks, retention, reminders, the digest, the collation's
kept sums): each is started here and ended here the same way, so none is left running after
shutdown.

A cancel can be lost inside the work: Python 3.11's ``asyncio.wait_for`` returns the awaited
result, dropping the cancel, when both land in the same turn of the loop (gh-86296, fixed in 3.12).
The health checks did that now and then, and shutdown then waited for ever for a task that went
on checking (CI's stalls in app teardown). So the task is cancelled again until it ends, and our
own code waits with ``asyncio.timeout`` (ruff refuses ``wait_for``: pyproject.toml).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

__all__ = ["ended", "in_background"]

AGAIN_AFTER = 1.0  # seconds a cancelled task has to end before it is cancelled again


@contextlib.asynccontextmanager
async def in_background(work: Coroutine[Any, Any, None], name: str) -> AsyncIterator[asyncio.Task[None]]:
    """``work`` as a task named ``name`` while the block runs; cancelled and awaited at its end."""
    task = asyncio.create_task(work, name=name)
    try:
        yield task
    finally:
        await ended(task)


async def ended(task: asyncio.Task[Any]) -> None:
    """``task`` cancelled and waited for until it ends (a cancel it swallowed is sent again); the
    error it ended with, if any, is raised here."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=AGAIN_AFTER)
    if not task.cancelled():
        task.result()
