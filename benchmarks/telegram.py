"""Telegram updates per second through the webhook, against the ceiling of one INSERT+COMMIT per request.

    python -m benchmarks.telegram --database sqlite --chats 50 --seconds 20

The real app runs as ``icf serve`` runs it, with Telegram on: its webhook route stores each update
and answers, its inbox worker applies the updates and sends the replies to a fake Bot API server
in this process (python-telegram-bot talks to it over HTTP, as it would to Telegram). Each
simulated chat behaves like a person: it sends an update (``/start``, a typed answer or a button
press) and waits until the bot has answered it before sending the next, through complete
evaluations. Measured per update: the webhook's answer, and the time until the bot's reply reached
the Bot API; updates a second count updates answered by the bot.

``--api-latency`` makes the fake Bot API take that long to answer each call, as Telegram does
over the internet. ``--rate`` is the app's TELEGRAM_MESSAGES_PER_SECOND: 0 (no limit) by default, to
measure the server; Telegram itself allows a bot about 30 messages a second.

Then the same again with ``--fail-rate`` (1 % by default; 0 skips it) of the calls to people's chats
failing as Telegram's do now and then (HTTP 500, and some 429 "retry after 1 s"): updates answered,
the p95 from update to answer, and replies lost, counted in the app's outbox once the run has ended
(a reply stored but never sent, or given up), which must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import func, select

from benchmarks.ceiling import read_body
from benchmarks.http import Connection, HttpError
from benchmarks.load import ORGANISATIONS, Phase, Recorder, ceiling_respondent, drive, measured, sentence
from benchmarks.servers import (
    DEFAULT_POSTGRES_URL,
    HOST,
    Kind,
    Server,
    app_server,
    ceiling_server,
    free_port,
    fresh_database,
)
from benchmarks.turns import run_in_loop
from storage import OutboxMessage, create_engine, transaction

__all__ = ["FakeBotApi", "main", "run"]

Message = MutableMapping[str, Any]
BOT_TOKEN = "123456:benchmark-token-not-real"  # noqa: S105 - only the fake Bot API sees it
WEBHOOK_SECRET = "benchmark-webhook-secret"  # noqa: S105 - loopback only
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "ICF", "username": "icf_benchmark_bot"}
FIRST_CHAT = 7_000_000
MAX_TURNS = 400  # an evaluation still going after this many updates is stuck: an error
SELECTED = "✅ "  # how the bot marks a chosen toggle (bot/telegram/keyboards.py)
CLEAN_PHASE = "telegram, update to bot's answer"
TO_PEOPLE = {"sendMessage", "sendDocument", "editMessageReplyMarkup", "answerCallbackQuery"}


# -- the fake Bot API ------------------------------------------------------------------------------


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    """python-telegram-bot sends form fields (nested ones as JSON), or multipart with a file."""
    if content_type.startswith("multipart/form-data"):
        boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
        fields: dict[str, Any] = {}
        for part in body.split(b"--" + boundary):
            head, _, value = part.partition(b"\r\n\r\n")
            if b'name="' in head and b"filename=" not in head:
                name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
                fields[name] = value.rstrip(b"\r\n").decode()
        return fields
    return dict(parse_qsl(body.decode()))


@dataclass
class FakeBotApi:
    """Answers every Bot API call the app makes and tells the chat it concerns."""

    latency: float = 0.0
    chats: dict[int, TelegramChat] = field(default_factory=dict)
    calls: int = 0
    fail_rate: float = 0.0  # the share of calls to people's chats that fail
    failed: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    _sent: set[tuple[int, int, str, str]] = field(default_factory=set)  # (chat, evaluation, text, buttons)
    sent_twice: int = 0  # the same message with the same buttons sent again: a repeat
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    async def __call__(self, scope: Message, receive: Callable[[], Awaitable[Message]], send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = dict(scope["headers"])
        params = _params(headers.get(b"content-type", b"").decode(), body)
        method = scope["path"].rsplit("/", 1)[-1]
        if self.latency:
            await asyncio.sleep(self.latency)
        self.calls += 1
        if method in TO_PEOPLE and self.fail_rate and self.rng.random() < self.fail_rate:
            self.failed += 1
            await _answer(send, *_failure(self.rng))
            return
        result = self._result(method, params)
        chat = self.chats.get(int(params.get("chat_id", 0)))
        if method == "sendMessage" and chat is not None:
            sent = (chat.chat_id, chat.started, params.get("text", ""), params.get("reply_markup", ""))
            self.sent_twice += sent in self._sent
            self._sent.add(sent)
        if chat is not None:
            chat.bot_called(method, params, result)
        await _answer(send, 200, {"ok": True, "result": result})

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Sam"}
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, **extra}

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params, text=params.get("text", ""), **{"from": BOT_USER})
        if method == "sendDocument":
            document = {"file_id": "d", "file_unique_id": "ud", "file_name": "support-plan.html"}
            return self._message(params, document=document, **{"from": BOT_USER})
        if method == "editMessageReplyMarkup":
            return self._message(params, text="…") | {"message_id": int(params["message_id"])}
        return True  # answerCallbackQuery, setMyCommands, ...


def _failure(rng: random.Random) -> tuple[int, dict[str, Any]]:
    """A failure as Telegram gives them: mostly a 500, now and then a 429 with a retry time."""
    if rng.random() < 0.8:
        return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    retry = {"retry_after": 1}
    return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": retry}


async def _answer(send: Any, status: int, body: dict[str, Any]) -> None:
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json")],
    }
    await send(start)
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


@asynccontextmanager
async def running(fake: FakeBotApi) -> AsyncIterator[str]:
    """The fake served by uvicorn inside this process, on a free loopback port."""
    import uvicorn

    config = uvicorn.Config(fake, host=HOST, port=free_port(), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
        await asyncio.sleep(0.01)
    try:
        yield f"http://{HOST}:{config.port}"
    finally:
        server.should_exit = True
        await task


# -- a person on Telegram --------------------------------------------------------------------------


class TelegramChat:
    """One private chat: sends an update, waits for the bot's answer, decides what to send next."""

    def __init__(
        self,
        chat_id: int,
        client: Connection,
        recorder: Recorder,
        rng: random.Random,
        update_ids: itertools.count[int],
    ) -> None:
        self.chat_id = chat_id
        self.client = client
        self.recorder = recorder
        self.rng = rng
        self.update_ids = update_ids
        self.webhook = Recorder(recorder.measure_from, recorder.measure_until)  # the webhook's own answers
        self.keyboard: tuple[int, list[dict[str, str]]] | None = None  # message id, buttons
        self.plan_sent = False
        self.last_words = False  # the answer to the consent is the one message with no buttons
        self.started = 0  # evaluations begun: a new one asks the same first questions again
        self._answered = asyncio.Event()

    def bot_called(self, method: str, params: dict[str, Any], result: Any) -> None:
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        if method == "sendDocument":
            self.plan_sent = True
        if markup and method in {"sendMessage", "editMessageReplyMarkup"}:
            buttons = [button for row in markup["inline_keyboard"] for button in row]
            self.keyboard = (result["message_id"], buttons)
            self._answered.set()  # a new question, or a toggle shown: the update is answered
        elif method == "sendMessage" and self.last_words:
            self._answered.set()

    async def _send(self, update: dict[str, Any]) -> None:
        self._answered.clear()
        began = time.monotonic()
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        try:
            answer = await self.client.post("/telegram/webhook", update, headers)
        except HttpError as error:
            self.recorder.failed(f"webhook: {error}")
            raise
        self.webhook.record(began, time.monotonic())
        if answer.status != 200:
            self.recorder.failed(f"webhook: {answer.status} {answer.text[:200]}")
            raise HttpError(str(answer.status))
        try:
            async with asyncio.timeout(60):
                await self._answered.wait()
        except TimeoutError:
            self.recorder.failed("the bot did not answer an update within 60 s")
            raise HttpError("no answer") from None
        self.recorder.record(began, time.monotonic())

    def _user(self) -> dict[str, Any]:
        return {"id": self.chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}

    def _chat(self) -> dict[str, Any]:
        return {"id": self.chat_id, "type": "private", "first_name": "Sam"}

    async def type(self, text: str) -> None:
        message = {"message_id": next(self.update_ids), "date": int(time.time()), "chat": self._chat()}
        message |= {"from": self._user(), "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self._send({"update_id": next(self.update_ids), "message": message})

    async def press(self, message_id: int, data: str) -> None:
        shown = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(), "text": "…"}
        query = {"id": str(next(self.update_ids)), "from": self._user(), "chat_instance": "b", "data": data}
        await self._send({"update_id": next(self.update_ids), "callback_query": query | {"message": shown}})

    async def evaluation(self) -> bool:
        """From /start to the submission; False if the window closed first."""
        self.plan_sent = self.last_words = False
        self.started += 1
        await self.type("/start")
        for _ in range(MAX_TURNS):
            if self.last_words:
                return True  # the consent was answered: the evaluation is with the board
            if self.recorder.stopping:
                return False
            assert self.keyboard is not None  # noqa: S101 - set by the answer to /start
            message_id, buttons = self.keyboard
            answers = {b["callback_data"].split(":", 1)[1]: b for b in buttons}
            answers = {choice: b for choice, b in answers.items() if not choice.startswith("/")}
            choice = self._choose(answers)
            if choice is None:
                await self.type(self._words())
                continue
            self.last_words = self.plan_sent and choice == "board"
            await self.press(message_id, answers[choice]["callback_data"])
        self.recorder.failed(f"chat {self.chat_id}: no end after {MAX_TURNS} updates")
        raise HttpError("stuck")

    def _choose(self, answers: dict[str, dict[str, str]]) -> str | None:
        """A button, as a person would pick one; None to type instead."""
        for wanted in ("en", "ok"):  # English; and the review is right
            if wanted in answers:
                return wanted
        if self.plan_sent and "board" in answers:
            return "board"  # consent to send it to the board
        if "done" in answers:  # several answers: tap one or two, then done
            options = {c: b for c, b in answers.items() if c not in {"done", "other"}}
            chosen = [c for c, b in options.items() if b["text"].startswith(SELECTED)]
            unchosen = [c for c in options if c not in chosen]
            if unchosen and (not chosen or (len(chosen) < 2 and self.rng.random() < 0.5)):
                return self.rng.choice(unchosen)
            return "done"
        choices = [c for c in answers if c != "other"]
        if not choices or (choices[0].startswith("org") and self.rng.random() < 0.5):
            return None  # a question to answer in words (or a new organisation name)
        return self.rng.choice(choices)

    def _words(self) -> str:
        return self.rng.choice(ORGANISATIONS) if self.rng.random() < 0.3 else sentence(self.rng)

    async def run(self) -> None:
        while not self.recorder.stopping:
            try:
                if await self.evaluation():
                    self.recorder.finished("telegram")
            except HttpError:
                await asyncio.sleep(0.1)


