"""The tables: organisations, evaluations, their transcripts, the submission queue, the channels' inbox
and outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
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
    "CollationCount",
    "CollationCounted",
    "CollationTyped",
    "CollationShape",
    "CollationStale",
    "CollationSum",
    "Evaluation",
    "InboxMessage",
    "Lane",
    "ListedOrganisation",
    "Organisation",
    "Reminder",
    "OutboxMessage",
    "Rollup",
    "RollupMember",
    "Submission",
    "TranscriptEntry",
    "Translation",
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
    # what the access rule reads of every sent evaluation, without reading its (large) row
    __table_args__ = (Index("ix_evaluations_sent", "status", "id", "organisation_id", "scope"),)

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
    # The code that starts next year's evaluation from this one, hashed like a resume code.
    return_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The evaluation this one started from (last year's), when a return code or the same chat began it.
    follows_id: Mapped[str | None] = mapped_column(ForeignKey("evaluations.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class Reminder(Base):
    """A reminder a person asked for in a chat: a quick re-check of the approaches that scored low,
    sent once on ``due_on`` by whichever serving process gets to it first."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    approaches: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"ids": [...]}
    language: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


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
    # its answers read into evaluation_parts (false: not yet, or to be read again after a change)
    parts_read: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)


class EvaluationPart(Base):
    """One approach of a sent evaluation, as the collation counts it: written when its answers are
    read (at submit, or on the collation's next run), so that the figures are SQL ``GROUP BY`` over
    small rows rather than every answer's JSON read in Python.

    Read with the one reader of stored answers (``dialogs.stored``) against the content of the time;
    the collation still keeps only the approaches and scores its content knows. Erased with the
    evaluation (it holds a typed need).
    """

    __tablename__ = "evaluation_parts"
    __table_args__ = {"sqlite_with_rowid": False}  # an evaluation's parts side by side, read together

    evaluation_id: Mapped[str] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    approach_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered: Mapped[bool] = mapped_column(Boolean)  # anything given in this part at all
    score: Mapped[int | None] = mapped_column(Integer)
    story: Mapped[bool] = mapped_column(Boolean)  # a story was told
    support: Mapped[str] = mapped_column(Text)  # the option ids chosen, as a JSON list
    support_other: Mapped[str | None] = mapped_column(Text)  # the typed need


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
    """Which evaluation a chat on a channel (a Telegram chat id) is talking to.

    A chat is linked to one conversation at a time, and a conversation to one chat: resuming it
    elsewhere detaches the chat (``detached_at``), which then starts nothing until it starts anew or
    resumes. The row stays, so the chat can be told why and in the conversation's language.
    """

    __tablename__ = "channel_links"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    detached_at: Mapped[datetime | None]


class InboxMessage(Base):
    """What a chat sent, stored before the channel is told we have it; applied in order per chat.

    ``message_key`` is the channel's own id (Telegram's update_id, WhatsApp's wamid): a repeat is
    dropped by it. ``sequence`` is the channel's order, when it has one (update_id); else arrival.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "message_key", name="uq_inbox_message_key"),
        # A chat's pending messages, without reading the ones applied long ago.
        Index("ix_inbox_chat_pending", "channel", "address", "processed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_key: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None]  # a failed message waits until then (and the chat behind it)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)


class OutboxMessage(Base):
    """What must reach a chat: written in the turn's own transaction, sent after it commits.

    ``holds``: a message the person is waiting for (a reply, a notice); until it is sent, the chat's
    later messages wait behind it. Acknowledging a button press or taking old buttons away does not
    hold anything: it is tried again on its own, and given up when it no longer matters.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_chat_unsent", "channel", "address", "sent_at"),
        Index("ix_outbox_unsent", "sent_at", "failed_at", "not_before"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    evaluation_id: Mapped[str | None] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # reply, notice, receipt, clear
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(16))
    holds: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)  # due from then (retries wait)
    expires_at: Mapped[datetime | None]  # given up after this, unsent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)  # calls already confirmed by the channel
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # given up: refused for good, or expired
    error: Mapped[str | None] = mapped_column(String(200))
    provider_id: Mapped[str | None] = mapped_column(String(128), index=True)  # the channel's message id
    status: Mapped[str | None] = mapped_column(String(16))  # what the channel reported later (delivered...)


class Lane(Base):
    """One chat on a channel: which process applies its inbox and delivers its outbox now.

    Holding a lane is a lease (``held_until``) the holder renews while it works; a process that died
    lets go when the lease runs out, a few seconds later. ``live_message_id`` is the message whose
    buttons can still be pressed, so older ones can be taken away. ``reach``: how to reach the chat,
    for a channel whose address is only a keyed hash of it (a phone number); removed with the lane.
    """

    __tablename__ = "lanes"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(32))
    held_until: Mapped[datetime | None]
    live_message_id: Mapped[str | None] = mapped_column(String(128))
    reach: Mapped[str | None] = mapped_column(String(256))


