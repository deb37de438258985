"""Chat at people's pace while something else loads the same server: each case against a quiet run.

    python -m benchmarks.interference --database sqlite
    python -m benchmarks.interference --database postgres [--postgres-url URL]

One server as ``icf serve`` runs it (one uvicorn worker, 127.0.0.1) on a fresh database filled first
with ``--evaluations`` submitted evaluations in ``--year`` and half as many the year before (made as
benchmarks.collation makes them), and a board account. Then, one case after another, for
``--warmup`` plus ``--seconds`` each (only the last ``--seconds`` measured), ``--respondents`` people
go through evaluations at people's pace (a pause of ``--think`` seconds on average before each turn)
and a probe asks ``/healthz`` every 20 ms, whether or not the last was answered (it answers from the
app's background check of the database, so it times the loop):

- quiet: nothing else;
- (a) another process (the standard library's ``sqlite3``, as ``icf board pull`` would) holds the
  SQLite file's write lock for 2 s in every 5 s (SQLite only);
- (b) board staff collate the year and export it (CSV and XLSX) through the board API, one request
  after another, again and again;
- (c) 10 wrong sign-ins a second arrive at ``/board/login``;
- (d) ``--flood`` distinct client addresses (loopback's own 127.x.y.z) send one API request each,
  ``--flood-rate`` a second; this case lasts as long as that takes.

Targets (issue 19): chat p95 under 50 ms and ``/healthz`` p99 under 20 ms in (b), (c) and (d); in
(a) no turn fails and ``/healthz`` p99 stays under 20 ms. Nothing else may run on the machine for
figures worth keeping: the ``other`` column says how busy the rest of it was.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import platform
import shlex
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from benchmarks.collation import fill
from benchmarks.http import Answer, Connection, HttpError
from benchmarks.load import Phase, chat_respondent, drive
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
from bot.board.auth import BoardAuth
from bot.settings import Settings
from storage import create_engine, create_sessionmaker, transaction, upgrade_engine, utcnow

__all__ = ["main"]

CASES = ("quiet", "a", "b", "c", "d")
POSTGRES_CASES = ("quiet", "b", "c", "d")  # (a) is SQLite's file lock
CHAT_P95_MS = 50.0
HEALTHZ_P99_MS = 20.0
HEALTHZ_EVERY = 0.02
LOCK_HELD, LOCK_EVERY = 2.0, 5.0
SIGN_INS_A_SECOND = 10.0
IN_FLIGHT = 100  # requests of a case waiting for answers at once, at most; beyond that it is behind
BOARD_EMAIL = "board@interference.example"
BOARD_PASSWORD = "interference benchmark password"  # noqa: S105 - throw-away account
NAMES = {
    "quiet": "quiet",
    "a": "(a) another process holds the write lock",
    "b": "(b) board collates and exports",
    "c": "(c) 10 wrong sign-ins a second",
    "d": "(d) distinct addresses, one request each",
}


@dataclass
class Requests:
    """What one kind of request got: latencies of those answered, the answers' statuses, failures."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    behind: int = 0  # not sent: too many already waiting for the server
    note: str = ""

    def answered(self, status: int | str, seconds: float) -> None:
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.latencies.append(seconds)

    def percentile_ms(self, p: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000

    def summary(self) -> str:
        statuses = ", ".join(f"{count} × {status}" for status, count in sorted(self.statuses.items()))
        p50, p99 = self.percentile_ms(50), self.percentile_ms(99)
        line = f"{statuses or 'none answered'}; p50 {p50:.0f} ms, p99 {p99:.0f} ms"
        if self.behind:
            line += f"; {self.behind} not sent, the server being behind"
        if self.note:
            line += f"; {self.note}"
        return line + (f"; {len(self.failures)} failed: {self.failures[0]}" if self.failures else "")


@dataclass
class Case:
    key: str
    phase: Phase
    healthz: Requests
    load: dict[str, Requests]
    note: str = ""

    @property
    def healthz_errors(self) -> int:
        return len(self.healthz.failures) + sum(n for s, n in self.healthz.statuses.items() if s != "200")


@dataclass(frozen=True)
class Setting:
    """Everything a case's load needs to know about the server and its data."""

    server: Server
    database: Path | None  # the SQLite file, or None on PostgreSQL
    token: str  # the board's API token
    year: int
    args: argparse.Namespace


# -- the loads ------------------------------------------------------------------------------------


async def on_schedule(
    every: float,
    until: float,
    send: Callable[[int], Coroutine[object, object, None]],
    got: Requests,
    count: int | None = None,
    most: int = IN_FLIGHT,
) -> None:
    """``send(n)`` every ``every`` seconds, each in its own task, whether or not earlier ones were
    answered (open loop), with at most ``most`` waiting at once: until ``until``, skipping (and
    counting) those there is no room for; or, given a ``count``, until that many were sent, waiting
    for room."""
    pending: set[asyncio.Task[None]] = set()
    due, number = time.monotonic(), 0
    while number < count if count is not None else due < until:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if len(pending) >= most and count is not None:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            due = max(due, time.monotonic())  # no catching up in a burst afterwards
        if len(pending) >= most:
            got.behind += 1
        else:
            task = asyncio.create_task(send(number))
            pending.add(task)
            task.add_done_callback(pending.discard)
        number += 1
        due += every
    if pending:  # let what was sent be answered, so the next case starts on a quiet server
        await asyncio.wait(pending, timeout=120)


async def timed(got: Requests, request: Awaitable[Answer], began: float) -> None:
    try:
        answer = await request
    except HttpError as error:
        got.failures.append(str(error))
        return
    got.answered(answer.status, time.monotonic() - began)


async def probe_healthz(port: int, until: float, measure_from: float) -> Requests:
    """``/healthz`` every ``HEALTHZ_EVERY`` s whatever came before (a load balancer's checks arrive on
    their own clock), each on an idle keep-alive connection or a new one; each timed from its sending."""
    got = Requests()
    idle: list[Connection] = []

    async def probe(_: int) -> None:
        client = idle.pop() if idle else Connection(HOST, port, timeout=60)
        began = time.monotonic()
        try:
            answer = await client.get("/healthz")
        except HttpError as error:
            got.failures.append(str(error))
            await client.aclose()
            return
        if began >= measure_from:
            got.answered(answer.status, time.monotonic() - began)
        idle.append(client)

    try:
        await on_schedule(HEALTHZ_EVERY, until, probe, got, most=round(10 / HEALTHZ_EVERY))
    finally:
        for client in idle:
            await client.aclose()
    return got


HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
held, every = float(sys.argv[2]), float(sys.argv[3])
while True:
    began = time.monotonic()
    connection.execute("BEGIN IMMEDIATE")
    time.sleep(held)
    connection.execute("COMMIT")
    print(round(time.monotonic() - began, 3), flush=True)
    time.sleep(max(0.0, every - (time.monotonic() - began)))
"""


async def hold_the_lock(setting: Setting, until: float) -> dict[str, Requests]:
    """(a): a second process takes the write lock for ``LOCK_HELD`` s in every ``LOCK_EVERY`` s."""
    held = Requests()
    assert setting.database is not None
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        str(setting.database),
        str(LOCK_HELD),
        str(LOCK_EVERY),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        while True:
            try:
                async with asyncio.timeout(max(0.01, until - time.monotonic())):
                    line = await process.stdout.readline()
            except TimeoutError:
                break
            if not line:
                held.failures.append("the lock holder stopped")
                break
            held.answered("held", float(line))
    finally:
        process.kill()
        await process.wait()
    return {"locks held (s each)": held}


async def board_work(setting: Setting, until: float) -> dict[str, Requests]:
    """(b): collation, then the CSV and XLSX exports of the year, one after another, until ``until``."""
    paths = {
        "collation": f"/api/board/collation?year={setting.year}",
        "CSV export": f"/api/board/export?year={setting.year}&format=csv",
        "XLSX export": f"/api/board/export?year={setting.year}&format=xlsx",
    }
    got = {name: Requests() for name in paths}
    client = Connection(HOST, setting.server.port, timeout=300)
    headers = {"Authorization": f"Bearer {setting.token}"}
    try:
        while time.monotonic() < until:
            for name, path in paths.items():
                began = time.monotonic()
                await timed(got[name], client.get(path, headers), began)
                if time.monotonic() >= until:
                    break
    finally:
        await client.aclose()
    return got


async def wrong_sign_ins(setting: Setting, until: float) -> dict[str, Requests]:
    """(c): ``SIGN_INS_A_SECOND`` sign-ins with a wrong password, on schedule, each on a connection."""
    got = Requests()
    form = {"email": BOARD_EMAIL, "password": "not the password, guessed", "next": "/board"}

    async def sign_in(_: int) -> None:
        client = Connection(HOST, setting.server.port, timeout=120)
        try:
            page = await client.get("/board/login")  # as a browser: the form's own cookie, then the post
            cookie = {"Cookie": page.headers.get("set-cookie", "").split(";", 1)[0]}
            await timed(got, client.post_form("/board/login", form, cookie), time.monotonic())
        finally:
            await client.aclose()

    await on_schedule(1 / SIGN_INS_A_SECOND, until, sign_in, got)
    return {"wrong sign-ins": got}


def address(number: int) -> str:
    """The ``number``-th loopback address from 127.1.0.1: 254 a block of 256, never .0 or .255."""
    block, host = divmod(number, 254)
    return f"127.{1 + block // 256}.{block % 256}.{host + 1}"


async def many_addresses(setting: Setting, until: float) -> dict[str, Requests]:
    """(d): ``--flood`` addresses, one ``GET /api/words/en`` each, ``--flood-rate`` a second (slower
    if the server falls behind: every address is sent, even after the measured window)."""
    got = Requests()
    flood = setting.args.flood

    async def one(number: int) -> None:
        client = Connection(HOST, setting.server.port, timeout=120, source=address(number))
        try:
            await timed(got, client.get("/api/words/en", {"Connection": "close"}), time.monotonic())
        finally:
            await client.aclose()

    began = time.monotonic()
    await on_schedule(1 / setting.args.flood_rate, until, one, got, count=flood)
    got.note = f"all sent and answered in {time.monotonic() - began:.1f} s"
    return {"one request from each address": got}


LOADS: dict[str, Callable[[Setting, float], Awaitable[dict[str, Requests]]]] = {
    "a": hold_the_lock,
    "b": board_work,
    "c": wrong_sign_ins,
    "d": many_addresses,
}


# -- one case ---------------------------------------------------------------------------------------


def case_seconds(key: str, args: argparse.Namespace) -> float:
    seconds = float(args.seconds)
    if key == "d":  # as long as the flood takes, at its rate
        flood, rate = int(args.flood), float(args.flood_rate)
        return max(seconds, flood / rate)
    return seconds


async def run_case(key: str, setting: Setting) -> Case:
    args = setting.args
    seconds = case_seconds(key, args)
    began = time.monotonic()
    measure_from, until = began + args.warmup, began + args.warmup + seconds
    healthz = asyncio.create_task(probe_healthz(setting.server.port, until, measure_from))
    load = asyncio.create_task(_load(key, setting, measure_from, until))
    phase = await drive(
        NAMES[key],
        setting.server,
        chat_respondent(args.annual_share),
        respondents=args.respondents,
        seconds=seconds,
        warmup=args.warmup,
        think=args.think,
        seed=args.seed,
    )
    return Case(key, phase, await healthz, await load)


async def _load(key: str, setting: Setting, measure_from: float, until: float) -> dict[str, Requests]:
    if key == "quiet":
        return {}
    if key == "d":  # the flood starts with the measured window, so all of it is measured
        await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
    return await LOADS[key](setting, until)


# -- the whole run ----------------------------------------------------------------------------------


async def prepare(url: str, folder: Path, args: argparse.Namespace) -> str:
    """Migrations, the evaluations, and a board account; returns its API token."""
    settings = Settings.from_env({"ICF_SECRET_KEY": SECRET_KEY, "ICF_DATA_DIR": str(folder)})
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
        async with transaction(engine) as connection:
            await fill(connection, args.evaluations, args.year, args.seed)
        auth = BoardAuth(create_sessionmaker(engine), settings.secret_key, utcnow)
        await auth.add_user(BOARD_EMAIL, BOARD_PASSWORD, "board", None)
        return await auth.new_api_token(BOARD_EMAIL, "interference benchmark")
    finally:
        await engine.dispose()


async def run(args: argparse.Namespace) -> list[Case]:
    kind: Kind = args.database
    cases = [key for key in args.cases if kind == "sqlite" or key in POSTGRES_CASES]
    with tempfile.TemporaryDirectory(prefix="icf-interference-") as name:
        folder = Path(name)
        url = await fresh_database(kind, folder, "app", args.postgres_url)
        token = await prepare(url, folder, args)
        database = folder / "app.db" if kind == "sqlite" else None
        async with app_server(url, folder) as server:
            setting = Setting(server, database, token, args.year, args)
            return [await run_case(key, setting) for key in cases]


def _row(case: Case) -> str:
    phase = case.phase
    return (
        f"{phase.name:<44} {phase.turns:>6} {phase.percentile_ms(50):>7.1f} {phase.percentile_ms(95):>7.1f} "
        f"{phase.percentile_ms(99):>7.1f} {case.healthz.percentile_ms(99):>8.1f} {phase.errors:>6} "
        f"{case.healthz_errors:>6} {phase.server_cpu:>6.2f} {phase.client_cpu:>6.2f} "
        f"{phase.database_cpu:>6.2f} {phase.other_cpu:>6.2f}"
    )


def _verdicts(case: Case) -> str:
    chat_p95, health_p99 = case.phase.percentile_ms(95), case.healthz.percentile_ms(99)
    health = "met" if health_p99 < HEALTHZ_P99_MS and not case.healthz_errors else "MISSED"
    parts = [f"/healthz p99 {health_p99:.1f} ms, under {HEALTHZ_P99_MS:g} ms: {health}"]
    if case.key == "a":
        parts.insert(0, f"no turn failed: {'met' if not case.phase.errors else 'MISSED'}")
    else:
        met = "met" if chat_p95 < CHAT_P95_MS and not case.phase.errors else "MISSED"
        parts.insert(0, f"chat p95 {chat_p95:.1f} ms, under {CHAT_P95_MS:g} ms: {met}")
    return f"{NAMES[case.key]}: " + "; ".join(parts)


def report(args: argparse.Namespace, argv: list[str], cases: list[Case]) -> str:
    name = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    database = (
        f"SQLite {sqlite3.sqlite_version}" if args.database == "sqlite" else f"asyncpg {version('asyncpg')}"
    )
    lines = [
        "$ python -m benchmarks.interference " + shlex.join(argv),
        f"{name}: {args.respondents} respondents at people's pace ({args.think:g} s), {args.seconds:g} s "
        f"measured after {args.warmup:g} s in each case ((d): as long as its flood); /healthz every "
        f"{HEALTHZ_EVERY * 1000:.0f} ms; {args.evaluations} evaluations in {args.year}, "
        f"{args.evaluations // 2} the year before",
        f"Python {platform.python_version()}, uvicorn {version('uvicorn')}, "
        f"SQLAlchemy {version('sqlalchemy')}, {database}",
        "",
        f"{'case':<44} {'turns':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'hz p99':>8} {'errors':>6} "
        f"{'hz err':>6} {'server':>6} {'client':>6} {'pg':>6} {'other':>6}",
        *(_row(case) for case in cases),
        "(hz: /healthz, each timed from its sending; server, client, pg, other: CPU cores busy in the"
        " server, in this process, in PostgreSQL, in everything else)",
        "",
    ]
    if max(case.phase.other_cpu for case in cases) > 0.25:
        lines += ["WARNING: other processes were busy during the run: these figures are not comparable", ""]
    for case in cases:
        for what, got in case.load.items():
            lines.append(f"{NAMES[case.key]}, {what}: {got.summary()}")
    lines.append("")
    lines.extend(_verdicts(case) for case in cases if case.key != "quiet")
    for case in cases:
        lines.extend(f"error in {case.phase.name}: {error}" for error in case.phase.first_errors)
        lines.extend(f"/healthz error in {case.phase.name}: {error}" for error in case.healthz.failures[:3])
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.interference", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL to use (its public schema is dropped and rebuilt); default %(default)s",
    )
    parser.add_argument(
        "--cases",
        type=lambda value: [key for key in value.split(",") if key],
        default=list(CASES),
        help="which cases, in order: quiet,a,b,c,d (default all; (a) only on SQLite)",
    )
    parser.add_argument("--respondents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds in each case")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each case")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause before a turn, in seconds")
    parser.add_argument("--evaluations", type=int, default=10_000, help="submitted evaluations in the year")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--flood", type=int, default=100_000, help="(d): distinct client addresses")
    parser.add_argument("--flood-rate", type=float, default=1000.0, help="(d): addresses a second")
    parser.add_argument("--annual-share", type=float, default=0.5, help="share of annual evaluations")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(given)
    unknown = set(args.cases) - set(CASES)
    if unknown or args.flood > 254 * 256 * 254:
        raise SystemExit(f"unknown cases {sorted(unknown)}, or too many addresses for 127.0.0.0/8")
    if args.database == "postgres":
        print(
            f"WARNING: this wipes {args.postgres_url}: its public schema is dropped and rebuilt.",
            file=sys.stderr,
        )
    cases = run_in_loop(run(args))
    print(report(args, given, cases))
    failed = any(case.phase.errors or case.healthz_errors for case in cases)
    return 1 if failed else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
