"""The Zalo tables of the configuration: defaults that run, and errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from core.config import ConfigError, parse_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


@pytest.fixture
def data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_settings(data)
    return str(raised.value)


def test_the_example_configures_no_zalo_and_conservative_limits(data: dict[str, Any]) -> None:
    settings = parse_settings(data)
    assert settings.zalo.token == "" and not settings.zalo_oa.enabled
    assert settings.zalo.messages_per_second == 5.0 and settings.zalo.private_interval == 1.0


def test_a_zalo_webhook_needs_https_and_a_secret(data: dict[str, Any]) -> None:
    data["zalo"] |= {"token": "123:abc", "mode": "webhook", "webhook_url": "http://bot.example/zalo"}
    assert error_of(data).startswith("zalo.webhook_url: must be the public https://")
    data["zalo"] |= {"webhook_url": "https://bot.example/zalo", "webhook_secret": "short"}
    assert error_of(data) == "zalo.webhook_secret: must be 8 to 256 characters"
    data["zalo"]["mode"] = "push"
    assert error_of(data) == "zalo.mode: must be \"polling\" or \"webhook\", not 'push'"


def test_rates_must_be_positive_numbers(data: dict[str, Any]) -> None:
    data["zalo"]["messages_per_second"] = 0
    assert error_of(data) == "zalo.messages_per_second: must be a positive number, not 0"
    data["zalo"]["messages_per_second"] = "fast"
    assert error_of(data) == "zalo.messages_per_second: must be a number, not str 'fast'"


def test_an_official_account_needs_its_secrets_and_tokens(data: dict[str, Any]) -> None:
    data["zalo_oa"]["app_id"] = "1234567890"
    assert error_of(data).startswith("zalo_oa.app_secret: is needed when app_id is set")
    data["zalo_oa"] |= {"app_secret": "s", "oa_secret_key": "k", "refresh_token": "r"}
    assert parse_settings(data).zalo_oa.enabled
    data["zalo_oa"]["webhook_path"] = "zalo-oa"
    assert error_of(data).startswith("zalo_oa.webhook_path: must start with '/'")
