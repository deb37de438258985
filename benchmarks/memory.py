"""The server's memory does not grow with the number of conversations stored.

    python -m benchmarks.memory --database sqlite --conversations 100000

One app process (``icf serve``, one uvicorn worker, 127.0.0.1) on a fresh database:

1. respondents go through complete evaluations for ``--seconds``, twice: the resident set size
   (VmRSS) after each, and the difference between the two is the noise;
2. ``--conversations`` paused evaluations are written straight into the ``evaluations`` table (bulk
   inserts), each a copy of a real paused conversation made through the API, with its own id, token
   and resume code;
3. the same load again, with ``--resumed`` of those paused conversations carried on with their resume
   codes to the submission: VmRSS again;
4. the app restarted on the full database and warmed up the same way: VmRSS once more.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.http import Connection
from benchmarks.load import Phase, Recorder, Turns, chat_respondent, drive, next_input, resuming_respondent
from benchmarks.servers import (
    DEFAULT_POSTGRES_URL,
    HOST,
    SECRET_KEY,
    Kind,
    Server,
    app_server,
    fresh_database,
)
from benchmarks.turns import run_in_loop
from bot.ids import RandomIds, normalise_code
from storage import Evaluation, create_engine, hash_secret, utcnow

__all__ = ["main"]

BATCH = 5_000
TURNS_BEFORE_PAUSE = {"annual": 14, "activity": 6}  # paused part-way, as people do


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.memory", description="Server memory with and without stored conversations."
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default %(default)s")
    parser.add_argument("--conversations", type=int, default=100_000, help="paused conversations to add")
    parser.add_argument("--respondents", type=int, default=20, help="concurrent respondents in each load")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load")
    parser.add_argument("--resumed", type=int, default=200, help="added conversations to carry on")
    parser.add_argument("--seed", type=int, default=1)
    return parser


@dataclass
class Reading:
    name: str
    rss_kib: int
    phase: Phase | None = None


async def _paused_templates(server: Server, seed: int) -> list[str]:
    """Real paused conversations, made through the API: their ids."""
    ids = []
    client = Connection(HOST, server.port, timeout=30)
    try:
        for number, (scope, turns) in enumerate(TURNS_BEFORE_PAUSE.items()):
            rng = random.Random(seed + number)
            talk = Turns(client, Recorder(0, float("inf")), rng)
            conversation = await talk.post("/api/conversations", {})
            path = f"/api/conversations/{conversation['conversation_id']}/messages"
            token = conversation["token"]
            for _ in range(turns):
                conversation = await talk.post(path, next_input(conversation, scope, rng), token)
            conversation = await talk.post(path, {"text": "pause"}, token)
            assert conversation["step"] == "paused", conversation
            ids.append(conversation["conversation_id"])
    finally:
        await client.aclose()
    return ids


async def add_paused(database_url: str, template_ids: list[str], count: int, keep_codes: int) -> list[str]:
    """``count`` copies of the template rows, in bulk; returns the first ``keep_codes`` resume codes."""
    engine: AsyncEngine = create_engine(database_url)
    table = cast(Table, Evaluation.__table__)
    ids = RandomIds()
    key = SECRET_KEY.encode("utf-8")
    codes: list[str] = []
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(table).where(table.c.id.in_(template_ids)))).mappings()
            templates = [dict(row) for row in rows]
        if len(templates) != len(template_ids):
            raise RuntimeError("the paused conversations are gone: is something else using this database?")
        now = utcnow()
        for start in range(0, count, BATCH):
            batch: list[dict[str, Any]] = []
            for number in range(start, min(count, start + BATCH)):
                code = ids.resume_code()
                if len(codes) < keep_codes:
                    codes.append(code)
                touched = now - timedelta(minutes=number % 20_000)
                batch.append(
                    {
                        **templates[number % len(templates)],
                        "id": uuid.uuid4().hex,
                        "access_token_hash": secrets.token_hex(32),
                        "resume_code_hash": hash_secret(normalise_code(code), key),
                        "resume_expires_at": now + timedelta(days=30),
                        "created_at": touched,
                        "updated_at": touched,
                    }
                )
            async with engine.begin() as connection:
                await connection.execute(insert(table), batch)
    finally:
        await engine.dispose()
    return codes


async def _settled_rss(server: Server) -> int:
    await asyncio.sleep(1.0)  # let the last responses go out
    return server.rss_kib()


async def run(args: argparse.Namespace) -> tuple[list[Reading], float]:
    kind: Kind = args.database
    load = {"respondents": args.respondents, "seconds": args.seconds, "warmup": 0.0, "seed": args.seed}
    chat = chat_respondent(0.5)
    readings: list[Reading] = []
    with tempfile.TemporaryDirectory(prefix="icf-bench-") as folder:
        workdir = Path(folder)
        url = await fresh_database(kind, workdir, "app", args.postgres_url)
        async with app_server(url, workdir) as server:
            templates = await _paused_templates(server, args.seed)
            for name in ("warmed up, empty database", "the same load again"):
                phase = await drive(name, server, chat, **load)
                readings.append(Reading(name, await _settled_rss(server), phase))
            began = time.monotonic()
            codes = await add_paused(url, templates, args.conversations, args.resumed)
            inserted = time.monotonic() - began
            readings.append(
                Reading(f"{args.conversations:,} paused conversations added", await _settled_rss(server))
            )
            resumed = await drive(
                "resumed",
                server,
                resuming_respondent(codes, 0.5),
                **{**load, "respondents": min(args.respondents, max(1, len(codes)))},
            )
            phase = await drive("the same load, full database", server, chat, **load)
            phase.completed.update(resumed.completed)
            phase.errors += resumed.errors
            phase.first_errors += resumed.first_errors
            readings.append(Reading("after turns, full database", await _settled_rss(server), phase))
        async with app_server(url, workdir) as server:
            phase = await drive("restarted on the full database", server, chat, **load)
            readings.append(
                Reading("restarted on the full database, warmed up", await _settled_rss(server), phase)
            )
    return readings, inserted


def report(args: argparse.Namespace, readings: list[Reading], inserted: float) -> str:
    name = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    first, second, *_ = readings
    noise = abs(second.rss_kib - first.rss_kib)
    tolerance = max(3 * noise, second.rss_kib // 20)  # three times the noise, at least 5 %
    lines = [
        f"{name}: server VmRSS, one uvicorn worker on 127.0.0.1, {args.respondents} respondents for "
        f"{args.seconds:g} s in each load",
        f"{args.conversations:,} paused conversations added in {inserted:.1f} s",
        "",
        f"{'':<44} {'VmRSS MiB':>10} {'vs 2nd':>8} {'turns':>7} {'errors':>6}",
    ]
    for reading in readings:
        turns = f"{reading.phase.turns:>7} {reading.phase.errors:>6}" if reading.phase else f"{'':>7} {'':>6}"
        lines.append(
            f"{reading.name:<44} {reading.rss_kib / 1024:>10.1f} "
            f"{(reading.rss_kib - second.rss_kib) / 1024:>+8.1f} {turns}"
        )
    worst = max(abs(r.rss_kib - second.rss_kib) for r in readings[2:])
    same = worst <= tolerance
    lines += [
        "",
        f"noise between two identical loads: {noise / 1024:.1f} MiB; largest change with the full database: "
        f"{worst / 1024:.1f} MiB (allowed {tolerance / 1024:.1f}): {'the same' if same else 'GROWS'}",
    ]
    completed = {k: v for r in readings if r.phase for k, v in r.phase.completed.items()}
    lines.append("evaluations completed: " + ", ".join(f"{k} {v}" for k, v in sorted(completed.items())))
    for reading in readings:
        for error in reading.phase.first_errors if reading.phase else []:
            lines.append(f"error in {reading.name}: {error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    readings, inserted = run_in_loop(run(args))
    print(report(args, readings, inserted))
    return 1 if any(r.phase.errors for r in readings if r.phase) else 0


if __name__ == "__main__":
    sys.exit(main())
