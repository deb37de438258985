"""The ``icf`` command: serve the web app, chat in a terminal, upgrade the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.settings import Settings, SettingsError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="icf", description="The ICF self-evaluation assistant.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and serve the web chat")
    serve.add_argument("--host", help="address to listen on (default ICF_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default ICF_PORT or 8000)")
    chat = commands.add_parser("chat", help="run the conversation in this terminal")
    chat.add_argument("--resume", metavar="CODE", help="carry on with a resume code")
    chat.add_argument("--language", help="language to start in, such as ur or pl")
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations")
    return parser


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from bot.web import create_app
    from storage import upgrade

    upgrade(settings.database_url)
    uvicorn.run(
        create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"icf: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        _serve(settings, args.host, args.port)
    elif args.command == "chat":
        from bot.cli.chat import run_chat

        asyncio.run(run_chat(settings, args.resume, args.language, sys.stdout))
    elif args.command == "db":
        from storage import upgrade

        upgrade(settings.database_url)
        print("icf: the database is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
