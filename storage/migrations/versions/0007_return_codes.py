"""Return codes (next year starts from this year's answers) and the reminders people asked for.

Revision ID: 0007_return_codes
Revises: 0006_board
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0007_return_codes"
down_revision = "0006_board"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("evaluations") as batch:
        batch.add_column(sa.Column("return_code_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("follows_id", sa.String(32), nullable=True))
        batch.create_unique_constraint("uq_evaluations_return_code_hash", ["return_code_hash"])
        batch.create_foreign_key(
            "fk_evaluations_follows_id", "evaluations", ["follows_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "reminders",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("approaches", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_reminders_evaluation_id", "reminders", ["evaluation_id"])
    op.create_index("ix_reminders_due_on", "reminders", ["due_on"])


def downgrade() -> None:
    op.drop_index("ix_reminders_due_on", table_name="reminders")
    op.drop_index("ix_reminders_evaluation_id", table_name="reminders")
    op.drop_table("reminders")
    with op.batch_alter_table("evaluations") as batch:
        batch.drop_constraint("fk_evaluations_follows_id", type_="foreignkey")
        batch.drop_constraint("uq_evaluations_return_code_hash", type_="unique")
        batch.drop_column("follows_id")
        batch.drop_column("return_code_hash")
