"""One inbox for every messenger channel, the outbox, and lanes (who serves a chat now).

The Telegram inbox's rows move into the channel-neutral ``inbox`` (those applied already too, so a
repeat is still dropped); the message with a chat's live buttons moves from its link to its lane.
A link can now be detached (the conversation carried on elsewhere).

Revision ID: 0005_outbox
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0005_outbox"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_key", sa.String(128), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("channel", "message_key", name="uq_inbox_message_key"),
    )
    op.create_index("ix_inbox_chat_pending", "inbox", ["channel", "address", "processed_at"])
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"])
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("holds", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("steps_done", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("provider_id", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
    )
    op.create_index("ix_outbox_chat_unsent", "outbox", ["channel", "address", "sent_at"])
    op.create_index("ix_outbox_unsent", "outbox", ["sent_at", "failed_at", "not_before"])
    op.create_index("ix_outbox_evaluation_id", "outbox", ["evaluation_id"])
    op.create_index("ix_outbox_provider_id", "outbox", ["provider_id"])
    op.create_table(
        "lanes",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(32), nullable=True),
        sa.Column("held_until", UTCDateTime(), nullable=True),
        sa.Column("live_message_id", sa.String(128), nullable=True),
        sa.Column("reach", sa.String(256), nullable=True),
    )
    op.execute(
        "INSERT INTO inbox (channel, message_key, address, sequence, payload, received_at, attempts,"
        " processed_at)"
        " SELECT 'telegram', CAST(update_id AS VARCHAR(128)), CAST(chat_id AS VARCHAR(64)), update_id,"
        " payload, received_at, 0, processed_at FROM telegram_inbox"
    )
    op.execute(
        "INSERT INTO lanes (channel, address, live_message_id)"
        " SELECT channel, external_id, CAST(keyboard_message_id AS VARCHAR(128)) FROM channel_links"
        " WHERE keyboard_message_id IS NOT NULL"
    )
    op.drop_table("telegram_inbox")
    with op.batch_alter_table("channel_links") as batch:
        batch.drop_column("keyboard_message_id")
        batch.add_column(sa.Column("detached_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_links") as batch:
        batch.drop_column("detached_at")
        batch.add_column(sa.Column("keyboard_message_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "telegram_inbox",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_telegram_inbox_chat_id", "telegram_inbox", ["chat_id"])
    op.create_index("ix_telegram_inbox_processed_at", "telegram_inbox", ["processed_at"])
    op.create_index("ix_telegram_inbox_chat_pending", "telegram_inbox", ["chat_id", "processed_at"])
    op.execute(
        "INSERT INTO telegram_inbox (update_id, chat_id, payload, received_at, attempts, processed_at)"
        " SELECT sequence, CAST(address AS BIGINT), payload, received_at, attempts, processed_at FROM inbox"
        " WHERE channel = 'telegram' AND sequence IS NOT NULL"
    )
    op.drop_table("lanes")
    op.drop_table("outbox")
    op.drop_table("inbox")
