"""CPU time of one chat turn, in this process, without HTTP: where a turn's time goes.

    python -m benchmarks.turn_cost --evaluations 40 [--profile 25]

The load benchmarks (benchmarks.turns) measure throughput over loopback, which drifts with this
virtual machine's speed. This measures CPU seconds per turn (``time.process_time``), which drifts less:
complete evaluations one after another on a fresh SQLite file, first through ``ChatService`` alone, then
through the whole ASGI app (middleware, routing, validation, JSON) called directly, with no server.
The difference between the two is the web framework's share; what the HTTP server adds on top is the
load benchmark's figure minus the second. ``--profile N`` prints the N functions with the most time
of their own under cProfile (which slows everything down several times; its shares are what count).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any

from benchmarks.load import next_input
from benchmarks.servers import SECRET_KEY
from benchmarks.turns import run_in_loop
from bot.ids import RandomIds
from bot.service import ChatService
from bot.settings import Settings
from bot.translations import Catalogs
from bot.web import create_app
from bot.web.routes.chat import WEB
from dialogs import Engine, Event, load_default_content
from storage import create_engine, upgrade_engine

__all__ = ["main"]

Message = MutableMapping[str, Any]
Turn = Callable[[dict[str, Any] | None, dict[str, Any]], Awaitable[dict[str, Any]]]


async def evaluation(turn: Turn, rng: random.Random) -> int:
    """One complete evaluation; returns the number of turns it took."""
    conversation = await turn(None, {})
    scope = "annual" if rng.random() < 0.5 else "activity"
    turns = 1
    while conversation["step"] != "finished":
        said = next_input(conversation, scope, rng)
        said["client_message_id"] = f"{rng.getrandbits(64):016x}"
        conversation = await turn(conversation, said)
        turns += 1
    return turns


def service_turns(service: ChatService) -> Turn:
    async def turn(conversation: dict[str, Any] | None, said: dict[str, Any]) -> dict[str, Any]:
        if conversation is None:
            result = await service.start(WEB)
            token = result.token or ""
        else:
            token = conversation["token"]
            event = Event.text(said["text"]) if "text" in said else Event.choice(said["choice"])
            cid = said["client_message_id"]
            result = await service.send(conversation["conversation_id"], token, event, WEB, cid)
        return {
            "conversation_id": result.evaluation_id,
            "token": token,
            "step": result.step,
            "replies": result.replies,
        }

    return turn


def app_turns(app: Callable[..., Awaitable[None]]) -> Turn:
    async def call(path: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        raw = json.dumps(body).encode()
        headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
        headers += [(b"content-length", str(len(raw)).encode())]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        messages = [{"type": "http.request", "body": raw, "more_body": False}]
        sent: list[Message] = []

        async def receive() -> Message:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client never goes away
            raise AssertionError("unreachable")

        async def send(message: Message) -> None:
            sent.append(message)

        await app(scope, receive, send)
        status = sent[0]["status"]
        answer = b"".join(m.get("body", b"") for m in sent[1:])
        if status >= 400:
            raise RuntimeError(f"{path}: {status} {answer[:200]!r}")
        data: dict[str, Any] = json.loads(answer)
        return data

    async def turn(conversation: dict[str, Any] | None, said: dict[str, Any]) -> dict[str, Any]:
        if conversation is None:
            return await call("/api/conversations", {}, None)
        path = f"/api/conversations/{conversation['conversation_id']}/messages"
        answer = await call(path, said, conversation["token"])
        return answer | {"token": conversation["token"]}

    return turn


async def measure(name: str, turn: Turn, args: argparse.Namespace) -> str:
    rng = random.Random(args.seed)
    for _ in range(3):  # warm up: catalogs, compiled statements, babel's locale data
        await evaluation(turn, rng)
    profile = cProfile.Profile() if args.profile else None
    turns, began = 0, time.process_time()
    if profile:
        profile.enable()
    for _ in range(args.evaluations):
        turns += await evaluation(turn, rng)
    if profile:
        profile.disable()
    spent = time.process_time() - began
    slower = " (under cProfile: several times slower than without)" if profile else ""
    lines = [f"{name:<40} {1000 * spent / turns:7.3f} ms CPU a turn ({turns} turns){slower}"]
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
        lines.append(out.getvalue())
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="icf-turn-cost-") as folder:
        env = {
            "ICF_DATA_DIR": folder,
            "ICF_SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{folder}/service.db",
        }
        env |= {"ICF_RATE_PER_CLIENT": "100000000", "ICF_RATE_PER_CONVERSATION": "100000000"}
        settings = Settings.from_env(env)
        db = create_engine(settings.database_url)
        try:
            await upgrade_engine(db)
            engine = Engine(load_default_content(), RandomIds(), max_text=settings.max_text)
            service = ChatService(engine, db, Catalogs(), settings)
            alone = await measure("the turn service alone", service_turns(service), args)
        finally:
            await db.dispose()
        app = create_app(replace(settings, database_url=f"sqlite:///{folder}/app.db"))  # a fresh file
        async with app.router.lifespan_context(app):
            whole = await measure("the whole ASGI app, no HTTP server", app_turns(app), args)
    return f"Python {sys.version.split()[0]}, SQLite, pid {os.getpid()}\n{alone}\n{whole}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.turn_cost", description=__doc__)
    parser.add_argument("--evaluations", type=int, default=40, help="complete evaluations measured")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions (cProfile)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(run_in_loop(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
