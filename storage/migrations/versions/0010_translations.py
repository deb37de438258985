"""Translators: the languages a translator account reads, and the English versions they add beside
the words people typed in another language (the originals are never changed).

Revision ID: 0010_translations
Revises: 0007_return_codes
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0010_translations"
down_revision = "0008_board_scale"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("board_users") as batch:
        batch.add_column(sa.Column("languages", sa.String(64), nullable=True))
    op.create_table(
        "translations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("approach_id", sa.String(32), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("translated_by", sa.String(254), nullable=False),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("board_users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("translated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("evaluation_id", "approach_id", "field", name="uq_translation_answer"),
    )


def downgrade() -> None:
    op.drop_table("translations")
    with op.batch_alter_table("board_users") as batch:
        batch.drop_column("languages")
