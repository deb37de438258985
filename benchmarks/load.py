"""Simulated respondents over HTTP, and what a phase of load measured.

Each respondent has its own keep-alive connection and goes through complete evaluations as a person
would (start, English, an activity check or an annual evaluation, the plan, consent), then starts
another. Every request is timed. With no pace, each sends its next turn as soon as the last is answered
(closed loop: the most the server can do). With a pace, each sends on a schedule and latency is
counted from when the turn was due, so a server that falls behind cannot hide it. With a think time,
each pauses before a turn, as people do.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.http import Connection, HttpError
from benchmarks.servers import HOST, Server

__all__ = [
    "Phase",
    "Recorder",
    "TurnFailed",
    "Turns",
    "ceiling_respondent",
    "chat_respondent",
    "drive",
    "measured",
    "resuming_respondent",
    "sentence",
]

MAX_TURNS = 400  # a conversation still going after this many turns is stuck: a bug, not load
ORGANISATIONS = [
    "Ravensthorpe Friends",
    "Kirklees Youth Trust",
    "Batley Community Kitchen",
    "Dewsbury Library Volunteers",
    "Huddersfield Carers Network",
    "Holme Valley Walkers",
    "Thornhill Lees Mosque",
    "Marsden Allotment Society",
]
NAMES = ["Blue Team", "Family Support", "Youth Voice", "Park sessions", "Coffee morning", "Welcome desk"]
WORDS = (
    "we asked people what they needed and changed our sessions so more families could come along "
    "with interpreters at every meeting and food that everyone can eat"
).split()


class TurnFailed(RuntimeError):
    """A request got an error status (or none): counted, and the respondent starts again."""


@dataclass
class Recorder:
    """Latencies of the requests that end inside the measured window, and everything that failed."""

    measure_from: float
    measure_until: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    completed: dict[str, int] = field(default_factory=dict)

    @property
    def stopping(self) -> bool:
        return time.monotonic() >= self.measure_until

    def record(self, began: float, ended: float) -> None:
        if self.measure_from <= ended <= self.measure_until:
            self.latencies.append(ended - began)

    def failed(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)

    def finished(self, kind: str) -> None:
        self.completed[kind] = self.completed.get(kind, 0) + 1


class Turns:
    """One respondent's connection: every request through it is paced or delayed (if asked) and timed.

    ``interval``: a turn is due every so many seconds, and its latency counts from when it was due.
    ``think``: before each turn the respondent pauses, for that many seconds on average (at random).
    """

    def __init__(
        self,
        client: Connection,
        recorder: Recorder,
        rng: random.Random,
        *,
        interval: float | None = None,
        think: float | None = None,
    ):
        self.client = client
        self.recorder = recorder
        self.rng = rng
        self.interval = interval
        self.think = think
        self._due = time.monotonic() + rng.uniform(0, interval) if interval else 0.0

    async def _when_due(self) -> float:
        if self.think:
            await asyncio.sleep(self.rng.expovariate(1 / self.think))
        if self.interval is None:
            return time.monotonic()
        wait = self._due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        due, self._due = self._due, self._due + self.interval
        return due

    async def post(self, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        began = await self._when_due()
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            response = await self.client.post(path, body, headers)
        except HttpError as error:
            self.recorder.failed(f"{path}: {error!r}")
            raise TurnFailed(path) from error
        ended = time.monotonic()
        if response.status >= 400:
            self.recorder.failed(f"{path} {body}: {response.status} {response.text[:200]}")
            raise TurnFailed(path)
        self.recorder.record(began, ended)
        data: dict[str, Any] = response.json()
        return data


# -- what a respondent says -----------------------------------------------------------------------


def _answers(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in conversation["replies"][-1]["choices"] if c["kind"] == "answer"]


def sentence(rng: random.Random) -> str:
    start = rng.randrange(len(WORDS) - 12)
    return " ".join(WORDS[start : start + rng.randint(8, 12)]).capitalize() + "."


def _toggle(rng: random.Random, choices: list[dict[str, Any]], most: int, none_ok: bool) -> dict[str, str]:
    """Tap up to ``most`` answers, one a turn, then done."""
    options = [c for c in choices if c["id"] not in {"done", "other"}]
    chosen = [c for c in options if c["selected"]]
    unchosen = [c for c in options if not c["selected"]]
    wants_more = not chosen and not none_ok or (len(chosen) < most and rng.random() < 0.5)
    if unchosen and wants_more:
        return {"choice": rng.choice(unchosen)["id"]}
    return {"choice": "done"}


def next_input(conversation: dict[str, Any], scope: str, rng: random.Random) -> dict[str, str]:
    """What this respondent sends next, from the step the conversation is at and the choices shown."""
    step = conversation["step"]
    choices = _answers(conversation)
    if step == "choose_language":
        return {"choice": "en"}
    if step == "choose_scope":
        return {"choice": scope}
    if step in {"choose_level", "checklist", "score", "confidence", "restorative", "action_due"}:
        return {"choice": rng.choice(choices)["id"]}
    if step == "restorative_offer":
        return {"choice": "no"}
    if step == "organisation":
        if choices and rng.random() < 0.5:
            return {"choice": rng.choice(choices)["id"]}  # a name someone typed before
        return {"text": rng.choice(ORGANISATIONS)}
    if step in {"unit_name", "activity_name"}:
        return {"text": rng.choice(NAMES)}
    if step in {"story", "action", "support_other", "reflection", "evidence_other", "action_owner"}:
        return {"text": sentence(rng)}
    if step == "pick_approaches":
        return _toggle(rng, choices, most=2, none_ok=False)
    if step in {"support", "evidence"}:
        return _toggle(rng, choices, most=2, none_ok=True)
    if step == "review":
        return {"choice": "ok"}
    if step == "consent":
        return {"choice": "board"}
    raise TurnFailed(f"a respondent does not know what to say at step {step!r}")


# -- respondents ----------------------------------------------------------------------------------


async def evaluation(
    turns: Turns, rng: random.Random, annual_share: float, resume_code: str | None = None
) -> None:
    """One evaluation from the first turn to the submission (or from a resume code to the end)."""
    if resume_code is None:
        conversation = await turns.post("/api/conversations", {})
    else:
        conversation = await turns.post("/api/resume", {"code": resume_code})
    path = f"/api/conversations/{conversation['conversation_id']}/messages"
    token = conversation["token"]
    scope = "annual" if rng.random() < annual_share else "activity"
    for _ in range(MAX_TURNS):
        if conversation["step"] == "finished":
            if conversation["status"] != "submitted":
                raise _wrong(turns, f"finished without a submission: {conversation['status']}")
            turns.recorder.finished("resumed" if resume_code else scope)
            return
        if turns.recorder.stopping:
            return
        try:
            said = next_input(conversation, scope, rng)
        except TurnFailed as error:
            raise _wrong(turns, str(error)) from None
        said["client_message_id"] = f"{rng.getrandbits(64):016x}"  # as the web page sends it
        conversation = await turns.post(path, said, token)
    raise _wrong(turns, f"no end after {MAX_TURNS} turns, at {conversation['step']}")


def _wrong(turns: Turns, what: str) -> TurnFailed:
    """The conversation went somewhere a respondent cannot follow: an error, like a failed request."""
    turns.recorder.failed(what)
    return TurnFailed(what)


Respondent = Callable[["Turns", random.Random], Coroutine[Any, Any, None]]


def chat_respondent(annual_share: float) -> Respondent:
    async def respond(turns: Turns, rng: random.Random) -> None:
        while not turns.recorder.stopping:
            try:
                await evaluation(turns, rng, annual_share)
            except TurnFailed:
                await asyncio.sleep(0.1)  # start a new conversation

    return respond


def ceiling_respondent() -> Respondent:
    async def respond(turns: Turns, rng: random.Random) -> None:
        while not turns.recorder.stopping:
            try:
                await turns.post("/insert", {"kind": "text", "text": sentence(rng)})
            except TurnFailed:
                await asyncio.sleep(0.1)

    return respond


def resuming_respondent(codes: list[str], annual_share: float) -> Respondent:
    """Carries paused conversations on with their resume codes, to the end, until the codes run out."""

    async def respond(turns: Turns, rng: random.Random) -> None:
        while codes and not turns.recorder.stopping:
            try:
                await evaluation(turns, rng, annual_share, resume_code=codes.pop())
            except TurnFailed:
                await asyncio.sleep(0.1)

    return respond


# -- a phase of load ------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    respondents: int
    seconds: float
    latencies: list[float]
    errors: int
    first_errors: list[str]
    completed: dict[str, int]
    server_cpu: float  # cores busy, over the measured window
    client_cpu: float
    database_cpu: float  # PostgreSQL's processes (SQLite works inside the server process)
    other_cpu: float  # everything else on the machine: it should be near 0 for figures worth keeping
    offered: float | None = None  # turns a second asked for (paced), or None (as fast as answered)
    think: float | None = None  # seconds each respondent paused before a turn, on average

    @property
    def turns(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.turns / self.seconds

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def _machine_busy() -> float:
    """CPU seconds processes on this machine have used (all cores), from /proc/stat.

    Interrupts are left out: on loopback they are mostly the benchmark's own network traffic.
    """
    with open("/proc/stat") as stat:
        user, nice, system, *_ = map(int, stat.readline().split()[1:])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def _postgres_busy() -> float:
    """CPU seconds used so far by the processes called ``postgres`` (the server and its backends)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().split(" (", 1)[1].rsplit(") ", 1)
        except (OSError, IndexError, ValueError):
            continue  # gone already
        if name == "postgres":
            values = fields.split()
            total += int(values[11]) + int(values[12])
    return total / os.sysconf("SC_CLK_TCK")


