"""The board's heavy building (a year's collation, its exports) in processes of their own.

A collation or export of a year is seconds of Python: SQLAlchemy turning rows into tuples, the
export's cells, the workbook's XML. On a worker thread it still holds the interpreter's lock, so
every conversation in the server waited its turn for it (the interference benchmark's case (b):
chat p95 1.4 s on a quiet machine). Here it runs in a separate process, started once and kept,
at a lower CPU priority, so on a busy machine the conversations get the cores first; a worker
leaves when the server does, however the server ended. The server process only writes the audit
line and hands on the bytes.

A worker opens its own connection to the same database for each job (SQLite in WAL mode reads
beside the server's writer; PostgreSQL is PostgreSQL) and runs the same ``BoardService`` code the
server would. An export is written to a temporary file that the server reads as it grows and
sends on, so the first bytes leave at once and neither process holds the year; when the client
goes away the file is removed, and the worker stops at its next batch. A worker that dies (killed,
out of memory) breaks only the job it had: the next job starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from storage.database import is_busy

if TYPE_CHECKING:
    from bot.board.collation import Collation
    from dialogs import Content
    from storage.access import Viewer

__all__ = ["PROCESSES", "BoardWorker"]

PROCESSES = 2  # two board staff exporting at once do not queue behind each other
NICENESS = 10  # below the server's conversations whenever both want a core
CHUNK = 256 * 1024  # bytes of an export read and sent at a time
POLL = 0.02  # seconds between looks at a growing export file
WATCH = 1.0  # seconds between a worker's looks at whether the server is still there


class BoardWorker:
    """Runs ``BoardService.collation`` and its exports for the server in worker processes."""

    def __init__(self, database_url: str, content: Content) -> None:
        self.database_url = database_url
        self.content = content
        self._files: set[str] = set()

    def _submit(self, job: Any, *args: Any) -> Future[Any]:
        return _submit(job, self.database_url, self.content, *args)

    async def _run(self, job: Any, *args: Any) -> Any:
        """``job``'s answer; if its worker died under it, once more in a new one (jobs only read,
        or write what they would write again the same)."""
        try:
            return await asyncio.wrap_future(self._submit(job, *args))
        except BrokenProcessPool:
            return await asyncio.wrap_future(self._submit(job, *args))

    async def collation(self, viewer: Viewer, year: int) -> Collation:
        result: Collation = await self._run(_collation, viewer, year)
        return result

    async def refresh_sums(self) -> int:
        """Bring the board's kept collation sums up to date (``BoardService.refresh_sums_here``)."""
        result: int = await self._run(_refresh_sums)
        return result

    async def refresh_pieces(self) -> int:
        """Make the stale pieces of the board's XLSX export (``BoardService.refresh_pieces_here``)."""
        result: int = await self._run(_refresh_pieces)
        return result

    async def collation_json(self, viewer: Viewer, year: int) -> bytes:
        """The collation as the API sends it, built and written here: the server only sends it on."""
        result: bytes = await self._run(_collation_json, viewer, year)
        return result

    async def export(self, viewer: Viewer, year: int | None, fmt: str) -> AsyncIterator[bytes]:
        """The export's bytes as the worker writes them (``fmt``: csv, xlsx or json)."""
        handle, path = tempfile.mkstemp(prefix="icf-export-", suffix=f".{fmt}")
        self._files.add(path)
        try:
            with os.fdopen(handle, "rb") as source:
                done = asyncio.wrap_future(self._submit(_export, viewer, year, fmt, path))
                while True:
                    chunk = source.read(CHUNK)  # just written, so from memory: no wait on the loop
                    if chunk:
                        yield chunk
                    elif done.done():
                        done.result()  # the worker's error, if it had one
                        while chunk := source.read(CHUNK):
                            yield chunk
                        return
                    else:
                        await asyncio.wait([done], timeout=POLL)
        finally:
            self._forget(path)

    def _forget(self, path: str) -> None:
        self._files.discard(path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # a worker still writing it stops at its next batch

    def close(self) -> None:
        """Stop this server's exports: each stops at its next batch (the processes stay for the next
        app in this process, and go when it exits)."""
        for path in list(self._files):
            self._forget(path)


# One pool for the process: the jobs carry the database and content they need, so every app in
# the process (one under ``icf serve``, many in the tests) shares workers started once.
_POOL: ProcessPoolExecutor | None = None


def _submit(job: Any, *args: Any) -> Future[Any]:
    global _POOL
    for _ in range(2):  # a pool whose worker died refuses new jobs: start a new one, once
        if _POOL is None:
            context = multiprocessing.get_context("spawn")  # never fork a process running a loop
            _POOL = ProcessPoolExecutor(
                PROCESSES, mp_context=context, initializer=_started, initargs=(os.getpid(),)
            )
        try:
            future = _POOL.submit(job, *args)
        except BrokenProcessPool:
            _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = None
            continue
        return future
    raise BrokenProcessPool("the board's worker processes cannot start")


# -- in the worker process ---------------------------------------------------------------------


def _started(server: int) -> None:
    """In each new worker: a lower priority, and a watch on the server, so that a server killed
    outright (no chance to stop its workers) leaves no worker behind."""
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    threading.Thread(target=_exit_with, args=(server,), daemon=True, name="server-watch").start()


def _exit_with(server: int) -> None:
    while os.getppid() == server:
        time.sleep(WATCH)
    os._exit(0)  # the server is gone: nobody is waiting for this job


def _collation(database_url: str, content: Content, viewer: Viewer, year: int) -> Collation:
    async def job(board: Any) -> Collation:
        result: Collation = await board.collation_for(viewer, year)
        return result

    collation: Collation = _answered(database_url, content, job)
    return collation


def _refresh_sums(database_url: str, content: Content) -> int:
    async def job(board: Any) -> int:
        result: int = await board.refresh_sums_here()
        return result

    stored: int = _answered(database_url, content, job)
    return stored


def _refresh_pieces(database_url: str, content: Content) -> int:
    async def job(board: Any) -> int:
        result: int = await board.refresh_pieces_here()
        return result

    stored: int = _answered(database_url, content, job)
    return stored


def _collation_json(database_url: str, content: Content, viewer: Viewer, year: int) -> bytes:
    async def job(board: Any) -> bytes:
        result: bytes = await board.collation_json_for(viewer, year)
        return result

    written: bytes = _answered(database_url, content, job)
    return written


def _export(
    database_url: str, content: Content, viewer: Viewer, year: int | None, fmt: str, path: str
) -> None:
    try:
        out = open(path, "r+b")
    except FileNotFoundError:
        return  # the client went away before this job began
    with out:

        def written(chunk: bytes) -> bool:
            if not os.path.exists(path):
                return False  # the client went away, or the server stopped
            out.write(chunk)
            out.flush()  # for the server to read and send on now
            return True

        async def job(board: Any) -> None:
            async for chunk in board.export_body(viewer, year, fmt):
                if not written(chunk):
                    return

        _answered(database_url, content, job)


def _answered(database_url: str, content: Content, job: Any) -> Any:
    """Run ``job`` with a board service of this process's own, and send back only errors the server
    can read: a busy database as the ``TimeoutError`` its handlers answer with 503."""
    try:
        return asyncio.run(_with_board(database_url, content, job))
    except Exception as error:
        if is_busy(error):
            raise TimeoutError("the database is busy") from None
        raise RuntimeError(f"{type(error).__name__}: {error}") from None


@functools.cache
def _catalogs() -> Any:
    """The catalogs, compiled once in a worker process: compiling every language's takes about
    0.1 s, which each job (a page's collation, say) used to pay again."""
    from bot.translations import Catalogs

    return Catalogs()


async def _with_board(database_url: str, content: Content, job: Any) -> Any:
    from bot.board.service import BoardService  # imported here: the server imports this module
    from bot.ids import RandomIds
    from dialogs import Engine
    from storage import utcnow
    from storage.database import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        sessions = create_sessionmaker(engine)
        board = BoardService(sessions, Engine(content, RandomIds(utcnow)), _catalogs(), b"", utcnow)
        return await job(board)
    finally:
        await engine.dispose()
