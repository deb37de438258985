"""Chat turns per second and their latency, against the ceiling of one INSERT+COMMIT per request.

    python -m benchmarks.turns --database sqlite --respondents 50 --seconds 20

Each phase runs on 127.0.0.1 against one uvicorn worker in its own process, for ``--warmup`` plus
``--seconds`` (only the last ``--seconds`` are measured), then stops:

1. ceiling: the bare app of benchmarks.ceiling on a fresh database; each respondent posts again as soon
   as it is answered (closed loop: the most the server can do);
2. chat, flat out: the real app (``icf serve``) on a fresh database; each respondent goes through
   complete evaluations, sending its next turn as soon as the last is answered;
   (with ``--rounds``, 1 and 2 take turns that many times: this virtual machine's speed drifts by
   a fifth from minute to minute, and the ratio of neighbouring phases drifts much less)
3. chat, paced: together the respondents offer ``--paced`` times the ceiling's throughput, each turn
   on a schedule, its latency counted from when it was due (so falling behind shows);
4. chat, people's pace: each respondent pauses ``--think`` seconds on average before a turn.

With no pause, latency is only the queue: by Little's law, 50 respondents at 500 turns a second wait
100 ms on average whatever the server does. Phases 3 and 4 show the latency at a given load.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Coroutine
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.load import Phase, ceiling_respondent, chat_respondent, drive
from benchmarks.servers import DEFAULT_POSTGRES_URL, Kind, app_server, ceiling_server, fresh_database

__all__ = ["main", "run", "run_in_loop"]

T = TypeVar("T")

THROUGHPUT_TARGET = 0.60  # chat turns a second, as a share of the ceiling's requests a second
P95_TARGET_MS = 50.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.turns", description="Chat turns against an INSERT+COMMIT ceiling."
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL to use (its public schema is dropped and rebuilt); default %(default)s",
    )
    parser.add_argument("--respondents", type=int, default=50, help="concurrent respondents")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds in each phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each phase")
    parser.add_argument(
        "--paced",
        type=float,
        default=THROUGHPUT_TARGET,
        help="phase 3 offers this share of the ceiling's throughput (0 skips it); default %(default)s",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="phase 4: mean seconds a respondent pauses before a turn (0 skips it); default %(default)s",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="ceiling and chat flat out, one after the other, this many times",
    )
    parser.add_argument("--annual-share", type=float, default=0.5, help="share of annual evaluations")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def _row(phase: Phase) -> str:
    return (
        f"{phase.name:<36} {phase.per_second:>8.1f} {phase.percentile_ms(50):>7.1f} "
        f"{phase.percentile_ms(95):>7.1f} {phase.percentile_ms(99):>7.1f} {phase.turns:>7} "
        f"{phase.errors:>6} {phase.server_cpu:>6.2f} {phase.client_cpu:>6.2f} {phase.database_cpu:>6.2f} "
        f"{phase.other_cpu:>6.2f}"
    )


def _versions(kind: Kind) -> str:
    database = f"SQLite {sqlite3.sqlite_version}" if kind == "sqlite" else f"asyncpg {version('asyncpg')}"
    return (
        f"Python {platform.python_version()}, uvicorn {version('uvicorn')}, "
        f"SQLAlchemy {version('sqlalchemy')}, {database}"
    )


def report(kind: Kind, args: argparse.Namespace, phases: list[Phase]) -> str:
    pairs = [(phases[2 * r], phases[2 * r + 1]) for r in range(args.rounds)]
    slower = phases[2 * args.rounds :]
    name = "SQLite" if kind == "sqlite" else "PostgreSQL"
    lines = [
        f"{name}: {args.respondents} respondents, {args.seconds:g} s measured after {args.warmup:g} s "
        f"warm-up in each phase; one uvicorn worker on 127.0.0.1",
        _versions(kind),
        "",
        f"{'phase':<36} {'turns/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'turns':>7} "
        f"{'errors':>6} {'server':>6} {'client':>6} {'pg':>6} {'other':>6}",
        *(_row(phase) for phase in phases),
        "(server, client, pg, other: CPU cores busy in the server process, in this process, in PostgreSQL,"
        " in everything else)",
        "",
    ]
    if max(phase.other_cpu for phase in phases) > 0.25:
        lines.append("WARNING: other processes were busy during the run: these figures are not comparable")
    if max(ceiling.client_cpu for ceiling, _ in pairs) > 0.85:
        lines.append("NOTE: the client used a whole core in a ceiling phase: the true ceiling may be higher")
    ratios = [chat.per_second / ceiling.per_second if ceiling.per_second else 0.0 for ceiling, chat in pairs]
    ratio = statistics.median(ratios)
    met = "met" if ratio >= THROUGHPUT_TARGET else "MISSED"
    each = f" (median of {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""
    lines.append(f"chat turns / ceiling: {ratio:.2f}{each} (target at least {THROUGHPUT_TARGET:.2f}: {met})")
    for phase in slower:
        p95 = phase.percentile_ms(95)
        if phase.offered:
            kept_up = phase.per_second >= 0.95 * phase.offered
            met = "met" if p95 < P95_TARGET_MS and kept_up else "MISSED"
            what = f"offered {phase.offered:.0f} turns/s, served {phase.per_second:.0f}/s"
        else:
            met = "met" if p95 < P95_TARGET_MS else "MISSED"
            what = f"pausing {phase.think:g} s on average, {phase.per_second:.0f} turns/s"
        lines.append(f"{phase.name}: {what}, p95 {p95:.1f} ms (target under {P95_TARGET_MS:g} ms: {met})")
    done = {k: v for p in phases[1:] for k, v in p.completed.items()}
    total = {k: sum(p.completed.get(k, 0) for p in phases[1:]) for k in done}
    lines.append(
        "evaluations completed to submission: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(total.items()))
    )
    for phase in phases:
        for error in phase.first_errors:
            lines.append(f"error in {phase.name}: {error}")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> list[Phase]:
    kind: Kind = args.database
    load = {
        "respondents": args.respondents,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "seed": args.seed,
    }
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="icf-bench-") as folder:
        workdir = Path(folder)
        url = await fresh_database(kind, workdir, "ceiling", args.postgres_url)
        # PostgreSQL: the ceiling's one table sits beside the app's in the same fresh schema.
        app_url = url if kind == "postgres" else await fresh_database(kind, workdir, "app", "")
        chat = chat_respondent(args.annual_share)
        async with ceiling_server(url, workdir) as ceiling, app_server(app_url, workdir) as server:
            for number in range(1, args.rounds + 1):
                named = f", round {number}" if args.rounds > 1 else ""
                name = f"ceiling, one INSERT + COMMIT{named}"
                phases.append(await drive(name, ceiling, ceiling_respondent(), **load))
                phases.append(await drive(f"chat, flat out{named}", server, chat, **load))
            if args.paced > 0:
                rate = args.paced * statistics.median(p.per_second for p in phases[0 : 2 * args.rounds : 2])
                name = f"chat, paced at {args.paced:.0%} of ceiling"
                phases.append(await drive(name, server, chat, rate=rate, **load))
            if args.think > 0:
                name = f"chat, people's pace ({args.think:g} s)"
                phases.append(await drive(name, server, chat, think=args.think, **load))
    return phases


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    phases = run_in_loop(run(args))
    print(report(args.database, args, phases))
    return 1 if any(phase.errors for phase in phases) else 0


def run_in_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run the respondents on uvloop when it is there (it comes with uvicorn[standard]): a faster client."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        loop_factory = None
    else:
        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(coroutine)


if __name__ == "__main__":
    sys.exit(main())
