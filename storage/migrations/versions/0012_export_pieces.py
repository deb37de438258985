"""The board's XLSX export, kept as one deflated piece of the sheet per evaluation.

Writing and deflating a year's 500,000 rows took about 20 seconds each time (issue 18.9), so each
evaluation's rows are kept, written and compressed (``export_pieces``), and a workbook is its
pieces end to end. Triggers on every table the rows or the access rule read (an evaluation's
status, organisation, scope, language or answers once sent, its submission, a roll-up and its
members, an organisation's name, a translation) mark the evaluations they touch stale
(``export_stale``) in the same transaction as the change. ``storage.export_pieces.refresh`` makes
the stale ones again. Every sent evaluation starts stale, so the first refresh after this upgrade
makes them all once.

Revision ID: 0012_export_pieces
Revises: 0011_collation_sums
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0012_export_pieces"
down_revision = "0011_collation_sums"
branch_labels = None
depends_on = None

# The members of a roll-up that the changed evaluation heads: their rows name it.
_MEMBERS = " UNION SELECT m.evaluation_id FROM rollups r JOIN rollup_members m ON m.rollup_id = r.id"
# Per table: the evaluations a changed row touches ({row} is OLD or NEW), the changes that matter
# (an UPDATE only of the columns listed), and the events (an evaluation is never sent when made).
_KEYS = {
    "evaluations": (
        # a draft's turns change its answers: only an evaluation that was sent is marked
        "SELECT s.evaluation_id AS k FROM submissions s WHERE s.evaluation_id = {row}.id"
        " UNION SELECT m.evaluation_id FROM rollups r JOIN rollup_members m ON m.rollup_id = r.id"
        " WHERE r.evaluation_id = {row}.id",
        "status, organisation_id, scope, language, answers",
        ("update",),
    ),
    "submissions": (
        "SELECT {row}.evaluation_id AS k" + _MEMBERS + " WHERE r.evaluation_id = {row}.evaluation_id",
        "evaluation_id, destination, year, queued_at, reference",  # not parts_read: the rows stay
        ("insert", "delete", "update"),
    ),
    "rollups": (
        "SELECT {row}.evaluation_id AS k UNION"
        " SELECT m.evaluation_id FROM rollup_members m WHERE m.rollup_id = {row}.id",
        "",
        ("insert", "delete", "update"),
    ),
    "rollup_members": ("SELECT {row}.evaluation_id AS k", "", ("insert", "delete", "update")),
    "organisations": (
        "SELECT s.evaluation_id AS k FROM submissions s JOIN evaluations e ON e.id = s.evaluation_id"
        " WHERE e.organisation_id = {row}.id",
        "name",
        ("update",),
    ),
    "translations": ("SELECT {row}.evaluation_id AS k", "", ("insert", "delete", "update")),
}
# A new mark's stamp is drawn at random, not 1: a refresh that read an evaluation's mark, lost it to
# another refresh, and then finds a new mark after a later change must not take it for its own.
_MARK = (
    "INSERT INTO export_stale (evaluation_id, stamp) SELECT DISTINCT k, {first} FROM ({keys}) AS found"
    " WHERE true ON CONFLICT (evaluation_id) DO UPDATE SET stamp = export_stale.stamp + 1"
)
_FIRST = {
    "sqlite": "abs(random() % 2147483646) + 1",
    "postgresql": "1 + floor(random() * 2147483646)::integer",
}


def _sqlite_triggers(table: str, keys: str, columns: str, events: tuple[str, ...]) -> list[str]:
    old, new = keys.format(row="OLD"), keys.format(row="NEW")
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    found = {"insert": ("INSERT", new), "delete": ("DELETE", old), "update": (update, f"{old} UNION {new}")}
    return [
        f"CREATE TRIGGER export_stale_{table}_{name} AFTER {found[name][0]} ON {table} "
        f"BEGIN {_MARK.format(keys=found[name][1], first=_FIRST['sqlite'])}; END"
        for name in events
    ]


def _postgresql_triggers(table: str, keys: str, columns: str, events: tuple[str, ...]) -> list[str]:
    function = f"export_stale_{table}"
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    on = " OR ".join(update if name == "update" else name.upper() for name in events)
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_MARK.format(keys=keys.format(row="OLD"), first=_FIRST["postgresql"])}; END IF;
    IF TG_OP <> 'DELETE' THEN {_MARK.format(keys=keys.format(row="NEW"), first=_FIRST["postgresql"])}; END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {function} AFTER {on} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def upgrade() -> None:
    op.create_table(
        "export_pieces",
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("crc", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
    )
    op.create_index("ix_export_pieces_order", "export_pieces", ["year", "member", "queued_at", "reference"])
    op.create_table(
        "export_stale",
        sa.Column("evaluation_id", sa.String(32), primary_key=True),
        sa.Column("stamp", sa.Integer(), nullable=False),
    )
    op.create_table(
        "export_shape",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shape", sa.Text(), nullable=False),
    )
    make = _postgresql_triggers if op.get_bind().dialect.name == "postgresql" else _sqlite_triggers
    for table, (keys, columns, events) in _KEYS.items():
        for statement in make(table, keys, columns, events):
            op.execute(statement)
    op.execute("INSERT INTO export_stale (evaluation_id, stamp) SELECT evaluation_id, 1 FROM submissions")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (_, _, events) in _KEYS.items():
        if postgresql:
            op.execute(f"DROP FUNCTION export_stale_{table}() CASCADE")
        else:
            for name in events:
                op.execute(f"DROP TRIGGER export_stale_{table}_{name}")
    for table in ("export_shape", "export_stale", "export_pieces"):
        op.drop_table(table)
