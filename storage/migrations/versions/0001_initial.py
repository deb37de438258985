"""Organisations, evaluations, transcripts and the submission queue.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True),
        sa.Column("scope", sa.String(16), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("content_version", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("access_token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("resume_code_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("resume_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_evaluations_organisation_id", "evaluations", ["organisation_id"])
    op.create_index("ix_evaluations_status", "evaluations", ["status"])
    op.create_table(
        "transcript_entries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("client_message_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("evaluation_id", "client_message_id", name="uq_transcript_client_id"),
    )
    op.create_index("ix_transcript_entries_evaluation_id", "transcript_entries", ["evaluation_id"])
    op.create_table(
        "submissions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("pulled_at", UTCDateTime(), nullable=True),
        sa.Column("pulled_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_submissions_queued_at", "submissions", ["queued_at"])


def downgrade() -> None:
    op.drop_table("submissions")
    op.drop_table("transcript_entries")
    op.drop_table("evaluations")
    op.drop_table("organisations")
