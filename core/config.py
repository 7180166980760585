"""Typed settings read from TOML and validated at start.

Everything that changes from one province, level or year to the next lives here:
districts, categories, departments and their chats, the campaign's timeline, limits.
Errors name the key and what is wrong, so an operator can fix the file without
reading code.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.messages import ChatRef

SUPPORTED_LANGUAGES = ("vi", "en")
EXAMPLE_CONFIG = Path(__file__).resolve().parent / "config.example.toml"
ONE_SERVER = "moved to [web] (one server for the webhooks, /healthz, /readyz and /metrics)"


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
    digest_after: int = 2  # question cards waiting for one group before they go as one digest


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
    duplicate_threshold: float = 0.7  # similarity (0..1) from which a question is offered as a duplicate
    agenda_size: int = 15  # questions /suggest proposes for the dialogue


PACKAGED_EXAMPLES = Path(__file__).with_name("understanding") / "examples.jsonl"  # the 2023 tuning questions


@dataclass(frozen=True)
class UnderstandingSettings:
    """How questions are understood (docs/understanding.md): seed examples and extra synonyms."""

    examples: Path = PACKAGED_EXAMPLES  # JSON lines {"text", "category"}: labelled questions to start from
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of phrases meaning the same, before the built-in ones


class ChannelSettings(Protocol):
    """A channel's validated table (`[telegram]`, `[zalo]` ...), as its `ChannelSection.read` returns it."""

    @property
    def enabled(self) -> bool:
        """Credentials are configured: the channel runs."""
        ...

    def secrets(self) -> tuple[str, ...]:
        """The values no log line may show."""
        ...


@dataclass(frozen=True)
class IdForm:
    """What an id on a platform looks like (a regular expression), and how the error says it."""

    pattern: str
    description: str


