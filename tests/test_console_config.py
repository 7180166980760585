"""The console's configuration: strictly validated keys, staff seeded from it once, the cookie key."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest

from bot import logsafe
from bot.app import build_app
from bot.channels.registry import parse_settings
from core.clock import FakeClock
from core.config import Settings
from storage.db import transaction
from storage.models import StaffRole
from storage.staff import active_staff, find_staff, remove_staff
from tests.test_config import data, error_of  # noqa: F401 - the example as a dict, a fixture
from webconsole.state import console_key


def test_web_keys_are_checked(data: dict[str, Any]) -> None:  # noqa: F811
    data["web"]["public_url"] = "bot.example.gov.vn"
    assert error_of(data).startswith("web.public_url: 'bot.example.gov.vn' is not an address")
    data["web"] |= {"public_url": "https://bot.example.gov.vn/", "secret": "short"}
    assert error_of(data).startswith("web.secret: must be at least 32 characters")
    data["web"] |= {"secret": "s" * 32, "login_minutes": 0}
    assert error_of(data) == "web.login_minutes: must be positive, not 0"
    data["web"] |= {"login_minutes": 5, "sesion_hours": 2}
    assert error_of(data) == "web.sesion_hours: unknown key; did you mean 'session_hours'?"
    del data["web"]["sesion_hours"]
    web = parse_settings(data).web
    assert web.console_url == "https://bot.example.gov.vn/console" and web.secure and web.login_minutes == 5


def test_staff_roles_are_accounts(data: dict[str, Any]) -> None:  # noqa: F811
    data["bot"]["coordinators"] = ["123"]
    assert error_of(data).startswith("bot.coordinators[0]: '123' is not of the form platform:user_id")
    data["bot"] |= {"coordinators": ["telegram:42"], "viewers": ["zalo:abc"]}
    settings = parse_settings(data)
    assert settings.coordinators == {"telegram:42"} and settings.viewers == {"zalo:abc"}
    assert parse_settings({**data, "web": {}}).web.console_url == "http://127.0.0.1:8000/console"


def with_staff(settings: Settings, url: str) -> Settings:
    officers = tuple(replace(d, officers=("console:ct",)) if d.key == "so-ct" else d for d in settings.departments)
    return replace(settings, database_url=url, coordinators=frozenset({"console:coord", "console:admin"}),
                   viewers=frozenset({"console:leader"}), departments=officers)


def test_the_config_seeds_staff_once_and_the_console_decides_after(example_settings: Settings, database_url: str,
                                                                   clock: FakeClock) -> None:
    settings = with_staff(example_settings, database_url)
    app = build_app(settings, clock)
    with transaction(app.sessions) as session:
        roles = {m.account: (m.role, m.department_key) for m in active_staff(session)}
        assert roles["console:admin"] == (StaffRole.ADMIN, None)  # named twice: the higher role
        assert roles["console:coord"] == (StaffRole.COORDINATOR, None)
        assert roles["console:ct"] == (StaffRole.OFFICER, "so-ct")
        remove_staff(session, find_staff(session, "console:leader"), clock.now())  # type: ignore[arg-type]
    app.engine.dispose()
    again = build_app(settings, clock)
    with transaction(again.sessions) as session:
        assert find_staff(session, "console:leader") is None  # an admin's removal holds after a restart
    again.engine.dispose()


def test_the_cookie_key_is_kept_once_or_configured_and_never_logged(
        example_settings: Settings, database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    first = build_app(replace(example_settings, database_url=database_url), clock)
    second = build_app(replace(example_settings, database_url=database_url), clock)
    assert console_key(first) == console_key(second)  # every process signs alike
    secret = "a-configured-console-secret-of-40-chars!"
    configured = build_app(replace(example_settings, database_url=database_url,
                                   web=replace(example_settings.web, secret=secret)), clock)
    assert console_key(configured) != console_key(first)
    assert secret in logsafe.secrets_of(configured.settings)
    with caplog.at_level(logging.INFO):
        logging.getLogger("youthbot.test").info("key %s", secret)
    assert secret not in caplog.text
    for app in (first, second, configured):
        app.engine.dispose()


def test_a_sign_in_link_is_masked_in_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    logsafe.protect([])
    link = "http://127.0.0.1:8000/console/login/rCSDNuM6vgAprUZtSaU06tCnkRu5PvP0LJzOM4r2W6Y"
    with caplog.at_level(logging.INFO):
        logging.getLogger("youthbot.test").info("sent %s", link)
    assert "rCSDNuM6" not in caplog.text and "/console/login/" + logsafe.MASK in caplog.text
