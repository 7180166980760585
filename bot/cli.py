"""The `youthbot` command: run the bot, check the configuration or write one, check routing rules,
migrate the database, preview reminders, write the report and the FAQ page."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.channels.registry import load_settings
from bot.logs import FORMATS, setup_logging
from core.config import EXAMPLE_CONFIG, ConfigError, Settings
from core.summary import summary

if TYPE_CHECKING:
    from bot.app import App

DEFAULT_CONFIG = Path("config.toml")
log = logging.getLogger(__name__)


def _global_options() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name: SUPPRESS keeps one given later from being reset."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                         help="TOML settings (default: config.toml, else the packaged example)")
    options.add_argument("--log-level", default=argparse.SUPPRESS, choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                         type=str.upper, help="lowest level logged (default: INFO)")
    options.add_argument("--log-format", default=argparse.SUPPRESS, choices=FORMATS,
                         help="text lines (default) or one JSON object a line")
    return options


def main(argv: list[str] | None = None) -> int:
    options = _global_options()
    parser = argparse.ArgumentParser(prog="youthbot", description=__doc__, parents=[options])
    commands = parser.add_subparsers(dest="command")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, parents=[options])

    command("run", help="start every configured platform (the default); the console chat when none is")
    command("check", help="validate the configuration and print what it sets up")
    init = command("init", help="write a commented config.toml (or --config PATH) from the packaged example")
    init.add_argument("--force", action="store_true", help="replace an existing file")
    classify = command("classify", help="print language and category suggestions as JSON lines")
    classify.add_argument("texts", nargs="*", help="questions; read one per line from stdin when none are given")
    duplicates = command("duplicates", help="score pairs of questions read as JSON lines {\"a\", \"b\"}")
    duplicates.add_argument("--pairs", type=Path, help="JSON lines file (default: standard input)")
    command("migrate", help="bring the database schema up to date and exit")
    reminders = command("reminders", help="print what the reminders would send at a given moment")
    reminders.add_argument("--at", required=True, help="local time (bot.timezone), e.g. 2023-03-03T08:00")
    reminders.add_argument("--dry-run", action="store_true", help="compute and roll back (required: the bot sends)")
    report = command("report", help="write the report of the current campaign for the leadership")
    report.add_argument("--format", required=True, choices=("docx", "xlsx", "csv"))
    report.add_argument("--out", required=True, type=Path, help="file to write")
    report.add_argument("--campaign", help="key of a past campaign (default: the current one, campaign.key)")
    transmittal = command("transmittal", help="write a department's transmittal (phiếu chuyển) as Word")
    transmittal.add_argument("--department", required=True, help="the department's key, e.g. so-ct")
    transmittal.add_argument("--out", required=True, type=Path, help="file to write, e.g. phieu-chuyen-so-ct.docx")
    faq = command("faq", help="write the published questions and answers as a static HTML page")
    faq.add_argument("--out", required=True, type=Path, help="file to write, e.g. faq.html")
    agenda = command("agenda", help="write the event's list of questions as CSV (picked with /pick)")
    agenda.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")
    updates = command("updates", help="list the incoming updates set aside after failing, or put one back")
    updates.add_argument("--retry", type=int, metavar="ID", help="queue this set-aside update again")
    act = command("act", help="perform a staff action (as in chat: approve HY-0004, reassign HY-0004 so-ct …)")
    act.add_argument("name", help="the action's name (docs/actions.md)")
    act.add_argument("words", nargs="*", help="its arguments, as typed after the command in chat")
    act.add_argument("--as", dest="role", required=True, choices=("admin", "coordinator"), help="acting as")
    args = parser.parse_args(argv)
    setup_logging(getattr(args, "log_level", "INFO"), getattr(args, "log_format", "text"))
    if args.command == "init":
        return _init(getattr(args, "config", DEFAULT_CONFIG), args.force)
    try:
        settings = load_settings(_config_path(getattr(args, "config", None)))
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        print("\n".join(summary(settings) + [f"warning: {warning}" for warning in settings.warnings]))
        return 0
    for warning in settings.warnings:
        log.warning("configuration: %s", warning)
    if args.command == "classify":
        return _classify(settings, args.texts)
    if args.command == "duplicates":
        return _duplicates(settings, args.pairs)
    if args.command == "reminders":
        return _reminders(settings, args.at, args.dry_run)
    if args.command == "report":
        return _report(settings, args.format, args.out, args.campaign or settings.campaign.key)
    if args.command == "transmittal":
        return _transmittal(settings, args.department, args.out)
    if args.command == "faq":
        return _faq(settings, args.out)
    if args.command == "agenda":
        return _agenda(settings, args.out)
    if args.command == "updates":
        return _updates(settings, args.retry)
    if args.command == "act":
        return _act(settings, args.name, args.words, args.role)
    if args.command == "migrate":
        from bot.app import build_app

        build_app(settings)
        return 0
    return _run(settings)


def _config_path(given: Path | None) -> Path:
    if given is not None:
        return given
    if DEFAULT_CONFIG.exists():
        return DEFAULT_CONFIG
    print(f"No config.toml here: using the example settings ({EXAMPLE_CONFIG}).", file=sys.stderr)
    return EXAMPLE_CONFIG


def _init(path: Path, force: bool) -> int:
    if path.exists() and not force:
        print(f"{path} exists: edit it, or give --force to replace it with the example.", file=sys.stderr)
        return 2
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{path}: written from the example (Hưng Yên's 2023 plan). Edit it, then `youthbot check --config {path}`.",
          file=sys.stderr)
    return 0


def _classify(settings: Settings, texts: list[str]) -> int:
    from bot.classify import classify_lines
    from core.language import LanguageDetector
    from storage.learning import base_model

    lines: Iterator[str] | list[str] = texts or (line.rstrip("\n") for line in sys.stdin)
    classify_lines(lines, LanguageDetector(settings.languages), base_model(settings), sys.stdout)
    return 0


def _duplicates(settings: Settings, pairs: Path | None) -> int:
    from bot.classify import PairError, duplicate_lines
    from storage.learning import base_model

    with open(pairs, encoding="utf-8") if pairs else contextlib.nullcontext(sys.stdin) as lines:
        try:
            duplicate_lines(lines, base_model(settings), settings.curation.duplicate_threshold, sys.stdout)
        except PairError as error:
            print(f"duplicates: {error}", file=sys.stderr)
            return 2
    return 0


def _act(settings: Settings, name: str, words: list[str], role: str) -> int:
    """0 when done, 1 when refused or invalid (what it says goes to stderr then)."""
    from bot.act import act
    from bot.app import build_app

    outcome, shown = act(build_app(settings), name, words, role)
    print(shown, file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if outcome.ok else 1


def _updates(settings: Settings, retry: int | None) -> int:
    """Updates given up on: the error's last line only, never the chat or the words (personal data)."""
    from bot.app import build_app
    from storage import inbox
    from storage.db import transaction

    app = build_app(settings)
    with transaction(app.sessions) as session:
        if retry is not None:
            if not inbox.retry(session, retry):
                print(f"No set-aside update {retry} (see `youthbot updates`).", file=sys.stderr)
                return 2
            print(f"Update {retry} is queued again; the running bot handles it within seconds.")
            return 0
        for update in inbox.set_aside(session):
            error = (update.error or "").strip().splitlines()[-1:] or [""]
            print(f"{update.id}\t{update.platform}\t{update.received_at:%Y-%m-%d %H:%M}\t{error[0][:160]}")
    return 0


