"""Configuration is validated at start, and every error names the key and the problem."""

from __future__ import annotations

import tomllib
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from bot.channels.registry import load_settings, parse_settings
from core.config import ConfigError
from core.messages import ChatRef

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


@pytest.fixture
def data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_settings(data)
    return str(raised.value)


def test_example_carries_the_2023_plan() -> None:
    settings = load_settings(EXAMPLE)
    assert len(settings.districts) == 11 and settings.districts[0].name == "Thành phố Hưng Yên"
    assert [str(d) for d in (settings.campaign.question_deadline, settings.campaign.field_content_deadline,
                             settings.campaign.answer_deadline)] == ["2023-02-22", "2023-02-25", "2023-03-06"]
    assert settings.campaign.event_at.month == 3
    assert str(settings.timezone) == "Asia/Ho_Chi_Minh"
    assert settings.department_for_category("ecommerce").name == "Sở Công Thương"
    assert settings.department_for_chat(ChatRef("telegram", "-1000000000007")).key == "so-nv"
    assert settings.languages == ("vi", "en")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["campaign"].pop("answer_deadline"), "campaign.answer_deadline: is missing"),
    (lambda d: d["campaign"].update(answer_deadline="6/3"), "campaign.answer_deadline: must be a date"),
    (lambda d: d["campaign"].update(code_prefix="hy"), "campaign.code_prefix: must be upper-case"),
    (lambda d: d["bot"].update(timezone="Mars/Olympus"), "bot.timezone: 'Mars/Olympus' is not a known time zone"),
    (lambda d: d["bot"].update(languages=["vi", "fr"]), "bot.languages[1]: 'fr' is not one of"),
    (lambda d: d["bot"].update(coordinator_chat="-100123"), "bot.coordinator_chat: '-100123' is not of the form"),
    (lambda d: d["departments"][2].update(categories=["ecommerce", "shopping"]),
     "departments[2].categories: 'shopping' is not a category key"),
    (lambda d: d["departments"][3].update(categories=["ecommerce"]),
     "departments[3].categories: 'ecommerce' is already owned by department 'so-ct'"),
    (lambda d: d["departments"][3].update(chats=[]), "departments[3].chats: must list at least one chat"),
    (lambda d: d["districts"].append({"key": "van-lam", "name": "Văn Lâm 2"}),
     "districts[11].key: 'van-lam' is used twice"),
    (lambda d: d["limits"].update(questions_per_hour=0), "limits.questions_per_hour: must be positive"),
    (lambda d: d["limits"].update(questions_per_hour="5"), "limits.questions_per_hour: must be a whole number"),
    (lambda d: d["categories"][0].pop("name_en"), "categories[0].name_en: is missing"),
    (lambda d: d.update(texts={"fr": {"welcome": "Salut"}}), "texts.fr: 'fr' is not in bot.languages"),
])
def test_errors_name_the_key(data: dict[str, Any], change: Any, message: str) -> None:
    data = deepcopy(data)
    change(data)
    assert message in error_of(data)


def test_a_category_without_department_is_refused(data: dict[str, Any]) -> None:
    data["departments"] = [d for d in data["departments"] if d["key"] != "so-nnptnt"]
    assert "categories[5]: 'agriculture' is owned by no department" in error_of(data)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


def test_relative_sqlite_path_is_next_to_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings(config).database_url == f"sqlite:///{tmp_path.resolve()}/youthbot.sqlite3"


def test_text_overrides(data: dict[str, Any]) -> None:
    data["texts"] = {"vi": {"help": "Trợ giúp riêng của tỉnh"}}
    assert parse_settings(data).texts["vi"]["help"] == "Trợ giúp riêng của tỉnh"


def test_deadlines_and_reminders(data: dict[str, Any]) -> None:
    from datetime import date, time, timedelta

    settings = parse_settings(data)
    assert {date(2023, 1, 2), date(2023, 1, 20), date(2023, 1, 26), date(2023, 5, 3), date(2023, 9, 4)} \
        <= settings.deadlines.holidays
    assert date(2023, 1, 27) not in settings.deadlines.holidays
    assert settings.reminders.nudge_days_before == (3, 1, 0)
    assert settings.reminders.quiet_start == time(21, 0)
    assert settings.reminders.stale_after == timedelta(hours=6)
    data["deadlines"]["category_working_days"] = {"ecommerce": 5}
    assert parse_settings(data).deadlines.category_working_days == {"ecommerce": 5}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["deadlines"].update(holidays=["2023-13-01"]), "deadlines.holidays[0]: '2023-13-01' is not a date"),
    (lambda d: d["deadlines"].update(holidays=["2023-01-26..2023-01-20"]),
     "deadlines.holidays[0]: '2023-01-26..2023-01-20' ends before"),
    (lambda d: d["deadlines"].update(department_working_days={"so-xx": 3}),
     "deadlines.department_working_days.so-xx: 'so-xx' is not a department key"),
    (lambda d: d["deadlines"].update(category_working_days={"ecommerce": 0}),
     "deadlines.category_working_days.ecommerce: must be positive"),
    (lambda d: d["deadlines"].update(minimum_working_days=0), "deadlines.minimum_working_days: must be positive"),
    (lambda d: d["reminders"].update(quiet_start="9pm"), "reminders.quiet_start: '9pm' is not a local time"),
    (lambda d: d["reminders"].update(nudge_days_before=[3, -1]), "reminders.nudge_days_before[1]: must be a whole"),
    (lambda d: d["reminders"].update(stale_after_hours=0), "reminders.stale_after_hours: must be positive"),
])
def test_deadline_and_reminder_errors_name_the_key(data: dict[str, Any], change: Any, message: str) -> None:
    change(data)
    assert message in error_of(data)


# --- the Zalo tables ---

def test_the_example_configures_no_zalo_and_conservative_limits(data: dict[str, Any]) -> None:
    settings = parse_settings(data)
    assert settings.channel("zalo").token == "" and not settings.channel("zalo_oa").enabled
    assert settings.channel("zalo").messages_per_second == 5.0 and settings.channel("zalo").private_interval == 1.0


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
    data["telegram"]["token"] = "123:abc"  # the departments' groups are on Telegram: the OA has none
    assert error_of(data).startswith("zalo_oa.app_secret: is needed when app_id is set")
    data["zalo_oa"] |= {"app_secret": "s", "oa_secret_key": "k", "refresh_token": "r"}
    assert parse_settings(data).channel("zalo_oa").enabled
    data["zalo_oa"]["webhook_path"] = "zalo-oa"
    assert error_of(data).startswith("zalo_oa.webhook_path: must start with '/'")
