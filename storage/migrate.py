"""Alembic migrations, run from code: ``icf db upgrade`` and the app start-up use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import normalise_url, transaction

__all__ = ["alembic_config", "upgrade", "upgrade_connection", "upgrade_engine"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.attributes["url"] = normalise_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to date (outside any running event loop)."""
    command.upgrade(alembic_config(url), revision)


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database up to date from inside a running event loop (tests, the app)."""
    async with transaction(engine) as connection:  # on SQLite: waits for another process's write lock
        await connection.run_sync(upgrade_connection, revision)
