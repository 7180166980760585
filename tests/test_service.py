"""The systemd unit in deploy/ is one systemd accepts (checked where systemd-analyze exists)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "youthbot.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_unit_verifies(tmp_path: Path) -> None:
    venv = Path(sys.executable).parent.parent  # the unit's commands must exist to verify: this venv's
    unit = tmp_path / "youthbot.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/youthbot/.venv", str(venv)), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_the_unit_checks_the_configuration_before_it_starts() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStartPre=/opt/youthbot/.venv/bin/youthbot check --config /etc/youthbot/config.toml" in text
    assert "--log-format json" in text
