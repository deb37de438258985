"""Each sent evaluation's parts as small rows, so that the collation is SQL over them (issue 18.9).

The parts are read from the answers by the board (``bot.board.parts``, with the content's reader of
stored answers), which a migration cannot import: ``submissions.parts_read`` starts false everywhere
and the board reads every unread evaluation before it collates (``bot.board.parts.read_unread``): the
first collation after this upgrade backfills the whole table, about a thousand evaluations a second
on a busy two-core machine. The chat writes an evaluation's parts when it is sent.

Revision ID: 0008_board_scale
Revises: 0007_return_codes
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_board_scale"
down_revision = "0007_return_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("parts_read", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_submissions_parts_read", "submissions", ["parts_read"])
    # what the access rule reads of each sent evaluation, without reading its large row
    op.create_index("ix_evaluations_sent", "evaluations", ["status", "id", "organisation_id", "scope"])
    op.create_table(
        "evaluation_parts",
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("approach_id", sa.String(64), primary_key=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("story", sa.Boolean(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("support_other", sa.Text(), nullable=True),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("evaluation_parts")
    op.drop_index("ix_evaluations_sent", table_name="evaluations")
    op.drop_index("ix_submissions_parts_read", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("parts_read")