@dataclass(frozen=True)
class ChannelSection:
    """What a channel contributes to the strict validation: its table, the form of its ids, its old keys.

    `read` is None for a channel without a table (the console); `group_id` None where it has no groups."""

    name: str
    read: Callable[[TableReader], ChannelSettings] | None
    user_id: IdForm
    group_id: IdForm | None
    moved: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebSettings:
    """The one web server of a process: /healthz, /readyz, /metrics, the platforms' webhooks and the
    staff's console (/console). `public_url` is where staff's browsers reach it (the sign-in links
    point there); `secret` signs the console's cookies (a random one is kept in the database if empty)."""

    listen_host: str = "127.0.0.1"
    listen_port: int = 8000
    public_url: str = ""
    secret: str = ""
    login_minutes: int = 10   # a sign-in link works once, for this long
    session_hours: int = 12   # a console session ends this long after sign-in

    @property
    def console_url(self) -> str:
        """The console's address as staff open it: `public_url`, else the server's own address."""
        base = self.public_url or f"http://{self.listen_host}:{self.listen_port}"
        return base.rstrip("/") + "/console"

    @property
    def secure(self) -> bool:
        """Served over https: cookies are Secure and browsers are told to keep to https (HSTS)."""
        return self.public_url.startswith("https://")


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
    coordinators: frozenset[str] = frozenset()  # Home Affairs staff in the web console, as platform:user_id
    viewers: frozenset[str] = frozenset()       # read-only console access (leaders and their assistants)
    limits: Limits = field(default_factory=Limits)
    channels: Mapping[str, ChannelSettings] = field(default_factory=dict)
    """Each configured channel's table by platform name (`bot/channels/registry.py` lists the channels)."""
    show_identity_to_departments: bool = False
    fallback_category: str = ""
    deadlines: DeadlineRules = field(default_factory=DeadlineRules)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    reports: ReportSettings = field(default_factory=ReportSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    curation: CurationSettings = field(default_factory=CurationSettings)
    web: WebSettings = field(default_factory=WebSettings)
    warnings: tuple[str, ...] = ()
    """What is allowed but limits the product (no admin, a chat on a platform not configured)."""

    @property
    def platforms(self) -> tuple[str, ...]:
        """The chat platforms with credentials; none means the console chat."""
        return tuple(name for name, section in self.channels.items() if section.enabled)
    understanding: UnderstandingSettings = field(default_factory=UnderstandingSettings)

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

    def channel(self, name: str) -> Any:
        """A channel's table; each channel module reads its own, typed."""
        return self.channels[name]

    def with_channel(self, name: str, **changes: Any) -> Settings:
        """The same settings with some values of one channel's table changed (tests use it)."""
        return replace(self, channels={**self.channels, name: replace(self.channels[name], **changes)})

    def with_chats(self, chat_for: Mapping[str, ChatRef], coordinator: ChatRef) -> Settings:
        """The same settings with each department answering in `chat_for[key]` (the console uses it)."""
        departments = tuple(replace(d, chats=(chat_for[d.key],)) for d in self.departments)
        return replace(self, departments=departments, coordinator_chat=coordinator)


def read_settings(path: str | Path, sections: Sequence[ChannelSection],
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read and validate a TOML file for these channels; `overrides` replace top-level tables (tests use it).
    `bot.channels.registry.load_settings` passes the registered channels."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (copy config.example.toml to start)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    data.update(overrides or {})
    return parse_settings(data, sections, base_dir=path.parent)


def parse_settings(data: Mapping[str, Any], sections: Sequence[ChannelSection], base_dir: Path = Path(".")) -> Settings:
    """Validate `data`: a wrong value, an unknown key or table, or a chat id of the wrong form is an error."""
    reader = _Reader(data, "", {}, _Channels(sections))
    settings = _parse(reader, base_dir)
    unknown = list(reader.unknown())
    if unknown:
        raise ConfigError("\n".join(unknown))
    return replace(settings, warnings=tuple(_check_chats(reader, settings)))


def known_keys(sections: Sequence[ChannelSection]) -> list[str]:
    """Every dotted key the parser reads (array tables as `departments.key`), from the packaged example."""
    reader = _Reader(tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8")), "", {}, _Channels(sections))
    _parse(reader, Path("."))
    return sorted(reader.known())


def _parse(reader: _Reader, base_dir: Path) -> Settings:
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
        admins=frozenset(str(account) for account in bot.account_list("admins")),
        coordinators=frozenset(str(account) for account in bot.account_list("coordinators")),
        viewers=frozenset(str(account) for account in bot.account_list("viewers")),
        limits=limits,
        channels={section.name: section.read(reader.table(section.name, required=False))
                  for section in reader.channels.sections if section.read is not None},
        show_identity_to_departments=bot.bool("show_identity_to_departments", default=False),
        fallback_category=fallback,
        deadlines=_deadlines(reader.table("deadlines", required=False), categories, departments),
        reminders=_reminders(reader.table("reminders", required=False)),
        texts=_texts(reader.table("texts", required=False), languages),
        reports=_reports(reader.table("reports", required=False), base_dir),
        privacy=PrivacySettings(reader.table("privacy", required=False).positive_int(
            "retention_days", default=PrivacySettings.retention_days)),
        curation=_curation(reader.table("curation", required=False)),
        web=_web(reader.table("web", required=False)),
        understanding=_understanding(reader.table("understanding", required=False), base_dir),
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
        officers=tuple(str(account) for account in table.account_list("officers")),
        topic_per_question=table.bool("topic_per_question", default=False),
    )


def _web(table: _Reader) -> WebSettings:
    port = table.positive_int("listen_port", default=WebSettings.listen_port)
    if port > 65535:
        table.fail("listen_port", f"must be a TCP port (1-65535), not {port}")
    public_url = table.str("public_url", default="").rstrip("/")
    if public_url and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", public_url):
        table.fail("public_url", f"'{public_url}' is not an address like \"https://bot.example.gov.vn\"")
    secret = table.str("secret", default="")
    if secret and len(secret) < 32:
        table.fail("secret", "must be at least 32 characters (or left out: a random one is kept in the database)")
    return WebSettings(table.str("listen_host", default=WebSettings.listen_host), port, public_url, secret,
                       login_minutes=table.positive_int("login_minutes", default=WebSettings.login_minutes),
                       session_hours=table.positive_int("session_hours", default=WebSettings.session_hours))


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
        review_chat=table.chat("review_chat") if table.has("review_chat") else None,
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


def _understanding(table: _Reader, base_dir: Path) -> UnderstandingSettings:
    examples = table.str("examples", default="")
    groups = table._get("synonyms", list, "a list of lists of phrases", [])
    for index, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(p, str) and p.strip() for p in group):
            table.fail(f"synonyms[{index}]", "must be a list of at least two phrases")
    return UnderstandingSettings(examples=_local_path(examples, base_dir) if examples else PACKAGED_EXAMPLES,
                                 synonyms=tuple(tuple(group) for group in groups))


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


@dataclass(frozen=True)
class _Channels:
    """The channels a configuration is validated for: their names, id forms and old keys."""

    sections: Sequence[ChannelSection]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(section.name for section in self.sections)

    def section(self, name: str) -> ChannelSection | None:
        return next((section for section in self.sections if section.name == name), None)

    def moved(self, dotted_key: str) -> str | None:
        table, _, key = dotted_key.partition(".")
        section = self.section(table)
        return section.moved.get(key) if section else None


class _Reader:
    """Typed access to one TOML table, failing with the full dotted key.

    Every key asked for is known, whether present or not; `unknown()` lists the keys present that no
    code asked for. So a new setting is declared by reading it, in one line, and a typo cannot be
    ignored in silence. Tables whose keys are free (`texts.vi`, per-department rules) are read with `keys()`.
    """

    def __init__(self, data: Mapping[str, Any], prefix: str, readers: dict[str, _Reader], channels: _Channels) -> None:
        self._data = data
        self._prefix = prefix
        self.channels = channels
        self._asked: set[str] = set()
        self._free = False
        self._readers = readers
        readers[prefix] = self

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ConfigError(f"{self._prefix}{key}: {problem}")

    def keys(self) -> list[str]:
        self._free = True
        return list(self._data)

    def has(self, key: str) -> bool:
        self._asked.add(key)
        return key in self._data

    def unknown(self) -> Iterator[str]:
        """One error line for each key present that was not asked for, with the closest known key."""
        for reader in sorted(self._readers.values(), key=lambda r: r._prefix):
            if reader._free:
                continue
            for key in sorted(set(reader._data) - reader._asked):
                if moved := self.channels.moved(f"{reader._prefix}{key}"):
                    yield f"{reader._prefix}{key}: {moved}"
                    continue
                kind = "table" if not reader._prefix and isinstance(reader._data[key], dict | list) else "key"
                close = difflib.get_close_matches(key, sorted(reader._asked), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield f"{reader._prefix}{key}: unknown {kind}{hint}"

    def known(self) -> set[str]:
        """The dotted keys asked for in every table, array tables without their index."""
        return {re.sub(r"\[\d+\]", "", f"{reader._prefix}{key}")
                for reader in self._readers.values() for key in reader._asked}

    def _get(self, key: str, kind: type | tuple[type, ...], kind_name: str, default: Any) -> Any:
        self._asked.add(key)
        if key not in self._data:
            if default is _REQUIRED:
                close = difflib.get_close_matches(key, [k for k in self._data if k not in self._asked], n=1)
                self.fail(key, f"is missing ('{close[0]}' is there: a typo?)" if close else "is missing")
            return default
        value = self._data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(key, f"must be {kind_name}, not {type(value).__name__} {value!r}")
        return value

    def table(self, key: str, required: bool = True) -> _Reader:
        value = self._get(key, dict, "a table", _REQUIRED if required else {})
        prefix = f"{self._prefix}{key}."
        return self._readers.get(prefix) or _Reader(value, prefix, self._readers, self.channels)

    def tables(self, key: str) -> list[_Reader]:
        values = self._get(key, list, f"an array of tables ([[{key}]])", _REQUIRED)
        readers = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                self.fail(f"{key}[{index}]", "must be a table")
            prefix = f"{self._prefix}{key}[{index}]."
            readers.append(self._readers.get(prefix) or _Reader(value, prefix, self._readers, self.channels))
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
        """A group chat: a department's, the coordinator's, the review chat."""
        return self._parse_chat(key, self.str(key), groups=True)

    def chat_list(self, key: str) -> list[ChatRef]:
        return [self._parse_chat(f"{key}[{i}]", v, groups=True) for i, v in enumerate(self.str_list(key))]

    def account_list(self, key: str) -> list[ChatRef]:
        """People, as `platform:user_id` (admins, officers)."""
        return [self._parse_chat(f"{key}[{i}]", v, groups=False)
                for i, v in enumerate(self.str_list(key, default=[]))]

    def _parse_chat(self, key: str, value: str, groups: bool) -> ChatRef:
        try:
            ref = ChatRef.parse(value)
        except ValueError as error:
            if not groups:
                self.fail(key, f"'{value}' is not of the form platform:user_id, e.g. \"telegram:123456789\"")
            self.fail(key, str(error))
            raise
        section = self.channels.section(ref.platform)
        if section is None:
            names = self.channels.names
            close = difflib.get_close_matches(ref.platform, names, n=1)
            self.fail(key, f"'{ref.platform}' is not a platform; " + (
                f"did you mean '{close[0]}'?" if close else f"one of {', '.join(names)}"))
        form = section.group_id if groups else section.user_id
        if form is None:
            with_groups = ", ".join(s.name for s in self.channels.sections if s.group_id is not None)
            self.fail(key, f"'{ref.platform}' has no group chats: use a group on {with_groups}")
        if not re.fullmatch(form.pattern, ref.chat_id):
            self.fail(key, f"'{ref.chat_id}' is not {form.description}")
        return ref


TableReader = _Reader
"""What a channel's `ChannelSection.read` validates its table with (typed getters, `fail`)."""


def _check_chats(reader: _Reader, settings: Settings) -> Iterator[str]:
    """Errors where a chat cannot be reached on the platforms configured; warnings where it only limits.

    Without any platform the console chat stands in for every chat, so only the admins are checked.
    """
    platforms = settings.platforms
    admins = [a for a in settings.admins if not platforms or a.partition(":")[0] in platforms]
    if not settings.admins:
        yield "bot.admins: empty: only the coordinator chat can ban, approve or report, and nobody can broadcast"
    elif not admins:
        yield (f"bot.admins: none on a configured platform ({', '.join(platforms)}): only the coordinator chat "
               "can ban, approve or report, and nobody can broadcast")
    if not platforms:
        return
    where = f"is not a configured platform ({', '.join(platforms)})"
    for key, chat in (("bot.coordinator_chat", settings.coordinator_chat),
                      ("curation.review_chat", settings.curation.review_chat)):
        if chat is not None and chat.platform not in platforms:
            reader.fail(key, f"'{chat.platform}' {where}")
    for index, department in enumerate(settings.departments):
        if not any(chat.platform in platforms for chat in department.chats):
            reader.fail(f"departments[{index}].chats", f"no chat on a configured platform ({', '.join(platforms)})")
        for position, chat in enumerate(department.chats):
            if chat.platform not in platforms:
                yield f"departments[{index}].chats[{position}]: '{chat.platform}' {where}: nothing goes to this chat"


_REQUIRED = object()
