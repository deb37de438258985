"""The board's collation sums, kept between collations and brought up to date per organisation.

Summing a year's parts each time took about two seconds at 100,000 evaluations (issue 18.9), so the
sums by organisation, year, scope and approach are kept (``collation_sums``, with the counts of
evaluations, the evaluations themselves and the parts with a typed need beside them), and triggers on every table the access rule or the sums read
mark an organisation stale (``collation_stale``) in the same transaction as the change. The board's
next collation sums only the stale organisations again (``storage.collation_sums.refresh``). The
tables start empty with no ``collation_shape``, which makes every organisation stale: the first
collation after this upgrade sums everything once.

Revision ID: 0011_collation_sums
Revises: 0010_translations
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0011_collation_sums"
down_revision = "0010_translations"
branch_labels = None
depends_on = None

# Per table: the organisation keys a changed row touches ({row} is OLD or NEW), and the changes
# that matter (an UPDATE only of the columns listed; an evaluation's turns change none of them).
_ORG = "SELECT coalesce(e.organisation_id, 0) AS k FROM evaluations e WHERE e.id = {row}.evaluation_id"
_KEYS = {
    "evaluations": ("SELECT coalesce({row}.organisation_id, 0) AS k", "status, organisation_id, scope"),
    "submissions": (_ORG, "evaluation_id, destination, year, queued_at, reference"),
    "evaluation_parts": (_ORG, ""),
    "rollups": (
        "SELECT coalesce(e.organisation_id, 0) AS k FROM evaluations e WHERE e.id = {row}.evaluation_id"
        " UNION SELECT coalesce(e.organisation_id, 0) FROM rollup_members m"
        " JOIN evaluations e ON e.id = m.evaluation_id WHERE m.rollup_id = {row}.id",
        "",
    ),
    "rollup_members": (
        "SELECT coalesce(e.organisation_id, 0) AS k FROM evaluations e WHERE e.id = {row}.evaluation_id"
        " UNION SELECT coalesce(e.organisation_id, 0) FROM rollups ru"
        " JOIN evaluations e ON e.id = ru.evaluation_id WHERE ru.id = {row}.rollup_id",
        "",
    ),
}
_MARK = (
    "INSERT INTO collation_stale (organisation_key, stamp) SELECT DISTINCT k, 1 FROM ({keys}) AS found"
    " WHERE true ON CONFLICT (organisation_key) DO UPDATE SET stamp = collation_stale.stamp + 1"
)


def _sqlite_triggers(table: str, keys: str, columns: str) -> list[str]:
    old, new = keys.format(row="OLD"), keys.format(row="NEW")
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    return [
        f"CREATE TRIGGER collation_stale_{table}_{name} AFTER {event} ON {table} "
        f"BEGIN {_MARK.format(keys=found)}; END"
        for name, event, found in (
            ("insert", "INSERT", new),
            ("delete", "DELETE", old),
            ("update", update, f"{old} UNION {new}"),
        )
    ]


def _postgresql_triggers(table: str, keys: str, columns: str) -> list[str]:
    function = f"collation_stale_{table}"
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_MARK.format(keys=keys.format(row="OLD"))}; END IF;
    IF TG_OP <> 'DELETE' THEN {_MARK.format(keys=keys.format(row="NEW"))}; END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {function} AFTER INSERT OR DELETE OR {update} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


_TABLES = (
    "collation_shape",
    "collation_stale",
    "collation_typed",
    "collation_counted",
    "collation_counts",
    "collation_sums",
)


def upgrade() -> None:
    op.create_table(
        "collation_sums",
        sa.Column("organisation_key", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("approach_id", sa.String(64), primary_key=True),
        sa.Column("numbers", sa.Text(), nullable=False),
    )
    op.create_table(
        "collation_counts",
        sa.Column("organisation_key", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("evaluations", sa.Integer(), nullable=False),
    )
    evaluation = sa.ForeignKey("evaluations.id", ondelete="CASCADE")
    op.create_table(
        "collation_counted",
        sa.Column("id", sa.String(32), evaluation, primary_key=True),
        sa.Column("organisation_key", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
    )
    op.create_index("ix_collation_counted_organisation_key", "collation_counted", ["organisation_key"])
    op.create_index(
        "ix_collation_counted_year", "collation_counted", ["year", "queued_at", "reference", "id"]
    )
    op.create_table(
        "collation_typed",
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("approach_id", sa.String(64), primary_key=True),
        sa.Column("organisation_key", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_collation_typed_organisation_key", "collation_typed", ["organisation_key"])
    op.create_index("ix_collation_typed_year", "collation_typed", ["year", "queued_at", "reference"])
    op.create_table(
        "collation_stale",
        sa.Column("organisation_key", sa.Integer(), primary_key=True),
        sa.Column("stamp", sa.Integer(), nullable=False),
    )
    op.create_table(
        "collation_shape",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shape", sa.Text(), nullable=False),
    )
    make = _postgresql_triggers if op.get_bind().dialect.name == "postgresql" else _sqlite_triggers
    for table, (keys, columns) in _KEYS.items():
        for statement in make(table, keys, columns):
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _KEYS:
        if postgresql:
            op.execute(f"DROP FUNCTION collation_stale_{table}() CASCADE")
        else:
            for name in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER collation_stale_{table}_{name}")
    for table in _TABLES:
        op.drop_table(table)