async def measured(
    recorder: Recorder,
    tasks: list[asyncio.Task[None]],
    clients: list[Connection],
    readings: Callable[[], tuple[float, ...]],
) -> tuple[tuple[float, ...], int]:
    """Wait out the warm-up, take ``readings()`` at both ends of the measured window, then stop.

    Returns how much each reading grew over the window, and how many tasks were still busy a
    minute after it (they stop at their next turn; the turns in flight get that long to end).
    """
    try:
        await asyncio.sleep(max(0.0, recorder.measure_from - time.monotonic()))
        before = readings()
        await asyncio.sleep(max(0.0, recorder.measure_until - time.monotonic()))
        after = readings()
        _, late = await asyncio.wait(tasks, timeout=60)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in clients:
            await client.aclose()
    return tuple(a - b for a, b in zip(after, before, strict=True)), len(late)


async def drive(
    name: str,
    server: Server,
    respondent: Respondent,
    *,
    respondents: int,
    seconds: float,
    warmup: float,
    rate: float | None = None,
    think: float | None = None,
    seed: int = 1,
) -> Phase:
    """Run ``respondents`` concurrent respondents for ``warmup + seconds``; measure the last ``seconds``.

    ``rate``: together they send this many turns a second, on schedule; ``think``: each pauses this many
    seconds on average before a turn; neither: each sends its next turn as soon as the last is answered.
    """
    clients = [Connection(HOST, server.port) for _ in range(respondents)]
    start = time.monotonic()
    recorder = Recorder(measure_from=start + warmup, measure_until=start + warmup + seconds)
    interval = respondents / rate if rate else None
    tasks: list[asyncio.Task[None]] = []
    for number, client in enumerate(clients):
        rng = random.Random(seed * 100_003 + number)
        turns = Turns(client, recorder, rng, interval=interval, think=think)
        tasks.append(asyncio.create_task(respondent(turns, rng)))

    def readings() -> tuple[float, ...]:
        database = _postgres_busy() if server.postgres else 0.0
        return server.cpu_seconds(), time.process_time(), _machine_busy(), database

    spent, late = await measured(recorder, tasks, clients, readings)
    server_cpu, client_cpu, machine_cpu, database_cpu = spent
    database_cpu = max(0.0, database_cpu)
    if late:
        recorder.failed(f"{late} respondents still waiting a minute after the end")
    return Phase(
        name=name,
        respondents=respondents,
        seconds=seconds,
        latencies=recorder.latencies,
        errors=recorder.errors,
        first_errors=recorder.first_errors,
        completed=recorder.completed,
        server_cpu=server_cpu / seconds,
        client_cpu=client_cpu / seconds,
        database_cpu=database_cpu / seconds,
        other_cpu=max(0.0, machine_cpu - server_cpu - client_cpu - database_cpu) / seconds,
        offered=rate,
        think=think,
    )
