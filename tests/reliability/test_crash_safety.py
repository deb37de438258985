"""Crash safety: the server is killed with SIGKILL at random moments while conversations go on.

A real server process (``python -m uvicorn --factory bot.web:create_app``) on a SQLite file serves
several conversations at once, each sent as a careful client does (a ``client_message_id`` on every
message, sent again until a 200). The server is killed at random moments, mostly in the middle of
turns, and started again; to keep the test short the next process is started while the current one
still serves, on another port, and takes over when it is killed (a fresh process: it shares nothing
with the one killed but the database). Some kills hit a process that is still starting.

Every other conversation also pauses somewhere and carries on with its resume code, sent with a
``request_id`` so that a resume whose answer was lost can be sent again (bot/resumes.py).

Then: every acknowledged answer (every 200) is stored, exactly once and in order, with exactly the
replies that were shown; every conversation went on to the end and was sent to the board once.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conversations import Client, Conversation, Stats, annual_script, said_in
from .servers import Server, server_env

KILLS = 30  # of a server that was serving
CLIENTS = 3  # conversations going on at once
STANDBYS = 2  # processes starting up meanwhile, to take over
SEED = 20261123


async def run_killer(
    servers: list[Server], make: Callable[[], Server], rnd: random.Random, log: list[str]
) -> int:
    """Kill the serving process KILLS times at random moments; a standby takes over each time."""
    standbys = [make().spawn() for _ in range(STANDBYS)]
    kills = 0
    while kills < KILLS:
        await asyncio.sleep(rnd.uniform(0.05, 0.6))  # traffic on the serving process
        if rnd.random() < 0.1:  # now and then, kill a process that is still starting
            await asyncio.sleep(rnd.uniform(0.0, 0.5))
            starting = standbys.pop()
            starting.kill()
            log.append(f"killed a starting process on {starting.port}")
            standbys.append(make().spawn())
        standby = await standbys.pop(0).ready()
        serving = servers[-1]
        serving.kill()
        kills += 1
        log.append(f"kill {kills}: {serving.port}")
        servers.append(standby)
        standbys.append(make().spawn())
    for standby in standbys:
        standby.kill()
    return kills


async def run_client(
    number: int, servers: list[Server], stats: Stats, done: asyncio.Event, deadline: float
) -> list[Conversation]:
    """One person after another: keep starting conversations until the killing is over."""
    client = Client(lambda: servers[-1].url, stats, deadline, pause=0.03)
    rnd = random.Random(SEED + number)
    finished: list[Conversation] = []
    try:
        while not done.is_set() or not finished:
            tag = f" c{number}n{len(finished)}"
            script = annual_script(f"Crash Trust{tag}", f"Team{tag}", tag)
            pause_at = rnd.randrange(5, len(script)) if len(finished) % 2 else None  # every other one
            finished.append(await client.run(script, prefix=f"c{number}-{len(finished)}", pause_at=pause_at))
    finally:
        await client.aclose()
    return finished


def stored(database: Path, conversation: Conversation) -> list[tuple[str | None, str, str]]:
    """(client_message_id, direction, text) of every transcript line, straight from the file."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT client_message_id, direction, text FROM transcript_entries"
            " WHERE evaluation_id = ? ORDER BY id",
            (conversation.id,),
        ).fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


@pytest.mark.slow
async def test_nothing_acknowledged_is_lost_when_the_server_is_killed(tmp_path: Path) -> None:
    database = tmp_path / "icf.db"
    env = server_env(f"sqlite:///{database}", tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    made = 0

    def make() -> Server:
        nonlocal made
        made += 1
        return Server(env, logs / f"server-{made}.log")

    servers = [await make().start()]
    rnd = random.Random(SEED)
    stats = Stats()
    done = asyncio.Event()
    deadline = time.monotonic() + 400
    kill_log: list[str] = []
    started = time.monotonic()
    clients = [asyncio.create_task(run_client(n, servers, stats, done, deadline)) for n in range(CLIENTS)]
    try:
        kills = await run_killer(servers, make, rnd, kill_log)
        done.set()
        people = [c for task in clients for c in await task]
        for server in servers:
            server.stop()
        # one last start, on the database as the kills left it: everything is still there
        final = await make().start()
        servers.append(final)
        check = Client(lambda: final.url, Stats(), time.monotonic() + 60)
        histories = [await check.history(person) for person in people]
        await check.aclose()
    finally:
        for task in clients:
            task.cancel()
        for server in servers:
            server.kill()
    elapsed = time.monotonic() - started

    assert kills >= 30
    assert stats.dropped > 0  # the kills did hit requests in flight
    assert len(people) >= CLIENTS
    for person, history in zip(people, histories, strict=True):
        script = [a.said for a in person.acknowledged]
        assert [said_in(e) for e in history if e["direction"] == "in"] == script  # each once, in order
        lines = stored(database, person)
        for ack in person.acknowledged:
            if not ack.client_message_id:
                continue  # a resume: checked by the transcript above and the conversation going on
            at = [i for i, line in enumerate(lines) if line[0] == ack.client_message_id]
            assert len(at) == 1, ack  # stored, and once
            shown = []
            for _, direction, text in lines[at[0] + 1 :]:
                if direction == "in":
                    break
                shown.append(text)
            assert shown == ack.replies, ack  # what was shown is what is kept
        assert person.last["status"] == "submitted" and person.last["step"] == "finished"
    with sqlite3.connect(database) as db:
        ids = [person.id for person in people]
        marks = ",".join("?" * len(ids))
        sent = db.execute(f"SELECT COUNT(*) FROM submissions WHERE evaluation_id IN ({marks})", ids)  # noqa: S608
        assert sent.fetchone()[0] == len(people)  # every conversation reached the board, once
        statuses = db.execute(f"SELECT DISTINCT status FROM evaluations WHERE id IN ({marks})", ids)  # noqa: S608
        assert [row[0] for row in statuses] == ["submitted"]
    report = {
        "kills": kills,
        "starts": made,
        "conversations": len(people),
        "turns": sum(len(p.acknowledged) for p in people),
        "dropped_requests": stats.dropped,
        "repeated_acknowledgements": stats.repeated,
        "busy": stats.busy,
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(report))
    (tmp_path / "report.json").write_text(json.dumps({**report, "log": kill_log}))
