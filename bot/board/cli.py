"""``icf board ...`` and ``icf demo seed``: board accounts, exports and pulls from the command line."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import select

from bot.board.auth import BoardAuth, SignedIn
from bot.board.exports import ExportRow, to_csv, to_json, to_xlsx
from bot.board.service import BoardService
from bot.ids import RandomIds
from bot.settings import Settings
from bot.translations import Catalogs
from dialogs import Engine, load_default_content
from storage import Organisation, create_engine, create_sessionmaker, upgrade_engine, utcnow
from storage.board import QueueFilter

__all__ = ["add_user", "export", "new_token", "pull", "write_export"]

COMMAND_LINE = SignedIn(user_id=0, email="command line", role="board", organisation_id=None)


@asynccontextmanager
async def _board(settings: Settings) -> AsyncIterator[tuple[BoardAuth, BoardService]]:
    db = create_engine(settings.database_url)
    try:
        await upgrade_engine(db)
        sessions = create_sessionmaker(db)
        engine = Engine(load_default_content(), RandomIds())
        yield (
            BoardAuth(sessions, settings.secret_key, utcnow),
            BoardService(sessions, engine, Catalogs(), settings.secret_key, utcnow),
        )
    finally:
        await db.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 or more characters): ")
    if first != getpass.getpass("The same again: "):
        raise ValueError("the two passwords differ")
    return first


async def add_user(
    settings: Settings, email: str, role: str, organisation: str | None, from_stdin: bool
) -> str:
    async with _board(settings) as (auth, board):
        organisation_id = None
        if organisation:
            async with board.sessions() as session:
                organisation_id = await session.scalar(
                    select(Organisation.id).where(Organisation.name == organisation)
                )
            if organisation_id is None:
                raise ValueError(f"no organisation called {organisation!r} has taken part yet")
        await auth.add_user(email, _password(from_stdin), role, organisation_id)
    return f"added {email} ({role}{', ' + organisation if organisation else ''})"


async def new_token(settings: Settings, email: str, name: str) -> str:
    async with _board(settings) as (auth, _):
        return await auth.new_api_token(email, name)


async def export(settings: Settings, year: int | None, fmt: str) -> list[ExportRow]:
    async with _board(settings) as (_, board):
        return await board.export(COMMAND_LINE, year, f"command line {fmt}")


def write_export(rows: list[ExportRow], fmt: str, output: Path) -> None:
    if fmt == "xlsx":
        output.write_bytes(to_xlsx(rows))
    elif fmt == "json":
        output.write_text(
            json.dumps(to_json(rows), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    else:
        output.write_text(to_csv(rows), encoding="utf-8")


async def pull(settings: Settings) -> list[str]:
    async with _board(settings) as (_, board):
        return list(await board.pull(COMMAND_LINE, QueueFilter("new")))
