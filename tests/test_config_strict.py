"""Strict configuration: a typo, an unknown table, a chat id of the wrong form or on an unknown
platform is an error naming the key; what only limits the product is a warning; `youthbot check`
prints what is configured."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.channels.registry import known_keys, parse_settings
from bot.cli import main
from tests.test_config import EXAMPLE, error_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def with_telegram(data: dict[str, Any]) -> dict[str, Any]:
    data["telegram"]["token"] = "123:abc"
    return data


# --- unknown keys and tables ---

def test_a_misspelt_key_is_an_error_with_the_closest_known_one(data: dict[str, Any]) -> None:
    data["curation"] = {"approval_requried": True}
    assert error_of(data) == "curation.approval_requried: unknown key; did you mean 'approval_required'?"


def test_a_misspelt_table_is_an_error(data: dict[str, Any]) -> None:
    data["curation_"] = {"approval_required": True}
    assert error_of(data) == "curation_: unknown table; did you mean 'curation'?"


def test_unknown_keys_in_array_tables_and_without_a_close_match(data: dict[str, Any]) -> None:
    data["departments"][2]["officer"] = []
    data["bot"]["colour"] = "blue"
    assert error_of(data).splitlines() == [
        "bot.colour: unknown key",
        "departments[2].officer: unknown key; did you mean 'officers'?",
    ]


def test_a_misspelt_required_key_says_so_where_it_is_missing(data: dict[str, Any]) -> None:
    data["campaign"]["code_prefx"] = data["campaign"].pop("code_prefix")
    assert error_of(data) == "campaign.code_prefix: is missing ('code_prefx' is there: a typo?)"


def test_free_form_tables_accept_any_key(data: dict[str, Any]) -> None:
    data["texts"] = {"vi": {"welcome": "Chào bạn"}}
    data["deadlines"]["department_working_days"] = {"so-ct": 5}
    assert parse_settings(data).texts["vi"]["welcome"] == "Chào bạn"


# --- chat ids and platforms ---

@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["bot"].update(coordinator_chat="telgram:-1001"),
     "bot.coordinator_chat: 'telgram' is not a platform; did you mean 'telegram'?"),
    (lambda d: d["bot"].update(admins=["100000001"]),
     "bot.admins[0]: '100000001' is not of the form platform:user_id"),
    (lambda d: d["departments"][2].update(chats=["telegram:@so_cong_thuong"]),
     "departments[2].chats[0]: '@so_cong_thuong' is not a Telegram group id"),
    (lambda d: d["departments"][2].update(chats=["telegram:100000001"]),
     "departments[2].chats[0]: '100000001' is not a Telegram group id"),
    (lambda d: d["bot"].update(admins=["telegram:-1001"]), "bot.admins[0]: '-1001' is not a Telegram user id"),
    (lambda d: d["departments"][0].update(officers=["telegram:abc"]),
     "departments[0].officers[0]: 'abc' is not a Telegram user id"),
    (lambda d: d["bot"].update(admins=["zalo_oa:hoa"]), "bot.admins[0]: 'hoa' is not a Zalo Official Account user id"),
    (lambda d: d["departments"][0].update(chats=["zalo_oa:1234567890"]),
     "departments[0].chats[0]: 'zalo_oa' has no group chats"),
    (lambda d: d["departments"][0].update(chats=["zalo:so tttt"]), "departments[0].chats[0]: 'so tttt' is not a Zalo"),
    (lambda d: d.update(curation={"review_chat": "telegram:42"}), "curation.review_chat: '42' is not a Telegram group"),
])
def test_chat_ids_are_checked_per_platform(data: dict[str, Any], change: Any, message: str) -> None:
    change(data)
    assert error_of(data).startswith(message)


def test_forms_each_platform_accepts(data: dict[str, Any]) -> None:
    data["bot"]["admins"] = ["telegram:100000001", "zalo:3b4e9c1d2a", "zalo_oa:2512523625412515", "console:admin"]
    data["departments"][0]["chats"] = ["telegram:-1000000000001", "zalo:g-5f2a9c"]
    assert len(parse_settings(data).admins) == 4


def test_with_a_platform_configured_every_department_must_be_reachable_on_it(data: dict[str, Any]) -> None:
    data["zalo"]["token"] = "123:abc"  # Zalo only, the example's chats are Telegram groups
    data["bot"]["coordinator_chat"] = "zalo:g-so-nv"
    assert error_of(data).startswith("departments[0].chats: no chat on a configured platform (zalo)")


def test_the_coordinator_chat_must_be_on_a_configured_platform(data: dict[str, Any]) -> None:
    with_telegram(data)["bot"]["coordinator_chat"] = "console:coordinator"
    assert error_of(data).startswith("bot.coordinator_chat: 'console' is not a configured platform (telegram)")


def test_what_only_limits_the_product_is_a_warning(data: dict[str, Any]) -> None:
    settings = parse_settings(data)
    assert settings.warnings == ()
    data["bot"]["admins"] = []
    data["departments"][0]["chats"].append("zalo:g-5f2a9c")
    settings = parse_settings(with_telegram(data))
    assert settings.warnings == (
        "bot.admins: empty: only the coordinator chat can ban, approve or report, and nobody can broadcast",
        "departments[0].chats[1]: 'zalo' is not a configured platform (telegram): nothing goes to this chat",
    )


def test_in_the_console_chat_any_chat_may_stay_as_it_is(data: dict[str, Any]) -> None:
    data["departments"][0]["chats"] = ["zalo:g-5f2a9c"]  # no platform configured: the console replaces chats
    assert parse_settings(data).warnings == ()


# --- every key is known and documented ---

def _dotted(table: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in table.items():
        if isinstance(value, dict) and key not in ("texts",):
            keys |= _dotted(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            keys |= {f"{prefix}{key}.{sub}" for item in value for sub in item}
        else:
            keys.add(f"{prefix}{key}")
    return keys


def _readme_table() -> dict[str, set[str]]:
    """The README's configuration table: for each `[table]` (or `[[table]]`), the keys in backticks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 4 or not cells[1].strip().startswith("`["):
            continue
        keys = set(re.findall(r"`([a-z_]+)`", cells[2]))
        for table in re.findall(r"`\[+([a-z_.]+)\]+`", cells[1]):
            documented[table] = keys
    return documented


def test_every_key_of_the_example_is_known_and_documented(data: dict[str, Any]) -> None:
    parse_settings(data)  # no unknown key
    documented = _readme_table()
    example = {k for k in _dotted(data) if not k.startswith("texts.")}
    known = {k for k in known_keys() if not k.startswith("texts.")}
    assert example <= known

    def is_documented(dotted: str) -> bool:
        table, _, key = dotted.rpartition(".")
        if not table:
            return any(name == key or name.startswith(f"{key}.") for name in documented)
        return key in documented.get(table, set())

    assert sorted(k for k in known if not is_documented(k)) == []


# --- youthbot check ---

def test_check_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "platforms: none (the console chat)" in out
    assert "districts: 11" in out
    assert "so-ct (Sở Công Thương): ecommerce" in out
    assert "campaign hung-yen-2023" in out and "answers by 2023-03-06" in out


def test_check_fails_with_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8").replace("[curation]", "[curation_]", 1), encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 2
    assert "curation_: unknown table; did you mean 'curation'?" in capsys.readouterr().err


def test_global_options_work_after_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--config", str(EXAMPLE)]) == 0
    assert main(["--config", str(EXAMPLE), "check"]) == 0
