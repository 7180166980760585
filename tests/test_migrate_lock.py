"""Migrations on start: silent when the schema is current, and run once when several processes start
together on one PostgreSQL database with an old schema."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade

ROOT = Path(__file__).resolve().parents[1]


def test_a_current_schema_is_left_alone_in_silence(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    upgrade(engine)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert upgrade(engine) is False
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []


def test_an_old_schema_is_migrated_and_says_so(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0007")
    with caplog.at_level(logging.INFO):
        assert upgrade(engine) is True
    assert any("Running upgrade 0007 -> 0008" in r.getMessage() for r in caplog.records)


_WORKER = """
import sys
from storage.db import make_engine
from storage.migrate import upgrade
print("migrated" if upgrade(make_engine(sys.argv[1])) else "current", flush=True)
"""


@pytest.mark.slow
def test_two_processes_starting_at_once_migrate_once(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0005")  # an old schema, with several steps to take
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, database_url], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in results]
    assert sorted(out.strip() for out, _ in results) == ["current", "migrated"]
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0008"
    engine.dispose()