# -- the run ----------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.telegram", description="Telegram updates against an INSERT+COMMIT ceiling."
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default %(default)s")
    parser.add_argument("--chats", type=int, default=50, help="concurrent chats (and ceiling respondents)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds in each phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each phase")
    parser.add_argument("--api-latency", type=float, default=0.0, help="seconds the Bot API takes a call")
    parser.add_argument("--rate", type=int, default=0, help="TELEGRAM_MESSAGES_PER_SECOND (0: no limit)")
    parser.add_argument("--lanes", type=int, default=16, help="TELEGRAM_CONCURRENT_CHATS")
    parser.add_argument(
        "--fail-rate", type=float, default=0.01, help="then again with this share of calls failing (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser


@dataclass
class Run:
    """A run of the chats, and what became of the replies (with Bot API calls failing, or not)."""

    applied: Phase
    webhook: Phase
    failed_calls: int
    lost: int  # replies and notices stored but never sent (or given up), once the run has ended
    sent_twice: int


@dataclass
class Result:
    ceiling: Phase
    applied: Phase
    webhook: Phase
    api_calls: float  # Bot API calls a second
    clean: Run
    failing: Run | None = None


async def _chats(
    server: Server, fake: FakeBotApi, args: argparse.Namespace, name: str = CLEAN_PHASE
) -> tuple[Phase, Phase]:
    start = time.monotonic()
    recorder = Recorder(measure_from=start + args.warmup, measure_until=start + args.warmup + args.seconds)
    update_ids = itertools.count(1)
    clients = [Connection(HOST, server.port) for _ in range(args.chats)]
    chats = [
        TelegramChat(FIRST_CHAT + n, client, recorder, random.Random(args.seed * 100_003 + n), update_ids)
        for n, client in enumerate(clients)
    ]
    fake.chats = {chat.chat_id: chat for chat in chats}
    tasks = [asyncio.create_task(chat.run()) for chat in chats]

    def readings() -> tuple[float, ...]:
        return server.cpu_seconds(), time.process_time(), float(fake.calls)

    (server_cpu, client_cpu, calls), late = await measured(recorder, tasks, clients, readings)
    if late:
        recorder.failed(f"{late} chats still waiting a minute after the end")
    seconds = args.seconds
    common = {"respondents": args.chats, "seconds": seconds, "server_cpu": server_cpu / seconds}
    common |= {"client_cpu": client_cpu / seconds, "database_cpu": 0.0, "other_cpu": 0.0}
    applied = Phase(
        name=name,
        latencies=recorder.latencies,
        errors=recorder.errors,
        first_errors=recorder.first_errors,
        completed=recorder.completed,
        offered=calls / seconds,  # carried to the report: Bot API calls a second
        **common,
    )
    webhook = Phase(
        name="telegram, webhook's own answer",
        latencies=[t for chat in chats for t in chat.webhook.latencies],
        errors=0,
        first_errors=[],
        completed={},
        **common,
    )
    return applied, webhook


async def run(args: argparse.Namespace) -> Result:
    kind: Kind = args.database
    load = {"respondents": args.chats, "seconds": args.seconds, "warmup": args.warmup, "seed": args.seed}
    with tempfile.TemporaryDirectory(prefix="icf-bench-") as folder:
        workdir = Path(folder)
        url = await fresh_database(kind, workdir, "ceiling", args.postgres_url)
        async with ceiling_server(url, workdir) as server:
            ceiling = await drive("ceiling, one INSERT + COMMIT", server, ceiling_respondent(), **load)
        clean = await _telegram(kind, workdir, args, FakeBotApi(latency=args.api_latency))
        failing = None
        if args.fail_rate > 0:
            fake = FakeBotApi(latency=args.api_latency, fail_rate=args.fail_rate)
            failing = await _telegram(kind, workdir, args, fake)
    return Result(ceiling, clean.applied, clean.webhook, clean.applied.offered or 0.0, clean, failing)


async def _telegram(kind: Kind, workdir: Path, args: argparse.Namespace, fake: FakeBotApi) -> Run:
    """One run of the chats against the app on a fresh database; with failures, what they cost."""
    failing = fake.fail_rate > 0
    async with running(fake) as api_url:
        url = await fresh_database(kind, workdir, "failing" if failing else "app", args.postgres_url)
        server = app_server(url, workdir)
        server.env |= {
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TELEGRAM_API_URL": api_url,
            "TELEGRAM_MESSAGES_PER_SECOND": str(args.rate),
            "TELEGRAM_CONCURRENT_CHATS": str(args.lanes),
        }
        async with server:
            name = f"telegram, {fake.fail_rate:.0%} calls failing" if failing else CLEAN_PHASE
            applied, webhook = await _chats(server, fake, args, name)
            await _quiet(url)
            lost = await _lost(url)
    return Run(applied, webhook, fake.failed, lost, fake.sent_twice)


def _owed() -> Any:
    unsent = OutboxMessage.sent_at.is_(None) & OutboxMessage.holds
    return select(func.count()).select_from(OutboxMessage).where(unsent)


async def _quiet(url: str, within: float = 60.0) -> None:
    """Wait until the app has sent every reply still owed (retries come within seconds)."""
    db = create_engine(url)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            async with transaction(db) as connection:
                waiting = await connection.scalar(_owed().where(OutboxMessage.failed_at.is_(None)))
            if not waiting:
                return
            await asyncio.sleep(0.5)
    finally:
        await db.dispose()


async def _lost(url: str) -> int:
    """Replies and notices the app stored and did not send: still waiting, or given up."""
    db = create_engine(url)
    try:
        async with transaction(db) as connection:
            return int(await connection.scalar(_owed()) or 0)
    finally:
        await db.dispose()


def _row(phase: Phase) -> str:
    return (
        f"{phase.name:<36} {phase.per_second:>8.1f} {phase.percentile_ms(50):>7.1f} "
        f"{phase.percentile_ms(95):>7.1f} {phase.percentile_ms(99):>7.1f} {phase.turns:>7} {phase.errors:>6} "
        f"{phase.server_cpu:>6.2f} {phase.client_cpu:>6.2f}"
    )


def report(args: argparse.Namespace, result: Result) -> str:
    name = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    rate = f"at most {args.rate} messages/s" if args.rate else "no rate limit"
    lines = [
        f"{name}: {args.chats} chats, {args.seconds:g} s measured after {args.warmup:g} s warm-up; "
        f"one uvicorn worker; fake Bot API answering in {args.api_latency * 1000:g} ms; {rate}; "
        f"chats applied at once: {args.lanes}",
        "",
        f"{'phase':<36} {'per s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'count':>7} {'errors':>6} "
        f"{'server':>6} {'client':>6}",
        _row(result.ceiling),
        _row(result.applied),
        _row(result.webhook),
        "(server, client: CPU cores busy in the server process and in this one, which runs the fake Bot API)",
        "",
    ]
    ratio = result.applied.per_second / result.ceiling.per_second if result.ceiling.per_second else 0.0
    lines.append(f"telegram updates answered / ceiling: {ratio:.2f}")
    lines.append(f"Bot API calls the app made: {result.api_calls:.0f}/s")
    done = result.applied.completed.get("telegram", 0)
    lines.append(f"evaluations completed to submission over Telegram: {done}")
    lines.append(f"replies lost: {result.clean.lost}; sent twice: {result.clean.sent_twice}")
    failing = result.failing
    if failing is not None:
        phase = failing.applied
        share = failing.failed_calls / max(1, phase.turns)
        lines += [
            "",
            f"with {args.fail_rate:.0%} of the calls to people's chats failing (HTTP 500, some 429):",
            _row(phase),
            f"updates answered: {phase.turns} ({phase.per_second:.1f}/s); Bot API calls failed on purpose: "
            f"{failing.failed_calls} ({share:.2f} an update)",
            f"p95 from update to answer: {phase.percentile_ms(95):.0f} ms "
            f"(p50 {phase.percentile_ms(50):.0f} ms)",
            f"replies lost: {failing.lost}; sent twice: {failing.sent_twice}",
        ]
    for phase in (result.ceiling, result.applied, *([failing.applied] if failing else [])):
        for error in phase.first_errors:
            lines.append(f"error in {phase.name}: {error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result = run_in_loop(run(args))
    print(report(args, result))
    lost = result.failing.lost if result.failing else 0
    failing_errors = result.failing.applied.errors if result.failing else 0
    return 1 if result.ceiling.errors or result.applied.errors or failing_errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
