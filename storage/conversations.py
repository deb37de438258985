"""A conversation's row and transcript, read and written with plain SQL statements: every turn's work.

A turn runs for every message anyone sends. Through the ORM (load the object, track its changes,
flush them through the unit of work) it cost several times the statements themselves; here each
statement is built once and runs on the turn's connection. The board, retention and exports keep
the ORM model (storage.models.Evaluation) on the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import outbox, translations
from storage.models import Evaluation, EvaluationPart, Reminder, Submission, TranscriptEntry

__all__ = [
    "Conversation",
    "ConversationChanged",
    "Sent",
    "add",
    "add_transcripts",
    "by_resume_code",
    "by_return_code",
    "by_token",
    "erase",
    "last_replies",
    "load",
    "replies_to",
    "save",
    "transcript_row",
]

EVALUATIONS = cast(Table, Evaluation.__table__)
TRANSCRIPTS = cast(Table, TranscriptEntry.__table__)
REMINDERS = cast(Table, Reminder.__table__)


class ConversationChanged(RuntimeError):
    """Another turn saved the conversation first (its version moved on): try the turn again."""


@dataclass(slots=True)
class Conversation:
    """One row of ``evaluations``, as plain data: the names are the columns'."""

    id: str
    channel: str
    language: str
    content_version: str
    status: str
    step: str
    state: dict[str, Any]
    answers: dict[str, Any]
    access_token_hash: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    scope: str | None = None
    organisation_id: int | None = None
    resume_code_hash: str | None = None
    resume_expires_at: datetime | None = None
    completed_at: datetime | None = None
    submitted_at: datetime | None = None
    return_code_hash: str | None = None
    follows_id: str | None = None


