"""Databases and server processes for the benchmarks: loopback only, always stopped afterwards."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import httpx
from sqlalchemy import text

from storage import create_engine, is_sqlite

__all__ = [
    "DEFAULT_POSTGRES_URL",
    "HOST",
    "SECRET_KEY",
    "Server",
    "app_server",
    "ceiling_server",
    "free_port",
    "fresh_database",
]

HOST = "127.0.0.1"  # load never leaves this machine
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
# Fixed, so the benchmark can hash resume codes the way the server does.
SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"  # noqa: S105 - throw-away data
ROOT = Path(__file__).resolve().parents[1]
Kind = Literal["sqlite", "postgres"]


async def fresh_database(kind: Kind, workdir: Path, name: str, postgres_url: str) -> str:
    """A new SQLite file under ``workdir``, or the PostgreSQL database with its schema dropped and rebuilt."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    engine = create_engine(postgres_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    return postgres_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """One uvicorn process (one worker) on 127.0.0.1 and a free port."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    postgres: bool = False  # its database runs in PostgreSQL's processes, measured with it
    process: asyncio.subprocess.Process | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, within: float = 60.0) -> None:
        # Telegram only as this server was told (the fake Bot API): nothing may leave this machine.
        env = {name: value for name, value in os.environ.items() if not name.startswith("TELEGRAM_")}
        env |= self.env
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self._log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            "--host",
            HOST,
            "--port",
            str(self.port),
            cwd=self.log_path.parent,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
        )
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} stopped at start-up:\n{self.log_tail()}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.name} did not answer within {within:.0f} s:\n{self.log_tail()}"
                    )
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(15):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        elif process is not None:
            await process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    async def __aenter__(self) -> Server:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def rss_kib(self) -> int:
        """VmRSS of the server process, in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User and system time so far of the whole process (all its threads) and of the processes
        it started and still runs (the board's workers), which are the server's work too."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that has just gone
            if stat.parent.name == str(self.pid) or fields[1] == str(self.pid):
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        if self._log is not None:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def app_server(database_url: str, workdir: Path) -> Server:
    """The real app, as ``icf serve`` runs it: migrations applied first, then uvicorn with one worker."""
    data = workdir / "app-data"
    data.mkdir(exist_ok=True)
    env = {
        "DATABASE_URL": database_url,
        "ICF_SECRET_KEY": SECRET_KEY,
        "ICF_DATA_DIR": str(data),
        "ICF_MIGRATE_ON_START": "1",
        # Every respondent comes from 127.0.0.1: limits meant for one person would stop the load.
        # Set high rather than off, so the limiter's own work is still measured.
        "ICF_RATE_PER_CLIENT": "100000000",
        "ICF_RATE_PER_CONVERSATION": "100000000",
    }
    argv = [sys.executable, "-m", "bot.cli.main", "serve"]
    return Server("the app", argv, env, workdir / "app.log", postgres=not is_sqlite(database_url))


def ceiling_server(database_url: str, workdir: Path) -> Server:
    """The bare ASGI app of benchmarks.ceiling, run by uvicorn exactly as ``icf serve`` runs the app."""
    argv = [sys.executable, "-m", "benchmarks.ceiling"]
    env = {"DATABASE_URL": database_url}
    return Server("the ceiling app", argv, env, workdir / "ceiling.log", postgres=not is_sqlite(database_url))
