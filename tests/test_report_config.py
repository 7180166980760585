"""The [reports] and [privacy] tables: defaults, paths relative to the config file, named errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.channels.registry import load_settings, parse_settings
from core.config import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_example_values_and_folder_relative_to_the_config_file() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.reports.folder == EXAMPLE.parent / "exports"
    assert settings.privacy.retention_days == 730


def test_defaults_when_the_tables_are_missing(tmp_path: Path) -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    del data["reports"], data["privacy"]
    settings = parse_settings(data, base_dir=tmp_path)
    assert settings.reports.folder == tmp_path / "exports" and settings.privacy.retention_days == 730


@pytest.mark.parametrize(("table", "key", "value", "message"), [
    ("privacy", "retention_days", 0, "privacy.retention_days: must be positive, not 0"),
    ("privacy", "retention_days", "1 year", "privacy.retention_days: must be a whole number"),
    ("reports", "folder", 3, "reports.folder: must be a string"),
])
def test_wrong_values_are_named(table: str, key: str, value: object, message: str) -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data[table][key] = value
    with pytest.raises(ConfigError, match=message):
        parse_settings(data)
