"""The board's access model: submissions with a destination and a year, roll-ups as records, the
organisations list, API tokens that expire or are revoked, accounts that can be disabled, the
workshops the board commissioned, and the daily digest's deliveries.

Existing data: every submission was sent to the board; its year is the UTC year it was queued.
Organisations that were sent to the board, or that an account belongs to, go on the list; other
names were typed and never checked, so they wait for board staff. Existing roll-ups become records
whose members are the evaluations they named, where those still exist.

Revision ID: 0006_board
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0006_board"
down_revision = "0005_outbox"
branch_labels = None
depends_on = None

TOKEN_DAYS = 90  # what a token made before expiry existed is given from now


def _tables() -> None:
    op.create_table(
        "organisation_list",
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("listed_at", UTCDateTime(), nullable=False),
        sa.Column("listed_by", sa.String(254), nullable=False),
    )
    op.create_table(
        "rollups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=True),
        sa.Column(
            "replaced_by", sa.Integer(), sa.ForeignKey("rollups.id", ondelete="SET NULL"), nullable=True
        ),
    )
    op.create_index("ix_rollups_organisation_id", "rollups", ["organisation_id"])
    op.create_table(
        "rollup_members",
        sa.Column(
            "rollup_id", sa.Integer(), sa.ForeignKey("rollups.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_rollup_members_evaluation_id", "rollup_members", ["evaluation_id"])
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("approach_id", sa.String(32), nullable=False),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("commissioned_on", sa.Date(), nullable=False),
        sa.Column("noted_by", sa.String(254), nullable=False),
        sa.Column("noted_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("year", "approach_id", "theme", name="uq_workshop"),
    )
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.UniqueConstraint("day", "channel", "recipient", name="uq_digest_delivery"),
    )


def _columns() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("destination", sa.String(8), nullable=False, server_default="board"))
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))
    with op.batch_alter_table("board_users") as batch:
        batch.add_column(sa.Column("disabled_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("digest", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))


def _fill(bind: Any) -> None:
    submissions = sa.table(
        "submissions",
        sa.column("id", sa.Integer()),
        sa.column("queued_at", UTCDateTime()),
        sa.column("year", sa.Integer()),
        sa.column("evaluation_id", sa.String()),
    )
    for row_id, queued_at in bind.execute(sa.select(submissions.c.id, submissions.c.queued_at)).all():
        year = queued_at.astimezone(UTC).year if queued_at is not None else datetime.now(UTC).year
        bind.execute(submissions.update().where(submissions.c.id == row_id).values(year=year))
    expires = datetime.now(UTC) + timedelta(days=TOKEN_DAYS)
    tokens = sa.table("api_tokens", sa.column("expires_at", UTCDateTime()))
    bind.execute(tokens.update().values(expires_at=expires))
    bind.execute(
        sa.text(
            "INSERT INTO organisation_list (organisation_id, listed_at, listed_by) "
            "SELECT o.id, :now, 'migration' FROM organisations o WHERE "
            "EXISTS (SELECT 1 FROM evaluations e JOIN submissions s ON s.evaluation_id = e.id "
            "WHERE e.organisation_id = o.id) "
            "OR EXISTS (SELECT 1 FROM board_users u WHERE u.organisation_id = o.id)"
        ).bindparams(sa.bindparam("now", type_=UTCDateTime())),
        {"now": datetime.now(UTC)},
    )
    _rollups(bind, submissions)


def _rollups(bind: Any, submissions: Any) -> None:
    evaluations = sa.table(
        "evaluations",
        sa.column("id", sa.String()),
        sa.column("organisation_id", sa.Integer()),
        sa.column("scope", sa.String()),
        sa.column("answers", sa.JSON()),
        sa.column("created_at", UTCDateTime()),
    )
    found = bind.execute(
        sa.select(evaluations, submissions.c.year)
        .join(submissions, submissions.c.evaluation_id == evaluations.c.id)
        .where(evaluations.c.scope == "rollup", evaluations.c.organisation_id.is_not(None))
    ).all()
    existing = {row[0] for row in bind.execute(sa.select(evaluations.c.id)).all()}
    for evaluation_id, organisation_id, _, answers, created_at, year in found:
        result = bind.execute(
            sa.text(
                "INSERT INTO rollups (evaluation_id, organisation_id, year, created_at, created_by) "
                "VALUES (:e, :o, :y, :c, 'migration')"
            ).bindparams(sa.bindparam("c", type_=UTCDateTime())),
            {"e": evaluation_id, "o": organisation_id, "y": year, "c": created_at},
        )
        rollup_id = result.lastrowid if bind.dialect.name == "sqlite" else None
        if rollup_id is None:
            rollup_id = bind.execute(
                sa.text("SELECT id FROM rollups WHERE evaluation_id = :e"), {"e": evaluation_id}
            ).scalar()
        named = (answers or {}).get("rollup_ids") if isinstance(answers, dict) else None
        for member in dict.fromkeys(m for m in named or [] if isinstance(m, str) and m in existing):
            bind.execute(
                sa.text("INSERT INTO rollup_members (rollup_id, evaluation_id) VALUES (:r, :e)"),
                {"r": rollup_id, "e": member},
            )


def upgrade() -> None:
    _tables()
    _columns()
    _fill(op.get_bind())
    with op.batch_alter_table("submissions") as batch:
        batch.alter_column("year", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("destination", existing_type=sa.String(8), server_default=None)
    op.create_index("ix_submissions_year", "submissions", ["year"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=UTCDateTime(), nullable=False)
    with op.batch_alter_table("board_users") as batch:
        batch.alter_column("digest", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
    with op.batch_alter_table("board_users") as batch:
        batch.drop_column("digest")
        batch.drop_column("disabled_at")
    op.drop_index("ix_submissions_year", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("year")
        batch.drop_column("destination")
    op.drop_table("digest_deliveries")
    op.drop_table("workshops")
    op.drop_table("rollup_members")
    op.drop_table("rollups")
    op.drop_table("organisation_list")