def _reminders(settings: Settings, at_text: str, dry_run: bool) -> int:
    from datetime import datetime

    from bot.app import build_app
    from scheduler.preview import dry_run as preview

    if not dry_run:
        print("Only --dry-run is supported: the running bot sends reminders itself.", file=sys.stderr)
        return 2
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        print(f"--at: '{at_text}' is not a time like 2023-03-03T08:00", file=sys.stderr)
        return 2
    at = at if at.tzinfo else at.replace(tzinfo=settings.timezone)
    app = build_app(settings)
    result, lines = preview(app.sessions, app.services, at)
    for line in lines:
        print(line)
    print(f"# at {at.isoformat()}: {result.sent} reminders would be sent ({len(lines)} messages), "
          f"{result.skipped} skipped, {result.failed} failing", file=sys.stderr)
    return 0


def _report(settings: Settings, format: str, out: Path, campaign_key: str) -> int:
    from sqlalchemy import select

    from bot.app import build_app
    from reports.build import ReportScope, write_report
    from storage.db import transaction
    from storage.models import Campaign

    app = build_app(settings)
    with transaction(app.sessions) as session:
        campaign = session.scalar(select(Campaign).where(Campaign.key == campaign_key))
        if campaign is None:
            known = ", ".join(session.scalars(select(Campaign.key).order_by(Campaign.id)))
            print(f"--campaign: no campaign '{campaign_key}' in the database (there are: {known})", file=sys.stderr)
            return 2
        count = write_report(session, ReportScope(settings, app.services.texts, campaign, app.clock.now()),
                             format, out, progress=lambda done: print(f"… {done} questions written", file=sys.stderr,
                                                                      flush=True))
    print(f"{out}: {count} questions", file=sys.stderr)
    return 0


