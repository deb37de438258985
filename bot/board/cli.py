"""``icf board ...``: board accounts and tokens, the organisations list, exports and pulls."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import select

from bot.board.auth import TOKEN_DAYS, BoardAuth, SignedIn
from bot.board.digest import DigestService
from bot.board.exports import ExportRow, csv_bytes, to_json, to_xlsx
from bot.board.pages import board_templates
from bot.board.service import BadInput, BoardService
from bot.ids import RandomIds
from bot.settings import Settings
from bot.translations import SOURCE_LANGUAGE, Catalogs
from dialogs import Engine, load_default_content
from storage import Organisation, create_engine, create_sessionmaker, upgrade_engine, utcnow
from storage.board import MAX_PAGE, QueueFilter
from storage.models import ListedOrganisation

__all__ = [
    "add_user",
    "digest",
    "disable",
    "enable",
    "export",
    "new_token",
    "organisation",
    "pull",
    "revoke",
    "write_export",
]

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


async def _listed_id(board: BoardService, name: str) -> int:
    async with board.sessions() as session:
        found = await session.scalar(
            select(Organisation.id)
            .join(ListedOrganisation, ListedOrganisation.organisation_id == Organisation.id)
            .where(Organisation.name == name)
        )
    if found is None:
        raise ValueError(f"no organisation called {name!r} on the list (see: icf board organisation list)")
    return int(found)


def _languages(board: BoardService, listed: str | None) -> tuple[str, ...]:
    """``ur,pa`` -> ("ur", "pa"): languages the assistant speaks, other than English."""
    codes = tuple(code.strip().lower() for code in (listed or "").split(",") if code.strip())
    known = [code for code in board.catalogs.languages if code != SOURCE_LANGUAGE]
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValueError(f"no such language: {', '.join(unknown)} (languages: {', '.join(known)})")
    return codes


async def add_user(
    settings: Settings,
    email: str,
    role: str,
    organisation: str | None,
    from_stdin: bool,
    languages: str | None = None,
) -> str:
    async with _board(settings) as (auth, board):
        organisation_id = await _listed_id(board, organisation) if organisation else None
        codes = _languages(board, languages)
        await auth.add_user(email, _password(from_stdin), role, organisation_id, codes)
    extra = organisation or ",".join(codes)
    return f"added {email} ({role}{', ' + extra if extra else ''})"


async def new_token(settings: Settings, email: str, name: str, days: int = TOKEN_DAYS) -> str:
    async with _board(settings) as (auth, _):
        return await auth.new_api_token(email, name, days)


async def revoke(settings: Settings, email: str, token_id: int | None) -> str:
    async with _board(settings) as (auth, _):
        count = await auth.revoke_tokens(email, token_id)
    return f"revoked {count} token{'' if count == 1 else 's'} of {email}"


async def disable(settings: Settings, email: str) -> str:
    async with _board(settings) as (auth, _):
        await auth.disable(email)
    return f"disabled {email}: its sessions and tokens have ended"


async def enable(settings: Settings, email: str) -> str:
    async with _board(settings) as (auth, _):
        await auth.enable(email)
    return f"enabled {email}: it can sign in again (old tokens stay revoked)"


async def organisation(settings: Settings, action: str, names: list[str]) -> str:
    """list; add NAME; rename OLD NEW; merge FROM INTO (FROM may be a typed name still to check)."""
    async with _board(settings) as (_, board):
        try:
            if action == "list":
                listed = await board.organisations()
                checks = await board.organisations_to_check(COMMAND_LINE)
                lines = [f"{o.name}\t{o.evaluations}" for o in listed]
                lines += [f"{o.name}\t{o.evaluations}\tnew organisation: check (id {o.id})" for o in checks]
                return "\n".join(lines) or "no organisations yet"
            if action == "add":
                await board.change_organisations(COMMAND_LINE, "add", name=names[0])
                return f"added {names[0]!r} to the list"
            if action == "rename":
                found = await _listed_id(board, names[0])
                await board.change_organisations(COMMAND_LINE, "rename", organisation_id=found, name=names[1])
                return f"renamed {names[0]!r} to {names[1]!r}"
            source = await _any_id(board, names[0])
            target = await _listed_id(board, names[1])
            moved = await board.change_organisations(
                COMMAND_LINE, "merge", source_id=source, target_id=target
            )
            return f"merged {names[0]!r} into {names[1]!r} ({moved} evaluations moved)"
        except BadInput as error:
            raise ValueError(str(error)) from None


async def _any_id(board: BoardService, name: str) -> int:
    async with board.sessions() as session:
        found = await session.scalar(select(Organisation.id).where(Organisation.name == name))
    if found is None:
        raise ValueError(f"no organisation called {name!r}")
    return int(found)


async def digest(settings: Settings, email: str | None, wanted: bool | None) -> str:
    """``digest run``: send today's digests now (each goes once); ``digest EMAIL on|off``: ask for it."""
    async with _board(settings) as (auth, board):
        if email is not None and wanted is not None:
            await auth.want_digest(email, wanted)
            return f"{email} {'gets' if wanted else 'no longer gets'} the daily digest"
        service = DigestService(board.sessions, settings, board_templates(), utcnow)
        if not service.configured:
            raise ValueError("set ICF_SMTP_URL or ICF_WEBHOOK_URL to send the digest")
        sent = await service.run()
    return "\n".join(f"sent the digest by {line}" for line in sent) or "nothing to send"


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
        output.write_bytes(csv_bytes(rows))  # with a byte order mark, for Excel


async def pull(settings: Settings) -> list[str]:
    """Pull every new submission, a page at a time: exactly the ones listed, so none goes unseen."""
    pulled: list[str] = []
    async with _board(settings) as (_, board):
        while True:
            page = await board.queue(COMMAND_LINE, QueueFilter("new"), None, MAX_PAGE)
            if not page.rows:
                return sorted(pulled)
            result = await board.pull(COMMAND_LINE, [row.evaluation_id for row in page.rows])
            pulled += result.pulled
            if not result.pulled:
                return sorted(pulled)
