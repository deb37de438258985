"""The tables: organisations, evaluations, their transcripts and the submission queue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "BoardSession",
    "BoardUser",
    "ChannelLink",
    "Evaluation",
    "ListedOrganisation",
    "Organisation",
    "Rollup",
    "RollupMember",
    "Submission",
    "TelegramInbox",
    "TranscriptEntry",
    "DigestDelivery",
    "Workshop",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every database; SQLite forgets the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Organisation(Base):
    """A name an evaluation is for: on the board's list (``ListedOrganisation``) or typed and unchecked."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListedOrganisation(Base):
    """An organisation board staff accepted onto the list: the chat offers these names and no others.

    A row here also points at the organisation, so retention never forgets a listed name.
    """

    __tablename__ = "organisation_list"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    listed_at: Mapped[datetime] = mapped_column(default=utcnow)
    listed_by: Mapped[str] = mapped_column(String(254))


class Evaluation(Base):
    __tablename__ = "evaluations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    scope: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    content_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    step: Mapped[str] = mapped_column(String(32))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16))
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class TranscriptEntry(Base):
    """One message in or out, as the person saw or sent it."""

    __tablename__ = "transcript_entries"
    __table_args__ = (UniqueConstraint("evaluation_id", "client_message_id", name="uq_transcript_client_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    client_message_id: Mapped[str | None] = mapped_column(String(64))


class Submission(Base):
    """An evaluation sent with consent: to the organisation's ICF lead or to the board (``destination``).

    ``year`` is the year it counts in: the UTC year it was sent, or for a roll-up the year of the
    evaluations it combines.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), unique=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    destination: Mapped[str] = mapped_column(String(8), default="board")
    year: Mapped[int] = mapped_column(Integer, index=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    pulled_at: Mapped[datetime | None]
    pulled_by: Mapped[str | None] = mapped_column(String(200))


class Rollup(Base):
    """An organisation lead's roll-up: one evaluation (``evaluation_id``) standing for its members.

    One live roll-up per organisation and year; rolling up again sets ``replaced_by`` on the old one,
    which then counts nowhere and is shown to nobody.
    """

    __tablename__ = "rollups"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    replaced_at: Mapped[datetime | None]
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("rollups.id", ondelete="SET NULL"))


class RollupMember(Base):
    """One evaluation sent to its lead and combined into a roll-up."""

    __tablename__ = "rollup_members"

    rollup_id: Mapped[int] = mapped_column(ForeignKey("rollups.id", ondelete="CASCADE"), primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ChannelLink(Base):
    """Which evaluation a chat on a channel (a Telegram chat id) is talking to."""

    __tablename__ = "channel_links"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    keyboard_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the one message with live buttons
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TelegramInbox(Base):
    """Telegram updates as they arrived: stored before the webhook answers, applied in order per chat."""

    __tablename__ = "telegram_inbox"
    # Claiming asks "has this chat an update still held?" for every waiting chat: by chat and
    # processed_at it reads only the pending rows, not every update the chat ever sent.
    __table_args__ = (Index("ix_telegram_inbox_chat_pending", "chat_id", "processed_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)


class BoardUser(Base):
    """Board staff (role "board": everything) and organisation leads (role "org-lead": their own)."""

    __tablename__ = "board_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]  # set: no sign-in, and every session and token ended
    digest: Mapped[bool] = mapped_column(default=False)  # wants the daily digest by e-mail


class BoardSession(Base):
    """A signed-in browser: the cookie holds a random token, only its hash is kept."""

    __tablename__ = "board_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("board_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A token for scripts, shown once when made; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("board_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who looked at or took what, and when; never a copy of the data itself."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("board_users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))


class Workshop(Base):
    """A workshop the board commissioned: for a year, on an approach and a theme (a support need)."""

    __tablename__ = "workshops"
    __table_args__ = (UniqueConstraint("year", "approach_id", "theme", name="uq_workshop"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    approach_id: Mapped[str] = mapped_column(String(32))
    theme: Mapped[str] = mapped_column(String(32))
    commissioned_on: Mapped[date] = mapped_column(Date)
    noted_by: Mapped[str] = mapped_column(String(254))
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestDelivery(Base):
    """One day's digest for one recipient (an e-mail address, or "webhook"): written before it is sent,
    marked when it was, so a restart neither loses nor repeats it."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("day", "channel", "recipient", name="uq_digest_delivery"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(8))  # email or webhook
    recipient: Mapped[str] = mapped_column(String(254))
    since: Mapped[datetime]
    until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]  # a process is sending it (so two processes do not both send)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