class BoardUser(Base):
    """Board staff (role "board": everything), organisation leads (role "org-lead": their own) and
    translators (role "translator": the words sent to the board in ``languages``, nothing else)."""

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
    languages: Mapped[str | None] = mapped_column(String(64))  # a translator's: "ur,pa"


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


class Translation(Base):
    """An English version of words typed in another language (a story, a need, an action), added by a
    translator beside the original, which stays exactly as it was written; one per answer."""

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "approach_id", "field", name="uq_translation_answer"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    approach_id: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(32))  # the answer's field: story, support_other, ...
    language: Mapped[str] = mapped_column(String(16))  # the original's
    text: Mapped[str] = mapped_column(Text)
    translated_by: Mapped[str] = mapped_column(String(254))  # the translator's email, kept if they go
    user_id: Mapped[int | None] = mapped_column(ForeignKey("board_users.id", ondelete="SET NULL"))
    translated_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class CollationSum(Base):
    """The board's collation sums of one organisation in one year, scope and approach, kept between
    collations (``storage.collation_sums``): a year of 100,000 evaluations is some 80,000 of these,
    where summing its half a million parts each time took two seconds.

    ``organisation_key`` is the organisation's id, 0 for none. ``numbers`` is a JSON list: asked,
    answered, stories, then a count per score and per support option, in the order ``collation_shape``
    records; a different order (other content) makes every organisation stale.
    """

    __tablename__ = "collation_sums"

    organisation_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    approach_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    numbers: Mapped[str] = mapped_column(Text)


class CollationCount(Base):
    """How many evaluations the board's collation counts of one organisation in one year and scope:
    the year's counts, each organisation's baseline year and who is missing are read from these."""

    __tablename__ = "collation_counts"

    organisation_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    evaluations: Mapped[int] = mapped_column(Integer)


class CollationCounted(Base):
    """An evaluation the board's collation counts, in the order it was sent: the stories to
    celebrate are found through these. Gone with the evaluation (an erasure needs no refresh)."""

    __tablename__ = "collation_counted"
    __table_args__ = (Index("ix_collation_counted_year", "year", "queued_at", "reference", "id"),)

    id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True)
    organisation_key: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(String(32))


class CollationTyped(Base):
    """A counted part's typed need, in the order sent: a copy of the part's words (read in one scan,
    not 30,000 look-ups into the parts), gone with the evaluation like the part itself."""

    __tablename__ = "collation_typed"
    __table_args__ = (Index("ix_collation_typed_year", "year", "queued_at", "reference"),)

    evaluation_id: Mapped[str] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    approach_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_key: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)


class CollationStale(Base):
    """An organisation whose kept sums are out of date. Database triggers (migration
    ``0011_collation_sums``) add it, or add one to ``stamp``, whenever anything the access rule or
    the sums read changes; a refresh removes it only if the stamp is still the one it summed at."""

    __tablename__ = "collation_stale"

    organisation_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[int] = mapped_column(Integer)


class CollationShape(Base):
    """What the kept sums' ``numbers`` mean (the scale, strength scores and support options): one row."""

    __tablename__ = "collation_shape"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shape: Mapped[str] = mapped_column(Text)


class ExportPiece(Base):
    """One evaluation's rows of the board's XLSX export, written and deflated once (a
    ``bot.board.xlsx.Piece``): a year's workbook is its pieces end to end, in the order sent, the
    roll-ups' parts (``member``) after the rest. Kept for every evaluation the board's export has,
    in the year it counts in; gone with the evaluation. ``export_stale`` says which wait to be made
    again."""

    __tablename__ = "export_pieces"
    __table_args__ = (Index("ix_export_pieces_order", "year", "member", "queued_at", "reference"),)

    evaluation_id: Mapped[str] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer)
    member: Mapped[bool] = mapped_column(Boolean)  # a team's part of a live roll-up
    queued_at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    crc: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(Integer)


class ExportStale(Base):
    """An evaluation whose export piece is out of date, or not made yet. Database triggers (migration
    ``0012_export_pieces``) add it, or add one to ``stamp``, whenever anything its rows show or the
    access rule reads changes; a refresh removes it only if the stamp is still the one it read.
    No foreign key: a mark may outlive its evaluation, and the next refresh drops it."""

    __tablename__ = "export_stale"

    evaluation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stamp: Mapped[int] = mapped_column(Integer)


class ExportShape(Base):
    """What the kept pieces were written for (the content's approaches and labels, the columns): one
    row; different content makes every piece stale."""

    __tablename__ = "export_shape"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shape: Mapped[str] = mapped_column(Text)
