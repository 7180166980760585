"""`youthbot reminders --at TIME --dry-run`: what would be sent then, with nothing written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from scheduler.preview import dry_run
from storage.models import OutboxMessage, Reminder
from tests.harness import Harness

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def counts(harness: Harness) -> tuple[int, int]:
    with harness.app.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Reminder)) or 0,
                session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_dry_run_shows_the_nudge_and_writes_nothing(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?")
    before = counts(harness)
    at = datetime(2023, 3, 3, 8, 0, tzinfo=harness.settings.timezone)
    result, lines = dry_run(harness.app.sessions, harness.app.services, at)
    assert result.sent == 2  # the department's nudge and the coordinator's digest
    assert any(line.startswith("console:dept-so-ct\t") and "HY-0001" in line for line in lines)
    assert counts(harness) == before


def test_cli_needs_dry_run_and_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["--config", str(config), "reminders", "--at", "2023-03-03T08:00"]) == 2
    assert main(["--config", str(config), "reminders", "--at", "2023-03-03T08:00", "--dry-run"]) == 0
    assert "0 reminders would be sent" in capsys.readouterr().err
