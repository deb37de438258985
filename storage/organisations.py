"""Organisations: the list board staff keep, and the names people type that are not on it yet.

The chat offers only listed names (``known_organisations``). A name typed that is not on the list
gets an organisation row of its own that nobody but board staff ever sees (as "new organisation:
check"); staff accept it onto the list or merge it into a listed one. No typed text from one person
reaches another respondent, by a button or by search.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.conversations import Conversation, save
from storage.models import Base, Evaluation, ListedOrganisation, Organisation, Submission
from storage.retention import unused_organisation

__all__ = [
    "BIDI_CONTROLS",
    "NameTaken",
    "OrganisationRow",
    "accept",
    "add",
    "clean_name",
    "known_organisations",
    "link_organisation",
    "listed",
    "merge",
    "pending",
    "rename",
]

ORGANISATIONS = cast(Table, Organisation.__table__)
LISTED = cast(Table, ListedOrganisation.__table__)
EVALUATIONS = cast(Table, Evaluation.__table__)
MAX_NAME = 200
# Characters that reorder the text around them (Unicode bidirectional embeddings, overrides and
# isolates, and the marks): in a name they only ever disguise it ("Org \u202egnp.exe").
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DROP_BIDI = {ord(c): None for c in BIDI_CONTROLS}


class NameTaken(ValueError):
    """Another organisation already has that name: merge them instead."""


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    id: int
    name: str
    evaluations: int  # evaluations that name it, sent or not
    listed: bool


def clean_name(name: str) -> str:
    """One line, no control or direction-changing characters, spaces squeezed, at most 200 characters."""
    kept = "".join(c for c in name.translate(_DROP_BIDI) if unicodedata.category(c)[0] != "C" or c == " ")
    return " ".join(kept.split())[:MAX_NAME]


def _same_name(name: str) -> Any:
    return func.lower(ORGANISATIONS.c.name) == name.lower()


_IS_LISTED = exists().where(LISTED.c.organisation_id == ORGANISATIONS.c.id)
_LISTED_NAMES = (
    select(ORGANISATIONS.c.name)
    .where(_IS_LISTED)
    .order_by(func.lower(ORGANISATIONS.c.name))
    .limit(bindparam("limit"))
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def known_organisations(connection: AsyncConnection, search: str = "", limit: int = 8) -> list[str]:
    """Listed names only, alphabetical; with ``search``, those containing it (any case)."""
    query = _LISTED_NAMES
    wanted = clean_name(search)
    if wanted:
        pattern = f"%{_escape_like(wanted.lower())}%"
        query = query.where(func.lower(ORGANISATIONS.c.name).like(pattern, escape="\\"))
    return list((await connection.execute(query, {"limit": max(0, limit)})).scalars())


async def _listed_id(connection: AsyncConnection, name: str) -> int | None:
    query = select(ORGANISATIONS.c.id).where(_same_name(name), _IS_LISTED)
    return (await connection.execute(query)).scalar()


async def link_organisation(
    connection: AsyncConnection, conversation: Conversation, name: str | None
) -> None:
    """Point the conversation at the organisation named.

    A listed name (any case) links to the listed organisation. Any other name gets a row that only
    this evaluation points at, so one person's typing is never matched, offered or shown to another.
    The name it pointed at before is forgotten once nothing points at it (a typo put right, a
    deletion); the conversation is saved first, so its own old pointer does not keep the name alive.
    """
    previous: int | None = conversation.organisation_id
    found: int | None = None
    cleaned = clean_name(name or "")
    if cleaned:
        found = await _listed_id(connection, cleaned)
        if found is None:
            found = await _private_row(connection, cleaned, conversation.id)
    conversation.organisation_id = found
    if previous is not None and previous != found:
        await save(connection, conversation)
        await connection.execute(delete(ORGANISATIONS).where(*unused_organisation(previous)))


async def _private_row(connection: AsyncConnection, name: str, evaluation_id: str) -> int:
    """A new unlisted organisation row for one evaluation's typed name.

    ``organisations.name`` is unique, so a second person typing the same unlisted name gets the name
    with the evaluation's id appended out of sight ("<name> · <id>" is never shown to respondents;
    board staff see it in the check list and merge the two).
    """
    taken = (await connection.execute(select(ORGANISATIONS.c.id).where(_same_name(name)))).scalar()
    stored = name if taken is None else f"{name[: MAX_NAME - 35]} · {evaluation_id}"
    result = await connection.execute(insert(ORGANISATIONS).values(name=stored))
    return cast(int, result.inserted_primary_key[0])  # type: ignore[index]


# -- the board's list ------------------------------------------------------------------------------


def _counted() -> Any:
    return (
        select(func.count())
        .select_from(EVALUATIONS)
        .where(EVALUATIONS.c.organisation_id == ORGANISATIONS.c.id)
        .scalar_subquery()
    )


async def listed(connection: AsyncConnection) -> list[OrganisationRow]:
    query = select(ORGANISATIONS.c.id, ORGANISATIONS.c.name, _counted()).where(_IS_LISTED)
    rows = await connection.execute(query.order_by(func.lower(ORGANISATIONS.c.name), ORGANISATIONS.c.id))
    return [OrganisationRow(i, n, c, True) for i, n, c in rows]


async def pending(
    connection: AsyncConnection, sent_since: datetime | None = None, sent_until: datetime | None = None
) -> list[OrganisationRow]:
    """Typed names not on the list that something was sent under: the board's "new organisation: check"
    (with ``sent_since``/``sent_until``, only those sent under in that time).

    Names only in drafts or kept evaluations are nobody's business but their author's.
    """
    sent = exists().where(
        Submission.evaluation_id == EVALUATIONS.c.id, EVALUATIONS.c.organisation_id == ORGANISATIONS.c.id
    )
    if sent_since is not None:
        sent = sent.where(Submission.queued_at >= sent_since)
    if sent_until is not None:
        sent = sent.where(Submission.queued_at < sent_until)
    query = select(ORGANISATIONS.c.id, ORGANISATIONS.c.name, _counted()).where(~_IS_LISTED, sent)
    rows = await connection.execute(query.order_by(ORGANISATIONS.c.id))
    return [OrganisationRow(i, n, c, False) for i, n, c in rows]


async def add(connection: AsyncConnection, name: str, by: str, now: datetime) -> int:
    """Put a name on the list: a new organisation, or an unlisted one of that name accepted."""
    cleaned = clean_name(name)
    if not cleaned:
        raise ValueError("an organisation needs a name")
    found = (await connection.execute(select(ORGANISATIONS.c.id).where(_same_name(cleaned)))).scalar()
    if found is None:
        result = await connection.execute(insert(ORGANISATIONS).values(name=cleaned, created_at=now))
        found = cast(int, result.inserted_primary_key[0])  # type: ignore[index]
    elif await _is_listed(connection, found):
        raise NameTaken(cleaned)
    await _list(connection, found, by, now)
    return found


async def _is_listed(connection: AsyncConnection, organisation_id: int) -> bool:
    query = select(LISTED.c.organisation_id).where(LISTED.c.organisation_id == organisation_id)
    return (await connection.execute(query)).first() is not None


async def _list(connection: AsyncConnection, organisation_id: int, by: str, now: datetime) -> None:
    await connection.execute(
        insert(LISTED).values(organisation_id=organisation_id, listed_at=now, listed_by=by[:254])
    )


async def _exists(connection: AsyncConnection, organisation_id: int) -> bool:
    query = select(ORGANISATIONS.c.id).where(ORGANISATIONS.c.id == organisation_id)
    return (await connection.execute(query)).first() is not None


async def accept(
    connection: AsyncConnection, organisation_id: int, by: str, now: datetime, name: str | None = None
) -> None:
    """Put a typed name on the list, as typed or as ``name`` (staff may tidy it)."""
    if not await _exists(connection, organisation_id):
        raise LookupError(organisation_id)
    if name is not None:
        await rename(connection, organisation_id, name)
    if not await _is_listed(connection, organisation_id):
        await _list(connection, organisation_id, by, now)


async def rename(connection: AsyncConnection, organisation_id: int, name: str) -> None:
    cleaned = clean_name(name)
    if not cleaned:
        raise ValueError("an organisation needs a name")
    if not await _exists(connection, organisation_id):
        raise LookupError(organisation_id)
    query = select(ORGANISATIONS.c.id).where(_same_name(cleaned), ORGANISATIONS.c.id != organisation_id)
    if (await connection.execute(query)).first() is not None:
        raise NameTaken(cleaned)
    await connection.execute(
        update(ORGANISATIONS).where(ORGANISATIONS.c.id == organisation_id).values(name=cleaned)
    )


async def merge(connection: AsyncConnection, source_id: int, target_id: int) -> int:
    """Everything under ``source`` moves to the listed ``target``; ``source`` goes. Returns how many
    evaluations moved. Every table that points at organisations is followed, so none is forgotten."""
    if source_id == target_id:
        raise ValueError("an organisation cannot be merged into itself")
    if not await _exists(connection, source_id):
        raise LookupError(source_id)
    if not await _is_listed(connection, target_id):
        raise LookupError(target_id)
    await connection.execute(delete(LISTED).where(LISTED.c.organisation_id == source_id))
    moved = 0
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is ORGANISATIONS and table is not LISTED:
                result = await connection.execute(
                    update(table).where(fk.parent == source_id).values({fk.parent.name: target_id})
                )
                if table is EVALUATIONS:
                    moved = int(result.rowcount)
    await connection.execute(delete(ORGANISATIONS).where(ORGANISATIONS.c.id == source_id))
    return moved
