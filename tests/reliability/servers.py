"""The app as a real server process: ``python -m uvicorn --factory bot.web:create_app`` on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "reliability-test-secret-key-0123456789abcdef"
START_TIMEOUT = 90.0  # seconds; generous, for a busy two-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server: its own database, data folder and key; Telegram off; no limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ICF_", "DATABASE_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "ICF_DATA_DIR": str(data_dir),
            "ICF_SECRET_KEY": SECRET_KEY,
            "ICF_RATE_PER_CLIENT": "0",
            "ICF_RATE_PER_CONVERSATION": "0",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    env.update(extra)
    return env


class Server:
    """One server process; ``log`` collects everything it prints (stdout and stderr)."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.env = env
        self.log = log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> Server:
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bot.web:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "info",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def ready(self, within: float = START_TIMEOUT) -> Server:
        """Wait until /healthz answers 200."""
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.alive:
                    raise RuntimeError(f"the server stopped while starting:\n{self.tail()}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise TimeoutError(f"the server did not start in {within:.0f} s:\n{self.tail()}")

    async def start(self) -> Server:
        return await self.spawn().ready()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, nothing the process could do about it."""
        if self.process is not None and self.alive:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """A clean stop (SIGTERM), or a kill when it does not stop in time."""
        if self.process is None:
            return
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def upgrade_database(database_url: str, data_dir: Path) -> None:
    """``icf db upgrade`` once, as an operator would before starting several processes."""
    env = server_env(database_url, data_dir)
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "bot.cli.main", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
