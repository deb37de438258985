"""The ``icf`` command: serve the web app, chat in a terminal, upgrade the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
    chat.add_argument(
        "--return-code", metavar="CODE", help="start next year's evaluation from the one that gave this code"
    )
    chat.add_argument("--language", help="language to start in, such as ur or pl")
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations")
    retention = commands.add_parser("retention", help="remove what is kept no longer (ICF_RETENTION_DAYS)")
    retention.add_subparsers(dest="retention_command", required=True).add_parser(
        "run", help="remove evaluations never sent and untouched for ICF_RETENTION_DAYS, now"
    )
    qr = commands.add_parser(
        "qr", help="write a QR code (PNG and SVG) of the chat's public link, for posters"
    )
    qr.add_argument("-o", "--output", default="icf-chat-qr", help="file name without extension")
    qr.add_argument("--url", help="the address to encode (default ICF_PUBLIC_URL)")
    telegram = commands.add_parser(
        "telegram", help="run the Telegram bot by polling, or register its webhook"
    )
    telegram.add_argument(
        "--polling", action="store_true", help="fetch updates from Telegram (no public address)"
    )
    telegram_commands = telegram.add_subparsers(dest="telegram_command")
    telegram_commands.add_parser(
        "set-webhook", help="register ICF_PUBLIC_URL/telegram/webhook and the command menu"
    )
    _board_parser(commands)
    demo = commands.add_parser("demo", help="try the board area with made-up data")
    demo.add_subparsers(dest="demo_command", required=True).add_parser(
        "seed", help="fill the database with a realistic year of evaluations from several organisations"
    )
    i18n = commands.add_parser("i18n", help="translation catalogs")
    i18n_commands = i18n.add_subparsers(dest="i18n_command", required=True)
    i18n_commands.add_parser("extract", help="write locales/messages.pot from the code and the content")
    init = i18n_commands.add_parser("init", help="start a catalog for a new language")
    init.add_argument("language")
    i18n_commands.add_parser("update", help="merge new messages from messages.pot into every catalog")
    i18n_commands.add_parser("check", help="every catalog complete, nothing fuzzy, placeholders kept")
    return parser


def _i18n(command: str, language: str | None) -> int:
    from bot import i18n_tools

    if command == "extract":
        print(f"icf: wrote {i18n_tools.extract()}")
    elif command == "init" and language:
        i18n_tools.init(language)
    elif command == "update":
        i18n_tools.update()
    elif command == "check":
        reports = i18n_tools.check_all()
        for report in reports:
            state = "ok" if report.ok else f"{len(report.problems)} problems"
            print(
                f"{report.language}: {report.total} messages, {state}, review: {report.review_status or '?'}"
            )
            for problem in report.problems[:20]:
                print(f"  {problem}")
        return 0 if all(r.ok for r in reports) else 1
    return 0


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from bot.web import create_app
    from storage import upgrade

    upgrade(settings.database_url)
    uvicorn.run(
        create_app(settings, freeze_heap=True, keep_sums=True),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


def _board_parser(commands: Any) -> None:
    board = commands.add_parser("board", help="board accounts, organisations, exports and pulls")
    tasks = board.add_subparsers(dest="board_command", required=True)
    add = tasks.add_parser("add-user", help="add a board account (asks for the password)")
    add.add_argument("email")
    add.add_argument("--role", choices=["board", "org-lead", "translator"], required=True)
    add.add_argument("--organisation", help="the organisation an org-lead speaks for (its name on the list)")
    add.add_argument("--languages", help="the languages a translator reads, such as ur,pa")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    token = tasks.add_parser("token", help="make an API token for scripts (shown once), or revoke tokens")
    token.add_argument("email_or_revoke", metavar="EMAIL | revoke")
    token.add_argument("email", nargs="?", help="with revoke: whose tokens")
    token.add_argument("--name", default="script")
    token.add_argument("--days", type=int, default=90, help="how long the token works (1 to 366 days)")
    token.add_argument("--id", type=int, help="with revoke: only this token (default: all of them)")
    for name, what in (
        ("disable", "no more sign-in; ends its sessions and tokens"),
        ("enable", "sign in again"),
    ):
        tasks.add_parser(name, help=f"an account: {what}").add_argument("email")
    organisation = tasks.add_parser("organisation", help="the list of organisations the chat offers")
    actions = organisation.add_subparsers(dest="organisation_command", required=True)
    actions.add_parser("list", help="the list, then the typed names still to check")
    actions.add_parser("add", help="put a name on the list").add_argument("name")
    rename = actions.add_parser("rename", help="rename one on the list")
    rename.add_argument("name")
    rename.add_argument("new_name")
    merge = actions.add_parser("merge", help="move everything under one name to another on the list")
    merge.add_argument("name")
    merge.add_argument("into")
    digest = tasks.add_parser("digest", help="the daily digest: send it now, or ask for it by e-mail")
    digest.add_argument("email_or_run", metavar="run | EMAIL")
    digest.add_argument("wanted", nargs="?", choices=["on", "off"], help="with EMAIL: get it or not")
    export = tasks.add_parser("export", help="one row per evaluation and approach")
    export.add_argument("--year", type=int, help="the year it counts in (default: every year)")
    export.add_argument("--format", choices=["xlsx", "csv", "json"], default="xlsx")
    export.add_argument("-o", "--output", required=True)
    tasks.add_parser("pull", help="mark every new submission as pulled, and list them")


def _organisation_names(args: Any) -> list[str]:
    command = args.organisation_command
    if command == "add":
        return [args.name]
    if command == "rename":
        return [args.name, args.new_name]
    if command == "merge":
        return [args.name, args.into]
    return []


def _token(settings: Settings, args: Any) -> None:
    from bot.board import cli as board

    if args.email_or_revoke == "revoke":
        if not args.email:
            raise ValueError("say whose tokens: icf board token revoke EMAIL [--id N]")
        print("icf: " + asyncio.run(board.revoke(settings, args.email, args.id)))
        return
    print(asyncio.run(board.new_token(settings, args.email_or_revoke, args.name, args.days)))
    print(
        f"icf: keep this token secret; it is not shown again; it works for {args.days} days", file=sys.stderr
    )


async def _digest(settings: Settings, args: Any) -> str:
    from bot.board import cli as board

    if args.email_or_run == "run":
        return await board.digest(settings, None, None)
    if args.wanted is None:
        raise ValueError("say on or off: icf board digest EMAIL on")
    return await board.digest(settings, args.email_or_run, args.wanted == "on")


def _board(settings: Settings, args: Any) -> int:
    from bot.board import cli as board

    try:
        if args.board_command == "add-user":
            print(
                "icf: "
                + asyncio.run(
                    board.add_user(
                        settings,
                        args.email,
                        args.role,
                        args.organisation,
                        args.password_stdin,
                        args.languages,
                    )
                )
            )
        elif args.board_command == "token":
            _token(settings, args)
        elif args.board_command in ("disable", "enable"):
            change = board.disable if args.board_command == "disable" else board.enable
            print("icf: " + asyncio.run(change(settings, args.email)))
        elif args.board_command == "organisation":
            print(
                asyncio.run(
                    board.organisation(settings, args.organisation_command, _organisation_names(args))
                )
            )
        elif args.board_command == "digest":
            print("icf: " + asyncio.run(_digest(settings, args)))
        elif args.board_command == "export":
            rows = asyncio.run(board.export(settings, args.year, args.format))
            board.write_export(rows, args.format, Path(args.output))
            print(f"icf: wrote {len(rows)} rows to {args.output}")
        elif args.board_command == "pull":
            references = asyncio.run(board.pull(settings))
            print("\n".join(references) or "icf: nothing new")
    except ValueError as error:
        print(f"icf: {error}", file=sys.stderr)
        return 2
    return 0


def write_qr(url: str, output: str) -> list[Path]:
    """A QR code of ``url`` as PNG (for printing) and SVG (for any size), with a quiet zone."""
    import segno

    code = segno.make(url, error="q")
    paths = [Path(f"{output}.png"), Path(f"{output}.svg")]
    code.save(str(paths[0]), scale=12, border=4)
    code.save(str(paths[1]), scale=12, border=4, title=url)
    return paths


def _telegram(settings: Settings, polling: bool, command: str | None) -> int:
    from bot.telegram import cli

    try:
        if command == "set-webhook":
            print(f"icf: webhook set to {asyncio.run(cli.set_webhook(settings))}")
        elif polling:
            asyncio.run(cli.poll(settings))
        else:
            print(
                "icf: say how to run Telegram: icf telegram --polling, or icf telegram set-webhook",
                file=sys.stderr,
            )
            return 2
    except SettingsError as error:
        print(f"icf: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "i18n":
        return _i18n(args.i18n_command, getattr(args, "language", None))
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"icf: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        try:
            settings.check_can_serve(args.host)
        except SettingsError as error:
            print(f"icf: {error}", file=sys.stderr)
            return 2
        _serve(settings, args.host, args.port)
    elif args.command == "chat":
        from bot.cli.chat import run_chat

        run_chat(settings, args.resume, args.language, sys.stdout, args.return_code)
    elif args.command == "board":
        return _board(settings, args)
    elif args.command == "demo":
        from bot.board.demo import seed

        print(f"icf: {asyncio.run(seed(settings))}")
    elif args.command == "retention":
        from bot.retention import run_once

        report = asyncio.run(run_once(settings))
        kept = (
            f"{settings.retention_days} days"
            if settings.retention_days
            else "for ever (ICF_RETENTION_DAYS=0)"
        )
        print(
            f"icf: removed {report.evaluations} evaluations never sent (kept {kept}) "
            f"and {report.telegram_updates} old Telegram updates"
        )
    elif args.command == "qr":
        for path in write_qr(args.url or f"{settings.public_url}/", args.output):
            print(f"icf: wrote {path}")
    elif args.command == "telegram":
        return _telegram(settings, args.polling, args.telegram_command)
    elif args.command == "db":
        from storage import upgrade

        upgrade(settings.database_url)
        print("icf: the database is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
