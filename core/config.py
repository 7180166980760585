"""Typed settings read from TOML and validated at start.

Everything that changes from one province, level or year to the next lives here:
districts, categories, departments and their chats, the campaign's timeline, limits.
Errors name the key and what is wrong, so an operator can fix the file without
reading code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.messages import ChatRef

SUPPORTED_LANGUAGES = ("vi", "en")


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class District:
    key: str
    name: str


@dataclass(frozen=True)
class Category:
    key: str
    names: Mapping[str, str]
    keywords: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()))


@dataclass(frozen=True)
class Department:
    key: str
    name: str
    chats: tuple[ChatRef, ...]
    categories: tuple[str, ...]
    officers: tuple[str, ...] = ()
    """Optional allowlist of `platform:user_id` who may answer; empty means any member of the chats."""
    topic_per_question: bool = False
    """In a forum supergroup: each question gets a topic of its own, where officers simply write."""

    @property
    def primary_chat(self) -> ChatRef:
        return self.chats[0]


@dataclass(frozen=True)
class Campaign:
    key: str
    name: str
    level: str
    code_prefix: str
    question_deadline: date
    answer_deadline: date
    event_at: datetime
    event_place: str
    field_content_deadline: date | None = None
    hosts: tuple[str, ...] = ()
    """The leaders answering at the dialogue, name and office ("Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh")."""


@dataclass(frozen=True)
class Limits:
    questions_per_hour: int = 5
    messages_per_minute: int = 20
    min_question_chars: int = 10
    max_question_chars: int = 3000
    digest_after: int = 3  # question cards waiting for one group before they go as one digest


@dataclass(frozen=True)
class DeadlineRules:
    """How many working days a department gets to answer, and which days are not working days."""

    minimum_working_days: int = 3
    holidays: frozenset[date] = frozenset()
    department_working_days: Mapping[str, int] = field(default_factory=dict)
    category_working_days: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderSettings:
    """When nudges, escalations and reminders go out; times are local (bot.timezone)."""

    nudge_days_before: tuple[int, ...] = (3, 1, 0)
    nudge_time: time = time(8, 0)
    digest_time: time = time(8, 0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    stale_after: timedelta = timedelta(hours=6)
    very_overdue_days: int = 3
    event_morning_time: time = time(7, 0)
    useful_after_days: int = 3


@dataclass(frozen=True)
class CurationSettings:
    """The Youth Union's review of questions before departments see them, and the event's list."""

    approval_required: bool = False
    review_chat: ChatRef | None = None  # where review cards go; the coordinator chat when not set
    duplicate_threshold: float = 0.8  # similarity (0..1) from which a question is offered as a duplicate
    agenda_size: int = 15  # questions /suggest proposes for the dialogue


@dataclass(frozen=True)
class BotEndpoint:
    """What every bot platform's table has: the token, the API's address, polling or a webhook."""

    token: str = ""
    base_url: str = ""
    mode: str = "polling"  # or "webhook"
    webhook_url: str = ""
    webhook_secret: str = ""
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080


@dataclass(frozen=True)
class TelegramSettings(BotEndpoint):
    base_url: str = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class ZaloSettings(BotEndpoint):
    """The Zalo Bot API (bot.zaloplatforms.com). Zalo publishes no rate limits for it: the
    defaults are deliberately slow, and every number can be changed here."""

    base_url: str = "https://bot-api.zaloplatforms.com"
    listen_port: int = 8081
    messages_per_second: float = 5.0
    private_interval: float = 1.0
    group_interval: float = 3.0


@dataclass(frozen=True)
class ZaloOaSettings:
    """A Zalo Official Account (Open API v3): webhook in, consultation messages out."""

    app_id: str = ""
    app_secret: str = ""       # the app's secret key: refreshing the access token
    oa_secret_key: str = ""    # the OA secret key: checking X-ZEvent-Signature
    access_token: str = ""     # first tokens only; later ones live in the database
    refresh_token: str = ""
    api_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    webhook_path: str = "/zalo-oa"
    messages_per_second: float = 5.0
    private_interval: float = 1.0

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)


@dataclass(frozen=True)
class ReportSettings:
    """Where generated reports, charts and FAQ pages are written, and the official form of the report
    (Decree 30/2020/NĐ-CP): who issues it, to whom, who signs it. Empty values print as dotted blanks."""

    folder: Path = Path("exports")
    parent_body: str = ""         # "Ủy ban nhân dân tỉnh Hưng Yên" (the letterhead writes it in capitals)
    issuing_body: str = ""        # "Sở Nội vụ"
    number_prefix: str = "BC"     # the report's symbol after "Số: .../", e.g. "BC-SNV"
    transmittal_prefix: str = "PC"  # the per-department transmittal's, e.g. "PC-SNV"
    place: str = ""               # "Hưng Yên" in "Hưng Yên, ngày ... tháng ... năm ..."
    addressee: str = ""           # "Kính gửi: ..."
    signatory_authority: str = ""  # "KT. GIÁM ĐỐC" when a deputy signs for the head
    signatory_title: str = ""     # "PHÓ GIÁM ĐỐC"
    signatory_name: str = ""
    recipients: tuple[str, ...] = ()  # "Nơi nhận", one line each


REPORT_TEXT_KEYS = ("parent_body", "issuing_body", "place", "addressee", "signatory_authority", "signatory_title",
                    "signatory_name")


@dataclass(frozen=True)
class PrivacySettings:
    """People inactive for `retention_days` are anonymised by a scheduled job (Decree 13/2023)."""

    retention_days: int = 730


@dataclass(frozen=True)
class Settings:
    timezone: ZoneInfo
    languages: tuple[str, ...]
    database_url: str
    campaign: Campaign
    districts: tuple[District, ...]
    categories: tuple[Category, ...]
    departments: tuple[Department, ...]
    coordinator_chat: ChatRef
    admins: frozenset[str]
    limits: Limits = field(default_factory=Limits)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    show_identity_to_departments: bool = False
    fallback_category: str = ""
    deadlines: DeadlineRules = field(default_factory=DeadlineRules)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    reports: ReportSettings = field(default_factory=ReportSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    zalo_oa: ZaloOaSettings = field(default_factory=ZaloOaSettings)
    curation: CurationSettings = field(default_factory=CurationSettings)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def district(self, key: str) -> District | None:
        return next((d for d in self.districts if d.key == key), None)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def department(self, key: str) -> Department | None:
        return next((d for d in self.departments if d.key == key), None)

    def department_for_category(self, category_key: str) -> Department:
        for department in self.departments:
            if category_key in department.categories:
                return department
        raise KeyError(category_key)  # validation guarantees every category has an owner

    def department_for_chat(self, chat: ChatRef) -> Department | None:
        return next((d for d in self.departments if chat in d.chats), None)

    def with_chats(self, chat_for: Mapping[str, ChatRef], coordinator: ChatRef) -> Settings:
        """The same settings with each department answering in `chat_for[key]` (the console uses it)."""
        departments = tuple(replace(d, chats=(chat_for[d.key],)) for d in self.departments)
        return replace(self, departments=departments, coordinator_chat=coordinator)


def load_settings(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read and validate a TOML file; `overrides` replace top-level tables (tests use it)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (copy config.example.toml to start)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    data.update(overrides or {})
    return parse_settings(data, base_dir=path.parent)


def parse_settings(data: Mapping[str, Any], base_dir: Path = Path(".")) -> Settings:
    reader = _Reader(data, "")
    bot = reader.table("bot")
    languages = tuple(bot.str_list("languages", default=list(SUPPORTED_LANGUAGES)))
    for index, language in enumerate(languages):
        if language not in SUPPORTED_LANGUAGES:
            bot.fail(f"languages[{index}]", f"'{language}' is not one of {list(SUPPORTED_LANGUAGES)}")
    if not languages:
        bot.fail("languages", "must name at least one language")

    districts = tuple(District(d.key("key"), d.str("name")) for d in reader.tables("districts"))
    categories = tuple(_category(c, languages) for c in reader.tables("categories"))
    departments = tuple(_department(d) for d in reader.tables("departments"))
    _check_unique(reader, "districts", [d.key for d in districts])
    _check_unique(reader, "categories", [c.key for c in categories])
    _check_unique(reader, "departments", [d.key for d in departments])
    _check_routing(reader, categories, departments)

    fallback = bot.str("fallback_category", default=categories[-1].key)
    if fallback not in {c.key for c in categories}:
        bot.fail("fallback_category", f"'{fallback}' is not a category key")

    limits_table = reader.table("limits", required=False)
    limits = Limits(**{name: limits_table.positive_int(name, default=getattr(Limits(), name))
                       for name in Limits.__dataclass_fields__})
    if limits.min_question_chars >= limits.max_question_chars:
        limits_table.fail("min_question_chars", "must be smaller than max_question_chars")

    storage = reader.table("storage", required=False)
    return Settings(
        timezone=_timezone(bot),
        languages=languages,
        database_url=_database_url(storage.str("url", default="sqlite:///youthbot.sqlite3"), base_dir),
        campaign=_campaign(reader.table("campaign")),
        districts=districts,
        categories=categories,
        departments=departments,
        coordinator_chat=bot.chat("coordinator_chat"),
        admins=frozenset(bot.str_list("admins", default=[])),
        limits=limits,
        telegram=_telegram(reader.table("telegram", required=False)),
        show_identity_to_departments=bot.bool("show_identity_to_departments", default=False),
        fallback_category=fallback,
        deadlines=_deadlines(reader.table("deadlines", required=False), categories, departments),
        reminders=_reminders(reader.table("reminders", required=False)),
        texts=_texts(reader.table("texts", required=False), languages),
        reports=_reports(reader.table("reports", required=False), base_dir),
        privacy=PrivacySettings(reader.table("privacy", required=False).positive_int(
            "retention_days", default=PrivacySettings.retention_days)),
        zalo=_zalo(reader.table("zalo", required=False)),
        zalo_oa=_zalo_oa(reader.table("zalo_oa", required=False)),
        curation=_curation(reader.table("curation", required=False)),
    )


def _category(table: _Reader, languages: tuple[str, ...]) -> Category:
    names = {language: table.str(f"name_{language}") for language in languages}
    return Category(table.key("key"), names, tuple(table.str_list("keywords", default=[])))


def _department(table: _Reader) -> Department:
    chats = tuple(table.chat_list("chats"))
    if not chats:
        table.fail("chats", "must list at least one chat, e.g. \"telegram:-1001234567890\"")
    return Department(
        key=table.key("key"),
        name=table.str("name"),
        chats=chats,
        categories=tuple(table.str_list("categories")),
        officers=tuple(table.str_list("officers", default=[])),
        topic_per_question=table.bool("topic_per_question", default=False),
    )


def _telegram(table: _Reader) -> TelegramSettings:
    settings = TelegramSettings(**_bot_endpoint(table, TelegramSettings()))
    _check_webhook(table, settings.mode, settings.webhook_url, "Telegram")
    if settings.mode == "webhook" and len(settings.webhook_secret) < 16:
        table.fail("webhook_secret", "must be at least 16 characters (A-Z, a-z, 0-9, _ and -)")
    return settings


def _zalo(table: _Reader) -> ZaloSettings:
    defaults = ZaloSettings()
    settings = ZaloSettings(
        **_bot_endpoint(table, defaults),
        **{name: table.positive_number(name, default=getattr(defaults, name))
           for name in ("messages_per_second", "private_interval", "group_interval")},
    )
    _check_webhook(table, settings.mode, settings.webhook_url, "Zalo")
    if settings.mode == "webhook" and not 8 <= len(settings.webhook_secret) <= 256:
        table.fail("webhook_secret", "must be 8 to 256 characters")
    return settings


def _bot_endpoint(table: _Reader, defaults: BotEndpoint) -> dict[str, Any]:
    return {
        **{name: table.str(name, default=getattr(defaults, name))
           for name in ("token", "base_url", "mode", "webhook_url", "webhook_secret", "listen_host")},
        "listen_port": table.positive_int("listen_port", default=defaults.listen_port),
    }


def _check_webhook(table: _Reader, mode: str, webhook_url: str, platform: str) -> None:
    if mode not in ("polling", "webhook"):
        table.fail("mode", f"must be \"polling\" or \"webhook\", not '{mode}'")
    if mode == "webhook" and not webhook_url.startswith("https://"):
        table.fail("webhook_url", f"must be the public https:// address {platform} posts updates to")


def _zalo_oa(table: _Reader) -> ZaloOaSettings:
    defaults = ZaloOaSettings()
    settings = ZaloOaSettings(
        **{name: table.str(name, default=getattr(defaults, name))
           for name in ("app_id", "app_secret", "oa_secret_key", "access_token", "refresh_token",
                        "api_url", "oauth_url", "webhook_path")},
        **{name: table.positive_number(name, default=getattr(defaults, name))
           for name in ("messages_per_second", "private_interval")},
    )
    if settings.enabled:
        for name in ("app_secret", "oa_secret_key", "refresh_token"):
            if not getattr(settings, name):
                table.fail(name, "is needed when app_id is set (see the Zalo section of the README)")
    if not settings.webhook_path.startswith("/"):
        table.fail("webhook_path", f"must start with '/', like \"/zalo-oa\", not '{settings.webhook_path}'")
    return settings


def _deadlines(table: _Reader, categories: tuple[Category, ...],
               departments: tuple[Department, ...]) -> DeadlineRules:
    holidays: set[date] = set()
    for index, value in enumerate(table.str_list("holidays", default=[])):
        holidays.update(_day_range(table, f"holidays[{index}]", value))
    rules = {}
    for name, known in (("department_working_days", {d.key for d in departments}),
                        ("category_working_days", {c.key for c in categories})):
        sub = table.table(name, required=False)
        for key in sub.keys():
            if key not in known:
                sub.fail(key, f"'{key}' is not a {name.split('_')[0]} key")
        rules[name] = {key: sub.positive_int(key, default=1) for key in sub.keys()}
    minimum = table.positive_int("minimum_working_days", default=DeadlineRules.minimum_working_days)
    return DeadlineRules(minimum, frozenset(holidays), **rules)


def _day_range(table: _Reader, key: str, value: str) -> list[date]:
    """"2023-01-20" or "2023-01-20..2023-01-26" (both ends included)."""
    first, _, last = value.partition("..")
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
    except ValueError:
        table.fail(key, f"'{value}' is not a date like \"2023-01-20\" or a range like \"2023-01-20..2023-01-26\"")
        raise
    if end < start:
        table.fail(key, f"'{value}' ends before it starts")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _reminders(table: _Reader) -> ReminderSettings:
    defaults = ReminderSettings()
    offsets = table.day_counts("nudge_days_before", list(defaults.nudge_days_before))
    return ReminderSettings(
        nudge_days_before=tuple(sorted(set(offsets), reverse=True)),
        nudge_time=table.clock_time("nudge_time", defaults.nudge_time),
        digest_time=table.clock_time("digest_time", defaults.digest_time),
        quiet_start=table.clock_time("quiet_start", defaults.quiet_start),
        quiet_end=table.clock_time("quiet_end", defaults.quiet_end),
        stale_after=timedelta(hours=table.positive_int("stale_after_hours", default=6)),
        very_overdue_days=table.positive_int("very_overdue_days", default=defaults.very_overdue_days),
        event_morning_time=table.clock_time("event_morning_time", defaults.event_morning_time),
        useful_after_days=table.positive_int("useful_after_days", default=defaults.useful_after_days),
    )


def _curation(table: _Reader) -> CurationSettings:
    defaults = CurationSettings()
    threshold = table.positive_number("duplicate_threshold", default=defaults.duplicate_threshold)
    if threshold > 1:
        table.fail("duplicate_threshold", f"must be at most 1 (a similarity from 0 to 1), not {threshold}")
    return CurationSettings(
        approval_required=table.bool("approval_required", default=defaults.approval_required),
        review_chat=table.chat("review_chat") if "review_chat" in table.keys() else None,
        duplicate_threshold=threshold,
        agenda_size=table.positive_int("agenda_size", default=defaults.agenda_size),
    )


def _reports(table: _Reader, base_dir: Path) -> ReportSettings:
    known = {"folder", "number_prefix", "transmittal_prefix", "recipients", *REPORT_TEXT_KEYS}
    for key in table.keys():
        if key not in known:
            table.fail(key, f"is not a setting of [reports]; known: {', '.join(sorted(known))}")
    prefixes = {name: table.str(name, default=getattr(ReportSettings, name))
                for name in ("number_prefix", "transmittal_prefix")}
    for name, prefix in prefixes.items():
        if not prefix or not all(part.isalnum() and part.isupper() for part in prefix.split("-")):
            table.fail(name, f"'{prefix}' must be upper-case letters and digits joined by '-', like \"BC-SNV\"")
    return ReportSettings(
        folder=_local_path(table.str("folder", default="exports"), base_dir),
        **prefixes,
        recipients=tuple(table.str_list("recipients", default=[])),
        **{key: table.str(key, default="").strip() for key in REPORT_TEXT_KEYS},
    )


def _campaign(table: _Reader) -> Campaign:
    campaign = Campaign(
        key=table.key("key"),
        name=table.str("name"),
        level=table.str("level", default="province"),
        code_prefix=table.str("code_prefix"),
        question_deadline=table.date("question_deadline"),
        field_content_deadline=table.date("field_content_deadline", required=False),
        answer_deadline=table.date("answer_deadline"),
        event_at=table.datetime("event_at"),
        event_place=table.str("event_place"),
        hosts=tuple(host.strip() for host in table.str_list("hosts", default=[])),
    )
    if len(set(campaign.hosts)) != len(campaign.hosts):
        table.fail("hosts", "names a leader twice")
    if not campaign.code_prefix.isalnum() or not campaign.code_prefix.isupper():
        table.fail("code_prefix", "must be upper-case letters or digits, e.g. \"HY\"")
    if campaign.answer_deadline < campaign.question_deadline:
        table.fail("answer_deadline", "is before question_deadline")
    if campaign.event_at.date() < campaign.answer_deadline:
        table.fail("event_at", "is before answer_deadline")
    return campaign


def _check_unique(reader: _Reader, section: str, keys: list[str]) -> None:
    if not keys:
        reader.fail(section, "must have at least one entry")
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            reader.fail(f"{section}[{index}].key", f"'{key}' is used twice")
        seen.add(key)


def _check_routing(reader: _Reader, categories: tuple[Category, ...], departments: tuple[Department, ...]) -> None:
    known = {c.key for c in categories}
    owner: dict[str, str] = {}
    for index, department in enumerate(departments):
        for category in department.categories:
            where = f"departments[{index}].categories"
            if category not in known:
                reader.fail(where, f"'{category}' is not a category key")
            if category in owner:
                reader.fail(where, f"'{category}' is already owned by department '{owner[category]}'")
            owner[category] = department.key
    for index, category in enumerate(categories):
        if category.key not in owner:
            reader.fail(f"categories[{index}]", f"'{category.key}' is owned by no department")


def _timezone(bot: _Reader) -> ZoneInfo:
    name = bot.str("timezone", default="Asia/Ho_Chi_Minh")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        bot.fail("timezone", f"'{name}' is not a known time zone, e.g. \"Asia/Ho_Chi_Minh\"")
        raise  # unreachable: fail() raises


def _database_url(url: str, base_dir: Path) -> str:
    """Relative SQLite paths are relative to the config file, not to the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base_dir / url[len(prefix):]).resolve())
    return url


