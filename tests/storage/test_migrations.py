"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage import Base, create_engine, transaction, upgrade_engine


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_the_models(database_url: str) -> None:
    db = create_engine(database_url)
    try:
        await upgrade_engine(db)
        await upgrade_engine(db)  # running again changes nothing
        async with db.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert {"organisations", "evaluations", "transcript_entries", "submissions"} <= tables
            assert await connection.run_sync(differences) == []
    finally:
        await db.dispose()


async def test_sqlite_runs_in_wal_mode_and_never_waits_on_the_loops_thread(tmp_path: Any) -> None:
    db = create_engine(f"sqlite:///{tmp_path / 'data' / 'icf.db'}")
    try:
        async with db.connect() as connection:  # a read, on aiosqlite's thread: it may wait there
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
        async with transaction(db) as connection:  # a write, on the loop's thread: never inside SQLite
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 0
    finally:
        await db.dispose()
    assert (tmp_path / "data" / "icf.db").exists()
