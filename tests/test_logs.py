"""Logs: one JSON object a line when asked, alembic quiet unless it migrates, and nothing at INFO or
above that names a young person, quotes them or gives their chat id."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.logs import setup_logging
from bot.transport import PermanentFailure
from scheduler.sweep import ReminderScheduler
from storage.models import Question, Reminder, ReminderStatus
from tests.harness import Harness

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


@pytest.fixture
def restore_root_logger() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_fields_operators_filter_on(restore_root_logger: object) -> None:
    stream = io.StringIO()
    setup_logging("INFO", "json", stream)
    logging.getLogger("bot.sender").warning("outbox %s failed for good", 42,
                                            extra={"outbox_id": 42, "platform": "telegram", "error": "blocked"})
    logging.getLogger("bot.sender").debug("not at INFO")
    entry, = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry | {"time": None} == {"time": None, "level": "WARNING", "logger": "bot.sender",
                                      "message": "outbox 42 failed for good", "outbox_id": 42,
                                      "platform": "telegram", "error": "blocked"}


def test_migrate_speaks_json_only_when_it_migrates(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   restore_root_logger: object) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["migrate", "--config", str(config), "--log-format", "json"]) == 0  # options after the command
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert any(line["logger"].startswith("alembic") and "Running upgrade" in line["message"] for line in lines)
    assert main(["--log-format", "json", "--config", str(config), "migrate"]) == 0
    assert capsys.readouterr().err == ""


def test_a_young_persons_words_name_and_chat_stay_out_of_the_logs(harness: Harness,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        hoa = harness.registered_youth("hoa-tran")
        card = next(d for d in [harness.ask(hoa, QUESTION)] + harness.messages_to("dept-so-ct") if "HY-" in d.text)
        harness.officer("so-ct").reply(card, "Có, em cần kê khai thuế.")
        harness.flush()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for secret in ("hoa-tran", "Shopee", "kê khai"):
        assert secret not in logged


def test_log_lines_about_a_question_carry_its_code(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    an = harness.registered_youth()
    harness.transport.refusing["dept-so-ct"] = PermanentFailure("forbidden: bot was kicked from the group chat")
    with caplog.at_level(logging.WARNING):
        harness.ask(an, QUESTION)
    refused, = [r for r in caplog.records if r.name == "bot.sender"]
    assert refused.question == "HY-0001"  # type: ignore[attr-defined]

    with harness.app.sessions.begin() as session:
        question = session.scalars(select(Question)).one()
        session.add(Reminder(kind="retired-kind", dedupe_key="broken", question_id=question.id,
                             due_at=harness.clock.now(), status=ReminderStatus.PENDING, created_at=harness.clock.now()))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert ReminderScheduler(harness.app.sessions, harness.app.services, harness.clock, "test").tick().failed == 1
    failed, = [r for r in caplog.records if r.name == "scheduler.sweep"]
    assert failed.question == "HY-0001"  # type: ignore[attr-defined]
