"""Migrations on start: silent when the schema is current, and run once when several processes start
together on one PostgreSQL database with an old schema, after which both serve."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from core.config import EXAMPLE_CONFIG
from storage.db import make_engine
from storage.migrate import alembic_config, upgrade
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
USERS = (100000001, 100000002)
SECRET = "two-processes-secret"


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


def test_a_fresh_process_on_a_current_schema_says_nothing(database_url: str, tmp_path: Path) -> None:
    """What an operator sees at each start: alembic's set-up lines (its plugins) are no news either."""
    upgrade(make_engine(database_url))
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///youthbot.sqlite3"', f"url = {json.dumps(database_url)}", 1)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    migrate = subprocess.run([str(Path(sys.executable).with_name("youthbot")), "migrate"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0 and migrate.stderr == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_config(tmp_path: Path, name: str, database_url: str, fake: FakeTelegram, port: int) -> Path:
    """The example on the shared database, with Telegram's webhook (the mode of several processes) on its own port."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    for old, new in (('url = "sqlite:///youthbot.sqlite3"', f"url = {json.dumps(database_url)}"),
                     ('token = ""', f"token = {json.dumps(fake.token)}"),
                     ('base_url = "https://api.telegram.org/bot"', f"base_url = {json.dumps(fake.base_url)}"),
                     ('mode = "polling"', 'mode = "webhook"\nwebhook_url = "https://bot.example.gov.vn/telegram"\n'
                                         f'webhook_secret = "{SECRET}"'),
                     ("listen_port = 8000", f"listen_port = {port}")):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def wait_ready(url: str, process: subprocess.Popen[str], log: Path, deadline: float) -> dict[str, str]:
    """Poll /readyz until it answers 200, the process ends or the deadline passes."""
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.get(f"{url}/readyz", timeout=2)
            if answer.status_code == 200:
                return dict(answer.json()["checks"])
        time.sleep(0.1)  # polling with a deadline, not timing
    raise AssertionError(f"{url} never ready (exit code {process.poll()}): {log.read_text(encoding='utf-8')}")


@pytest.mark.slow
def test_two_processes_starting_at_once_migrate_once_and_both_serve(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0005")  # an old schema, with several steps to take
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with FakeTelegram() as fake:
        for user in USERS:
            fake.add_user(user, "Mai")
        ports = [free_port(), free_port()]
        configs = [webhook_config(tmp_path, f"bot{n}", database_url, fake, port) for n, port in enumerate(ports)]
        logs = [tmp_path / f"bot{n}.log" for n in range(2)]
        processes = [subprocess.Popen([str(Path(sys.executable).with_name("youthbot")), "run", "--config", str(config)],
                                      cwd=tmp_path, text=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=log.open("w")) for config, log in zip(configs, logs, strict=True)]
        try:
            deadline = time.monotonic() + 120
            checks = [wait_ready(f"http://127.0.0.1:{port}", process, log, deadline)
                      for port, process, log in zip(ports, processes, logs, strict=True)]
            for update_id, (user, port) in enumerate(zip(USERS, ports, strict=True), start=1):  # nginx's part
                update = {"update_id": update_id, "message": fake.user_sends(user, text="/start")}
                posted = httpx.post(f"http://127.0.0.1:{port}/telegram", json=update, timeout=10,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert posted.status_code == 200, posted.text
            while not all(fake.bot_messages(user) for user in USERS) and time.monotonic() < deadline:
                time.sleep(0.1)
            answered = [bool(fake.bot_messages(user)) for user in USERS]
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=20)
                if process.poll() is None:
                    process.kill()
    outputs = [log.read_text(encoding="utf-8") for log in logs]
    assert all(set(check) >= {"database", "migrations", "telegram sender", "web server"} for check in checks), checks
    assert answered == [True, True], outputs
    assert [("Running upgrade" in output) for output in outputs].count(True) == 1, outputs
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
    engine.dispose()
