"""Fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests each get a schema of their own in a database created for the run
and dropped after it, so runs and tests never see each other's data. Set
YOUTHBOT_TEST_POSTGRES to another server's URL; CI sets YOUTHBOT_REQUIRE_POSTGRES=1
so that an unreachable server fails the run instead of skipping those tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.channels.registry import load_settings
from core.clock import FakeClock
from core.config import Settings
from storage.db import make_engine
from storage.migrate import upgrade
from tests.harness import Harness
from tests.report_data import populated_harness

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = ROOT / "config.example.toml"
DEV_DATA = ROOT.parent / "shared" / "data" / "questions_dev.jsonl"
POSTGRES_URL = os.environ.get("YOUTHBOT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def example_settings() -> Settings:
    return load_settings(EXAMPLE_CONFIG)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database for this test run, dropped at the end."""
    admin_url = make_url(POSTGRES_URL)
    name = f"youthbot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any connection problem means "no server"
        if os.environ.get("YOUTHBOT_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of each kind."""
    with empty_database(request, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same, shared by a module's tests that only read what one setup wrote."""
    with empty_database(request, tmp_path_factory.mktemp("module")) as url:
        yield url


@contextmanager
def empty_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = folder / "youthbot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    base = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # Connections are named after the schema, so that none left open (a failed test's, a killed
    # worker's) can make the drop wait for ever; a lock awaited for a minute is an error, not a hang.
    options = f"-csearch_path={schema} -clock_timeout=60s"
    yield make_url(base).update_query_dict({"options": options, "application_name": schema}
                                           ).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": schema})
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2023, 2, 10, 2, 0, tzinfo=UTC))  # 09:00 in Hưng Yên, during intake


@pytest.fixture
def harness(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    """The test channel on the example settings, on each database."""
    harness = Harness(example_settings, database_url, clock)
    yield harness
    harness.dispose()


@pytest.fixture
def reviewing(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    """The test channel with [curation] approval_required = true."""
    settings = replace(example_settings, curation=replace(example_settings.curation, approval_required=True))
    harness = Harness(settings, database_url, clock)
    yield harness
    harness.dispose()


@pytest.fixture(scope="module")
def populated(example_settings: Settings, module_database_url: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One populated campaign (tests/report_data.py) per module and database, for tests that
    only read it: populating takes seconds."""
    clock = FakeClock(datetime(2023, 2, 10, 2, 0, tzinfo=UTC))
    with populated_harness(example_settings, module_database_url, clock, tmp_path_factory.mktemp("exports")) as harness:
        yield harness


@pytest.fixture
def changeable(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Harness]:
    """A populated campaign of its own, for a test that changes it or counts its files."""
    with populated_harness(example_settings, database_url, clock, tmp_path / "exports") as harness:
        yield harness
