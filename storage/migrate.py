"""Alembic migrations, run on start so a fresh or older database is brought up to date.

Several processes may start at once on one PostgreSQL database: an advisory lock (per schema) lets
one migrate while the others wait, then find the schema current and do nothing. Alembic speaks only
when it migrates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK = "hashtext('youthbot-migrate:' || current_schema())"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the latest revision; True when a migration ran."""
    config = alembic_config(engine)
    with engine.connect() as connection, _migration_lock(connection):
        current = is_current(connection, config)
        connection.rollback()  # hold nothing while env.py migrates on a connection of its own
        if current:
            return False
        command.upgrade(config, "head")
        return True


def is_current(connection: Connection, config: Config) -> bool:
    with _quiet():
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(config).get_heads())


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "postgresql":
        yield  # SQLite: one process per file, and its own write lock
        return
    connection.execute(text(f"SELECT pg_advisory_lock({_LOCK})"))
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.execute(text(f"SELECT pg_advisory_unlock({_LOCK})"))
        connection.commit()


@contextmanager
def _quiet() -> Iterator[None]:
    """Alembic logs its dialect at INFO on every look at the database; that says nothing to an operator."""
    logger = logging.getLogger("alembic.runtime.migration")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