_NAMES = tuple(f.name for f in fields(Conversation))
_CHANGING = tuple(name for name in _NAMES if name not in {"id", "created_at", "channel", "version"})
_SELECT = select(*(EVALUATIONS.c[name] for name in _NAMES))
# Built once: building a statement costs more than running it on SQLite.
_BY_ID = _SELECT.where(EVALUATIONS.c.id == bindparam("evaluation_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()  # PostgreSQL: one turn at a time per conversation
_BY_TOKEN = _SELECT.where(EVALUATIONS.c.access_token_hash == bindparam("token_hash"))
_BY_CODE = _SELECT.where(
    EVALUATIONS.c.resume_code_hash == bindparam("code_hash"),
    EVALUATIONS.c.resume_expires_at > bindparam("now"),
).with_for_update()
_BY_RETURN_CODE = _SELECT.where(EVALUATIONS.c.return_code_hash == bindparam("code_hash"))
_INSERT = insert(EVALUATIONS)
# Every column a turn may change, and the version, which must be the one that was read.
_SAVE = update(EVALUATIONS).where(
    EVALUATIONS.c.id == bindparam("b_id"), EVALUATIONS.c.version == bindparam("b_version")
)
_ADD_TRANSCRIPT = insert(TRANSCRIPTS)
_REPLY_PAYLOADS = (
    select(TRANSCRIPTS.c.direction, TRANSCRIPTS.c.payload)
    .where(TRANSCRIPTS.c.evaluation_id == bindparam("evaluation_id"), TRANSCRIPTS.c.id > bindparam("after"))
    .order_by(TRANSCRIPTS.c.id)
)
_SENT_WITH_ID = select(TRANSCRIPTS.c.id, TRANSCRIPTS.c.text, TRANSCRIPTS.c.payload).where(
    TRANSCRIPTS.c.evaluation_id == bindparam("evaluation_id"),
    TRANSCRIPTS.c.client_message_id == bindparam("client_message_id"),
)


def _conversation(row: Row[Any] | None) -> Conversation | None:
    return None if row is None else Conversation(*tuple(row))


async def load(
    connection: AsyncConnection, evaluation_id: str, *, for_update: bool = False
) -> Conversation | None:
    query = _BY_ID_FOR_UPDATE if for_update else _BY_ID
    return _conversation((await connection.execute(query, {"evaluation_id": evaluation_id})).first())


async def by_token(connection: AsyncConnection, token_hash: str) -> Conversation | None:
    return _conversation((await connection.execute(_BY_TOKEN, {"token_hash": token_hash})).first())


async def by_resume_code(connection: AsyncConnection, code_hash: str, now: datetime) -> Conversation | None:
    """The conversation a code that has not expired belongs to, locked for the turn that uses it."""
    result = await connection.execute(_BY_CODE, {"code_hash": code_hash, "now": now})
    return _conversation(result.first())


async def by_return_code(connection: AsyncConnection, code_hash: str) -> Conversation | None:
    """The evaluation a return code was given with: it stays usable, year after year."""
    return _conversation((await connection.execute(_BY_RETURN_CODE, {"code_hash": code_hash})).first())


async def add(connection: AsyncConnection, conversation: Conversation) -> None:
    await connection.execute(_INSERT, {name: getattr(conversation, name) for name in _NAMES})


async def save(connection: AsyncConnection, conversation: Conversation) -> None:
    """Write the conversation back and move its version on; ConversationChanged if it moved meanwhile."""
    values = {name: getattr(conversation, name) for name in _CHANGING}
    values.update(version=conversation.version + 1, b_id=conversation.id, b_version=conversation.version)
    result = await connection.execute(_SAVE, values)
    if result.rowcount != 1:
        raise ConversationChanged(conversation.id)
    conversation.version += 1


def transcript_row(
    conversation: Conversation,
    *,
    direction: str,
    channel: str,
    text: str,
    at: datetime,
    payload: dict[str, Any] | None = None,
    client_message_id: str | None = None,
) -> dict[str, Any]:
    """A transcript entry for ``add_transcripts``, at the conversation's language and step as they are now."""
    return {
        "evaluation_id": conversation.id,
        "at": at,
        "direction": direction,
        "channel": channel,
        "language": conversation.language,
        "step": conversation.step,
        "text": text,
        "payload": payload,
        "client_message_id": client_message_id,
    }


async def add_transcripts(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Transcript entries in one statement, numbered in the order given."""
    if rows:
        await connection.execute(_ADD_TRANSCRIPT, list(rows))


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the client sent before with the same client message id, and the replies it got."""

    kind: str  # a dialogs.EventKind: "text" or "choice"
    value: str  # the words typed, or the id of the choice tapped
    replies: list[dict[str, Any]]


async def replies_to(connection: AsyncConnection, evaluation_id: str, client_message_id: str) -> Sent | None:
    """The message sent before with this id and the replies it got, or None if the id is new."""
    params = {"evaluation_id": evaluation_id, "client_message_id": client_message_id}
    first = (await connection.execute(_SENT_WITH_ID, params)).first()
    if first is None:
        return None
    line, text, payload = first
    kind = str((payload or {}).get("kind", "text"))
    value = str((payload or {}).get("choice", "")) if kind == "choice" else text
    following = await connection.execute(_REPLY_PAYLOADS, {"evaluation_id": evaluation_id, "after": line})
    replies: list[dict[str, Any]] = []
    for direction, reply in following:
        if direction == "in":
            break
        replies.append(reply or {})
    return Sent(kind, value, replies)


async def last_replies(
    connection: AsyncConnection, evaluation_id: str, most: int = 20
) -> list[dict[str, Any]]:
    """The replies sent after the last message in (of the newest ``most`` lines), oldest first."""
    newest = (
        select(TRANSCRIPTS.c.direction, TRANSCRIPTS.c.payload)
        .where(TRANSCRIPTS.c.evaluation_id == evaluation_id)
        .order_by(TRANSCRIPTS.c.id.desc())
        .limit(most)
    )
    replies: list[dict[str, Any]] = []
    for direction, payload in await connection.execute(newest):
        if direction == "in":
            break
        replies.insert(0, payload or {})
    return replies


async def erase(connection: AsyncConnection, conversation: Conversation) -> None:
    """Everything the person gave goes: transcript, queue entry, what the outbox holds of it, the parts
    the board counts, the English versions translators added, answers and codes (saved with the turn).
    The roll-ups it was part of are combined again by the caller (``bot.board.rollup.withdraw``), which
    reads the content."""
    await connection.execute(delete(TRANSCRIPTS).where(TRANSCRIPTS.c.evaluation_id == conversation.id))
    await connection.execute(delete(Submission).where(Submission.evaluation_id == conversation.id))
    await translations.erase(connection, conversation.id)
    await outbox.forget_evaluation(connection, conversation.id)
    await connection.execute(delete(REMINDERS).where(REMINDERS.c.evaluation_id == conversation.id))
    await connection.execute(delete(EvaluationPart).where(EvaluationPart.evaluation_id == conversation.id))
    await _forget_as_last_year(connection, conversation.id)
    conversation.answers = {}
    conversation.return_code_hash = None
    conversation.follows_id = None
    conversation.organisation_id = None
    conversation.scope = None
    conversation.resume_code_hash = None
    conversation.resume_expires_at = None
    conversation.completed_at = None
    conversation.submitted_at = None


async def _forget_as_last_year(connection: AsyncConnection, evaluation_id: str) -> None:
    """Later evaluations started from this one hold a copy of its answers to offer back: it goes too."""
    followers = await connection.execute(
        select(EVALUATIONS.c.id, EVALUATIONS.c.state).where(EVALUATIONS.c.follows_id == evaluation_id)
    )
    for follower_id, state in followers.all():
        kept = {key: value for key, value in (state or {}).items() if key != "previous"}
        await connection.execute(
            update(EVALUATIONS)
            .where(EVALUATIONS.c.id == follower_id)
            .values(state=kept, follows_id=None, version=EVALUATIONS.c.version + 1)
        )
