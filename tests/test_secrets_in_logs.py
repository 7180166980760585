"""No configured secret appears in any log line, at any level, through whole flows on every platform.

Each test runs the real adapters against the local platform servers with every logger at DEBUG
(the HTTP clients log each request's URL, SQLAlchemy each statement's parameters), including
refused and dropped requests whose errors quote the URL, then scans every record.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

import pytest
import telegram

from bot import logsafe
from core.clock import FakeClock
from core.config import Settings
from tests import test_telegram, test_zalo_bot, test_zalo_oa
from tests.fakes.telegram_api import DEFAULT_TOKEN as TELEGRAM_TOKEN
from tests.fakes.zalo_bot_api import DEFAULT_TOKEN as ZALO_TOKEN

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TELEGRAM_WEBHOOK_SECRET = "telegram-webhook-secret-0123456789"
ZALO_WEBHOOK_SECRET = "zalo-webhook-secret-0123"


def with_secrets(settings: Settings) -> Settings:
    return (settings.with_channel("telegram", token=TELEGRAM_TOKEN, webhook_secret=TELEGRAM_WEBHOOK_SECRET)
            .with_channel("zalo", token=ZALO_TOKEN, webhook_secret=ZALO_WEBHOOK_SECRET))


def log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG everywhere, the HTTP clients included (the CLI quiets them, and an earlier test may have run it)."""
    for name in (None, "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)


def assert_no_secret(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> None:
    assert len(caplog.records) > 50, "the flow was logged at DEBUG"
    lines = caplog.text.splitlines() + [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    for secret in filter(None, secrets):
        leaks = [line for line in lines if secret in line]
        assert not leaks, f"{secret!r} in the log: {leaks[:3]}"


def test_telegram_flow_logs_no_token(example_settings: Settings, database_url: str, clock: FakeClock,
                                     caplog: pytest.LogCaptureFixture) -> None:
    log_everything(caplog)
    d_ = test_telegram  # its flows and ids

    async def scenario(d: test_telegram.Deployment) -> None:
        await d_.register(d, d_.LAN)
        d.fake.drop_next_connection("sendMessage")              # a network error quotes the URL
        await d_.ask(d, d_.LAN)
        card = d.fake.last_bot_message(d_.SO_CT)
        d.fake.fail_next("sendMessage", 400, "Bad Request: chat not found")  # and so does a refusal
        d.fake.user_sends(d_.OFFICER, chat_id=d_.SO_CT, text="Có, em cần kê khai thuế.", reply_to=card["message_id"])
        await d.step()
        logging.getLogger("test").info("url %s", f"{d.fake.base_url}{TELEGRAM_TOKEN}/getMe")
        with contextlib.suppress(telegram.error.TelegramError):  # PTB logs the secret among the parameters
            await d.bot.set_webhook("https://example.org/telegram", secret_token=TELEGRAM_WEBHOOK_SECRET)

    test_telegram.run(with_secrets(example_settings), database_url, clock, scenario)
    assert_no_secret(caplog, logsafe.secrets_of(with_secrets(example_settings)))
    assert any("setWebhook" in r.getMessage() and "'secret_token': '[redacted]'" in r.getMessage()
               for r in caplog.records)


def test_zalo_bot_flow_logs_no_token(example_settings: Settings, database_url: str, clock: FakeClock,
                                     caplog: pytest.LogCaptureFixture) -> None:
    log_everything(caplog)

    async def scenario(d: test_zalo_bot.Deployment) -> None:
        await test_zalo_bot.register(d)
        await test_zalo_bot.ask(d)
        await d.client.set_webhook("https://example.org/zalo", ZALO_WEBHOOK_SECRET)
        await d.client.call("deleteWebhook", {})

    test_zalo_bot.run(with_secrets(example_settings), database_url, clock, scenario)
    assert_no_secret(caplog, [ZALO_TOKEN, ZALO_WEBHOOK_SECRET, TELEGRAM_TOKEN])


def test_zalo_oa_flow_logs_no_key_or_token(example_settings: Settings, database_url: str, clock: FakeClock,
                                           caplog: pytest.LogCaptureFixture) -> None:
    log_everything(caplog)
    seen: list[str] = []

    async def scenario(d: test_zalo_oa.Deployment) -> None:
        await test_zalo_oa.ask(d)
        clock.advance(timedelta(hours=30))     # the access token expires: a refresh brings a new pair
        await test_zalo_oa.officer_answers(d)
        seen.extend(list(d.oa.access_tokens) + list(d.oa.refresh_tokens) + [d.oa.app_secret, d.oa.oa_secret_key])
        assert d.oa.refreshes >= 1

    settings = example_settings.with_channel("zalo_oa", app_secret="app-secret", oa_secret_key="oa-secret-key")
    test_zalo_oa.run(settings, database_url, clock, scenario)
    assert_no_secret(caplog, seen)


def test_a_token_shaped_url_part_is_masked_even_when_not_configured() -> None:
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s", (
        "https://api.telegram.org/bot987654321:AAH-someRealLookingTokenValue_0123456/sendMessage",), None)
    logsafe.protect(())
    masked = logging.getLogRecordFactory()("httpx", logging.INFO, __file__, 1, record.msg, record.args, None)
    assert "987654321" not in masked.getMessage() and "/bot[redacted]/sendMessage" in masked.getMessage()


def test_redacted_records_keep_their_arguments_for_formatters_that_unpack_them() -> None:
    """uvicorn's access log unpacks the record's arguments; a number stays a number for %d."""
    from uvicorn.logging import AccessFormatter

    logsafe.protect((TELEGRAM_TOKEN,))
    record = logging.getLogRecordFactory()("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', (
        "127.0.0.1:5", "POST", f"/bot{TELEGRAM_TOKEN}/sendMessage", "1.1", 200), None)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert line == '127.0.0.1:5 - "POST /bot[redacted]/sendMessage HTTP/1.1" 200 OK'