def _local_path(value: str, base_dir: Path) -> Path:
    """Relative folders are relative to the config file, like the SQLite path."""
    return (base_dir / value).resolve()


def _texts(table: _Reader, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    overrides: dict[str, dict[str, str]] = {}
    for language in table.keys():
        if language not in languages:
            table.fail(language, f"'{language}' is not in bot.languages")
        sub = table.table(language)
        overrides[language] = {key: sub.str(key) for key in sub.keys()}
    return overrides


class _Reader:
    """Typed access to one TOML table, failing with the full dotted key."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self._data = data
        self._prefix = prefix

    def fail(self, key: str, problem: str) -> None:
        raise ConfigError(f"{self._prefix}{key}: {problem}")

    def keys(self) -> list[str]:
        return list(self._data)

    def _get(self, key: str, kind: type | tuple[type, ...], kind_name: str, default: Any) -> Any:
        if key not in self._data:
            if default is _REQUIRED:
                self.fail(key, "is missing")
            return default
        value = self._data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(key, f"must be {kind_name}, not {type(value).__name__} {value!r}")
        return value

    def table(self, key: str, required: bool = True) -> _Reader:
        value = self._get(key, dict, "a table", _REQUIRED if required else {})
        return _Reader(value, f"{self._prefix}{key}.")

    def tables(self, key: str) -> list[_Reader]:
        values = self._get(key, list, f"an array of tables ([[{key}]])", _REQUIRED)
        readers = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                self.fail(f"{key}[{index}]", "must be a table")
            readers.append(_Reader(value, f"{self._prefix}{key}[{index}]."))
        return readers

    def str(self, key: str, default: Any = None) -> str:
        value = self._get(key, str, "a string", _REQUIRED if default is None else default)
        if not value.strip() and default is None:
            self.fail(key, "must not be empty")
        return value

    def key(self, key: str) -> str:
        value = self.str(key)
        if not all(ch.isalnum() or ch in "-_" for ch in value):
            self.fail(key, f"'{value}' may hold only letters, digits, '-' and '_'")
        return value

    def str_list(self, key: str, default: list[str] | None = None) -> list[str]:
        values = self._get(key, list, "a list of strings", _REQUIRED if default is None else default)
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                self.fail(f"{key}[{index}]", f"must be a non-empty string, not {value!r}")
        return values

    def bool(self, key: str, default: bool) -> bool:
        return self._get(key, bool, "true or false", default)

    def positive_int(self, key: str, default: int) -> int:
        value = self._get(key, int, "a whole number", default)
        if value <= 0:
            self.fail(key, f"must be positive, not {value}")
        return value

    def positive_number(self, key: str, default: float) -> float:
        value = self._get(key, (int, float), "a number", default)
        if isinstance(value, bool) or value <= 0:
            self.fail(key, f"must be a positive number, not {value!r}")
        return float(value)

    def date(self, key: str, required: bool = True) -> date | None:
        value = self._get(key, date, "a date like 2023-02-22", _REQUIRED if required else None)
        if isinstance(value, datetime):
            self.fail(key, "must be a date without a time, like 2023-02-22")
        return value

    def day_counts(self, key: str, default: list[int]) -> list[int]:
        values = self._get(key, list, "a list of whole numbers", default)
        for index, value in enumerate(values):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.fail(f"{key}[{index}]", f"must be a whole number of days, 0 or more, not {value!r}")
        return values

    def clock_time(self, key: str, default: time) -> time:
        value = self.str(key, default=default.strftime("%H:%M"))
        try:
            return time.fromisoformat(value)
        except ValueError:
            self.fail(key, f"'{value}' is not a local time like \"21:00\"")
            raise

    def datetime(self, key: str) -> datetime:
        value = self._get(key, datetime, "a local date and time like 2023-03-28T08:00:00", _REQUIRED)
        if value.tzinfo is not None:
            self.fail(key, "must be a local time without offset; bot.timezone says which zone")
        return value

    def chat(self, key: str) -> ChatRef:
        return self._parse_chat(key, self.str(key))

    def chat_list(self, key: str) -> list[ChatRef]:
        return [self._parse_chat(f"{key}[{i}]", v) for i, v in enumerate(self.str_list(key))]

    def _parse_chat(self, key: str, value: str) -> ChatRef:
        try:
            return ChatRef.parse(value)
        except ValueError as error:
            self.fail(key, str(error))
            raise


_REQUIRED = object()
