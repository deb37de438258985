"""A second, real process that holds a SQLite file's write lock until told to let go.

As ``icf retention run`` or ``icf board pull`` does while it writes beside ``icf serve``: it opens the
file with the standard library's ``sqlite3``, runs ``BEGIN IMMEDIATE``, says so, and commits when a
line arrives on its standard input.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from types import TracebackType

__all__ = ["WriteLockHolder"]

_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
print("released", flush=True)
"""


class WriteLockHolder:
    """``async with WriteLockHolder(path) as holder``: locked on entry; ``await holder.release()``."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> WriteLockHolder:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _HOLDER,
            str(self.database),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        await self._said("locked")
        return self

    async def release(self) -> None:
        """Commit and let go of the lock; returns once the other process has."""
        process = self._running
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
        await self._said("released")
        await process.wait()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    @property
    def _running(self) -> asyncio.subprocess.Process:
        assert self._process is not None, "the lock holder is not running"
        return self._process

    async def _said(self, word: str) -> None:
        assert self._running.stdout is not None
        async with asyncio.timeout(60):
            line = await self._running.stdout.readline()
        assert line.decode().strip() == word, f"the lock holder said {line!r}, not {word!r}"
