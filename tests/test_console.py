"""The console channel: the whole loop in a terminal, as a newcomer would try it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.app import build_app
from bot.channels.console import ConsoleChannel, console_settings
from bot.cli import main
from core.clock import FakeClock
from core.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def run_console(settings: Settings, database_url: str, clock: FakeClock, lines: list[str]) -> str:
    app = build_app(console_settings(replace(settings, database_url=database_url)), clock)
    output: list[str] = []
    try:
        asyncio.run(ConsoleChannel(app, output.append).run(lines))
    finally:
        app.engine.dispose()
    return "\n".join(output)


def test_ask_answer_and_follow_up_in_the_console(example_settings: Settings, database_url: str,
                                                 clock: FakeClock) -> None:
    screen = run_console(example_settings, database_url, clock, [
        "xin chào", "1", "van giang",
        "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?", "1",
        "/as officer so-ct", "/reply 10 Có, em cần kê khai thuế.",
        "/as youth an", "/my", "/quit", "never read",
    ])
    assert "── #10 bot in group dept-so-ct ──\nHY-0001 · Huyện Văn Giang · Thương mại điện tử" in screen
    assert "Trả lời câu hỏi HY-0001 từ Sở Công Thương:\n\nCó, em cần kê khai thuế." in screen
    assert "HY-0001 · đã trả lời" in screen
    assert "never read" not in screen


def test_console_explains_its_own_mistakes(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    screen = run_console(example_settings, database_url, clock, [
        "/as officer nowhere", "/reply x hello", "/press 99 1",
    ])
    assert "Usage: /as youth NAME | /as officer DEPT | /as admin" in screen
    assert "/reply needs a message number" in screen
    assert "Message #99 has no button 1." in screen


def test_start_command_opens_the_console_without_token(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text((ROOT / "config.example.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config)],
        input="xin chào\n1\n/quit\n", capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "Nghị định 13/2023/NĐ-CP" in result.stdout and "Huyện Văn Giang" in result.stdout
    assert (tmp_path / "youthbot.sqlite3").exists()


def test_classify_command_prints_json_lines(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert main(["--config", str(ROOT / "config.example.toml"), "classify",
                 "em ban hang online tren shopee thi co phai nop thue khong a"]) == 0
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("How do I register a trademark?\n\n"))
    assert main(["--config", str(ROOT / "config.example.toml"), "classify"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["language"], r["category"]) for r in rows] == [("vi", "ecommerce"), ("en", "science_tech")]
    assert len(rows[0]["categories"]) == 7 and rows[0]["categories"][0]["key"] == "ecommerce"


def test_configuration_errors_exit_with_a_clear_message(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text("[bot]\ntimezone = 7\n", encoding="utf-8")
    assert main(["--config", str(config), "run"]) == 2
    assert "Configuration error: districts: is missing" in capsys.readouterr().err
