"""Several processes on one PostgreSQL: a conversation whose turns alternate between two server
processes ends exactly as it does on one.

Migrations run once (``icf db upgrade``), then the servers start with ICF_MIGRATE_ON_START=0, as
the README says to run several processes. Runs when ICF_TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PG_URL, _reset_postgres, postgres_only

from .conversations import Client, Stats, annual_script
from .servers import Server, server_env, upgrade_database

ON_POSTGRES = postgres_only(PG_URL)
CONVERSATIONS = 3  # alternating at once, each between both processes


def comparable(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The transcript as a person read it; the random reference, return code and signed links made alike."""
    return [(e["direction"], _random_made_alike(e["text"])) for e in history]


def _random_made_alike(text: str) -> str:
    text = re.sub(r"ICF-\d{4}-[0-9A-Z]{8}", "ICF-YYYY-REF", text)
    text = re.sub(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}\b", "CODE", text)
    return re.sub(r"(expires|sig)=[^&\s)]+", r"\1=X", text)


async def run_once(database_url: str, tmp_path: Path, processes: int) -> list[list[tuple[str, str]]]:
    """A fresh database, ``processes`` servers, and CONVERSATIONS conversations alternating between them."""
    await _reset_postgres(database_url)
    data = tmp_path / f"data-{processes}"
    data.mkdir()
    await asyncio.to_thread(upgrade_database, database_url, data)
    env = server_env(database_url, data, ICF_MIGRATE_ON_START="0")
    servers = [Server(env, tmp_path / f"server-{processes}-{n}.log").spawn() for n in range(processes)]
    try:
        await asyncio.gather(*(server.ready() for server in servers))

        def alternating(start: int) -> Callable[[], str]:
            """Each call to the other process than the call before: every turn changes process."""
            turn = [start]

            def url() -> str:
                turn[0] += 1
                return servers[turn[0] % len(servers)].url

            return url

        clients = [Client(alternating(n), Stats(), time.monotonic() + 300) for n in range(CONVERSATIONS)]
        script = annual_script("Shared Database Trust", "Night Team")
        await clients[0].run(script[:4], "first")  # the organisation is known, so every run asks alike
        people = await asyncio.gather(*(c.run(script, f"p{n}") for n, c in enumerate(clients)))
        histories = [comparable(await c.history(person)) for c, person in zip(clients, people, strict=True)]
        for client in clients:
            await client.aclose()
        assert all(person.last["status"] == "submitted" for person in people)
        return histories
    finally:
        for server in servers:
            server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ON_POSTGRES)
async def test_turns_alternating_between_two_processes_end_as_on_one(
    database_url: str, tmp_path: Path
) -> None:
    alone = await run_once(database_url, tmp_path, processes=1)
    shared = await run_once(database_url, tmp_path, processes=2)
    assert alone[0] and all(history == alone[0] for history in alone)  # the same script, the same talk
    assert shared == alone