def _transmittal(settings: Settings, department: str, out: Path) -> int:
    from bot.app import build_app
    from reports.build import ReportScope
    from reports.transmittal import write_transmittal
    from storage.db import transaction
    from storage.questions import ensure_campaign

    if settings.department(department) is None:
        keys = ", ".join(d.key for d in settings.departments)
        print(f"--department: '{department}' is not a department key (one of: {keys})", file=sys.stderr)
        return 2
    app = build_app(settings)
    with transaction(app.sessions) as session:
        campaign = ensure_campaign(session, settings.campaign, app.clock.now())
        count = write_transmittal(session, ReportScope(settings, app.services.texts, campaign, app.clock.now()),
                                  department, out)
    print(f"{out}: {count} questions", file=sys.stderr)
    return 0


def _faq(settings: Settings, out: Path) -> int:
    from bot.app import build_app
    from reports.faq import published_entries
    from reports.faq_page import write_faq_page
    from reports.labels import Labels
    from storage.db import transaction

    app = build_app(settings)
    labels = Labels(app.services.texts, settings.default_language, settings.timezone)
    with transaction(app.sessions) as session:
        entries = published_entries(session, settings)
    count = write_faq_page(entries, settings, labels, labels("faq_page_title", campaign=settings.campaign.name), out)
    print(f"{out}: {count} questions", file=sys.stderr)
    return 0


def _agenda(settings: Settings, out: Path | None) -> int:
    from bot.app import build_app
    from handlers.event_day import write_agenda_csv
    from reports.labels import Labels
    from storage.questions import ensure_campaign

    app = build_app(settings)
    labels = Labels(app.services.texts, settings.default_language, settings.timezone)
    stream = out.open("w", encoding="utf-8", newline="") if out else contextlib.nullcontext(sys.stdout)
    with app.sessions() as session, stream as writable:
        campaign = ensure_campaign(session, settings.campaign, app.clock.now())
        rows = write_agenda_csv(session, settings, campaign.id, writable, labels)
    print(f"# {rows} questions on the event's list", file=sys.stderr)
    return 0


def _run(settings: Settings) -> int:
    from bot.serve import serve

    if not settings.platforms:
        return _run_console(settings)
    for line in summary(settings):
        log.info("configuration: %s", line)
    try:
        asyncio.run(serve(settings))
    except KeyboardInterrupt:
        pass
    return 0


def _run_console(settings: Settings) -> int:
    from bot.app import build_app
    from bot.channels.console import ConsoleChannel, console_settings

    logging.getLogger().setLevel(logging.WARNING)
    app = build_app(console_settings(settings))
    _serve_web_in_background(app)
    channel = ConsoleChannel(app, print)
    asyncio.run(channel.run(_stdin_lines()))
    return 0


def _serve_web_in_background(app: App) -> None:
    """The console reads the terminal without awaiting; the web server gets a thread of its own."""
    import threading

    from bot.health import Health
    from bot.metrics import DatabaseGauges
    from bot.web import web_server

    server = web_server(app, Health(app.engine), DatabaseGauges(app.sessions, app.clock))
    threading.Thread(target=server.run, name="web", daemon=True).start()


def _stdin_lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ")
        except EOFError:
            return


if __name__ == "__main__":
    sys.exit(main())
