"""The one web server: /healthz, /readyz (database, migrations, loops, with reasons) and /metrics,
through a real HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

import bot.metrics
from bot.health import Health
from bot.metrics import DatabaseGauges
from bot.web import web_app
from core.config import EXAMPLE_CONFIG, Settings, WebSettings
from storage.db import make_engine
from tests.fakes.telegram_api import LocalServer
from tests.harness import Harness
from tests.test_migrate_lock import free_port

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


async def readiness_once_up(client: httpx.AsyncClient, url: str, running: asyncio.Task[None]) -> dict[str, object]:
    """Wait until the served process answers /readyz with 200 (or stops), then return its checks."""
    while not running.done():
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(f"{url}/readyz")).status_code == 200:
                break
        await asyncio.sleep(0.05)
    return (await client.get(f"{url}/readyz")).json()["checks"]



@pytest.fixture
def served(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Health]]:
    monkeypatch.setattr(bot.metrics, "CACHE_SECONDS", 0.0)  # every scrape reads the database here
    health = Health(harness.app.engine)
    server = LocalServer(web_app(health, DatabaseGauges(harness.app.sessions, harness.clock)))
    server.start()
    yield server.url, health
    server.stop()


def metrics(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{url}/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_healthz_and_readyz_when_all_runs(served: tuple[str, Health]) -> None:
    url, health = served
    assert httpx.get(f"{url}/healthz").text == "ok"

    async def running() -> None:
        task = asyncio.create_task(health.watch("telegram receiver", asyncio.Event().wait()))
        await asyncio.sleep(0)
        response = await asyncio.to_thread(httpx.get, f"{url}/readyz")
        task.cancel()
        return response

    response = asyncio.run(running())
    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"database": "ok", "migrations": "ok",
                                                         "telegram receiver": "ok"}}


def test_a_stopped_receiver_makes_the_process_not_ready_with_the_reason(served: tuple[str, Health]) -> None:
    url, health = served

    async def failing() -> None:
        raise ConnectionError("api.telegram.org unreachable")

    with pytest.raises(ConnectionError):
        asyncio.run(health.watch("telegram receiver", failing()))
    response = httpx.get(f"{url}/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["telegram receiver"] == "stopped: ConnectionError: api.telegram.org unreachable"


def test_an_unreachable_database_makes_the_process_not_ready(harness: Harness) -> None:
    unreachable = make_engine("postgresql+psycopg://youthbot@127.0.0.1:1/youthbot")
    server = LocalServer(web_app(Health(unreachable), DatabaseGauges(harness.app.sessions, harness.clock)))
    server.start()
    try:
        response = httpx.get(f"{server.url}/readyz", timeout=10)
    finally:
        server.stop()
        unreachable.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unreachable: OperationalError")


def test_migrations_behind_make_the_process_not_ready(harness: Harness, engine: Engine) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    command.downgrade(alembic_config(engine), "0007")
    assert Health(engine).readiness().checks["migrations"].startswith("not current")


def test_metrics_move_when_a_question_is_asked_and_answered(served: tuple[str, Health], harness: Harness) -> None:
    url, _ = served
    before = metrics(url)
    received = ("youthbot_updates_received_total", (("platform", "console"),))
    sent = ("youthbot_sends_total", (("outcome", "sent"), ("platform", "console")))
    forwarded = ("youthbot_questions", (("status", "forwarded"),))

    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    asked = metrics(url)
    assert asked[forwarded] == 1
    assert asked[received] - before.get(received, 0) >= 4 and asked[sent] > before.get(sent, 0)
    assert asked[("youthbot_outbox_messages", (("platform", "console"), ("status", "sent")))] >= 3
    assert asked[("youthbot_inbox_lag_seconds", ())] == 0

    harness.clock.advance(timedelta(days=40))  # past the answer deadline
    assert metrics(url)[("youthbot_overdue_questions", (("department", "so-ct"),))] == 1

    card = next(d for d in harness.messages_to("dept-so-ct") if "HY-0001" in d.text)
    harness.officer("so-ct").reply(card, "Có, em cần kê khai thuế.")
    answered = metrics(url)
    assert answered[("youthbot_questions", (("status", "answered"),))] == 1
    assert forwarded not in answered
    assert ("youthbot_overdue_questions", (("department", "so-ct"),)) not in answered


def test_run_serves_the_zalo_webhook_health_and_metrics_on_one_port(example_settings: Settings,
                                                                     database_url: str) -> None:
    from dataclasses import replace

    from bot.serve import serve
    from tests.fakes.zalo_bot_api import FakeZaloBot

    with socket.socket() as probe:  # a free port for [web]
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"

    async def main() -> None:
        with FakeZaloBot() as zalo:
            zalo.add_user("mai", "Mai")
            settings = replace(example_settings, database_url=database_url, web=WebSettings(listen_port=port))
            settings = settings.with_channel("zalo", token=zalo.token, base_url=zalo.base_url, mode="webhook",
                                             webhook_url=f"{url}/zalo", webhook_secret="s3cret-zalo")
            running = asyncio.create_task(serve(settings))
            try:
                async with asyncio.timeout(20), httpx.AsyncClient() as client:
                    ready = await readiness_once_up(client, url, running)
                    zalo.user_sends("mai", text="xin chào")
                    assert await asyncio.to_thread(zalo.deliver_webhooks) == 1
                    while not zalo.bot_texts("mai"):
                        await asyncio.sleep(0.05)
                    scraped = (await client.get(f"{url}/metrics")).text
            finally:
                running.cancel()
            assert set(ready) == {"database", "migrations", "inbox processor", "zalo sender", "web server"}
            assert 'youthbot_updates_received_total{platform="zalo"}' in scraped
    asyncio.run(main())


def example_config(database_url: str, port: int, folder: Path) -> Path:
    """The example configuration on this database and port, as config.toml in `folder`."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    for old, new in (('url = "sqlite:///youthbot.sqlite3"', f"url = {json.dumps(database_url)}"),
                     ("listen_port = 8000", f"listen_port = {port}")):
        assert old in text, old
        text = text.replace(old, new, 1)
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_the_console_chat_serves_health_and_readiness_too(database_url: str, tmp_path: Path) -> None:
    """`youthbot` with no token: the terminal chat answers, and the web server runs beside it."""
    port = free_port()
    config = example_config(database_url, port, tmp_path)
    console = subprocess.Popen([str(Path(sys.executable).with_name("youthbot")), "--config", str(config)],
                               cwd=tmp_path, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        healthz = readyz = None
        while readyz is None and time.monotonic() < deadline and console.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                healthz, readyz = httpx.get(f"http://127.0.0.1:{port}/healthz"), httpx.get(f"http://127.0.0.1:{port}/readyz")
            time.sleep(0.1)  # polling with a deadline
        out, err = console.communicate("xin chào\n", timeout=60)  # then end of input: the console leaves
    finally:
        if console.poll() is None:
            console.kill()
    assert healthz is not None and readyz is not None, err
    assert healthz.status_code == 200 and healthz.text.strip() == "ok"
    assert readyz.status_code == 200 and readyz.json()["checks"] == {"database": "ok", "migrations": "ok"}
    assert "── #2 bot to an ──" in out and console.returncode == 0, err
