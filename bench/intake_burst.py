"""A burst of questions through the real process, next to a plain relay, on one local Bot API server (issue 18).

50 young people, already past consent and district, each ask 10 questions and confirm each one
("1" presses "confirm"): 1,000 updates, pushed to the fake server at once while both bots idle in
their long poll. youthbot runs as `youthbot run` does (bot/serve.py, in a child process, polling);
the relay is a bare python-telegram-bot `Application` (concurrent updates, like aiogram's polling)
in a child process that stores nothing: a question goes to a department's group, a "1" gets a
reply. Both against the same server (tests/fakes/telegram_api.py, in this process):

- **lifted**: the server enforces no limit, and `[telegram]` lifts youthbot's own;
- **real**: the server enforces Telegram's (30/s, 1/s per private chat, 20/min per group) and
  youthbot keeps its defaults; the relay, which does not retry, loses what gets 429.

Measured from the push: the time until the last card (a question's card or digest in its
department's group) and receipt, messages/s = 1,000 / that, the p95 from a confirmation's
delivery to the bot (getUpdates) to its card, the bot's CPU seconds (/proc), 429 answers, group
messages, and under real limits the least time the groups' rate allows for the digests needed.
`--stored N` first fills the campaign with N open questions (cost per update as data grows): by default
`varied` (twice the campaign's 202 questions, then rounds of them in which all but the common words are
others: tests/population.py), or `--population cycled` (the 202 again and again: each of the burst's
questions then has N/202 open copies, all true duplicates to score).
`--profile` records the youthbot child with py-spy (raw, top entries printed).

    .venv/bin/python bench/intake_burst.py [--database sqlite|postgresql] [--limits lifted,real] [--stored 0]
        [--population varied|cycled] [--without-relay]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import database  # noqa: E402  (bench/common.py)

from tests.fakes.telegram_api import JSON, FakeTelegram, Params, RateLimitRules  # noqa: E402

PEOPLE = 50
PER_PERSON = 10
FIRST_USER = 20_000
REVIEW_CHAT = -1000000000008  # merge suggestions go here, not into a department's group
LIFTED = {"messages_per_second": 1e9, "private_interval": 1e-6, "group_interval": 1e-6}
MARKER = re.compile(r"\[Q(\d{3})\]")
RECEIPT = re.compile(r"(?:Đã nhận câu hỏi|Question) HY-\d{4}")  # a receipt (core/catalogue), in either language
GROUP_INTERVAL = 3.0  # Telegram: 20 messages a minute per group
TIMEOUT = 900


# --- the server, timed ------------------------------------------------------------------

class TimedFake(FakeTelegram):
    """The strict fake, noting when each update first left in a getUpdates answer and when each
    message of the bot was accepted."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.delivered_at: dict[int, float] = {}
        self.sent: list[tuple[float, int, str]] = []
        self.groups: set[int] = set()
        self.cards: dict[int, float] = {}  # question number -> when its card or digest was accepted
        self.receipts = 0

    def _poll_batch(self, generation: int, limit: int) -> list[JSON]:
        batch = super()._poll_batch(generation, limit)
        now = time.monotonic()
        for update in batch:
            self.delivered_at.setdefault(update["update_id"], now)
        return batch

    def _send_message(self, params: Params) -> JSON:
        message = super()._send_message(params)
        now, chat, text = time.monotonic(), message["chat"]["id"], message.get("text", "")
        self.sent.append((now, chat, text))
        if chat in self.groups:
            for match in MARKER.finditer(text):
                self.cards.setdefault(int(match[1]), now)
        elif chat > 0 and RECEIPT.search(text):
            self.receipts += 1
        return message


def questions() -> list[str]:
    """500 questions, each tagged with its number; real ones from the campaign's data, cycled."""
    texts = []
    for name in ("questions_dev.jsonl", "questions_more.jsonl"):
        path = ROOT.parent / "shared" / "data" / name
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [f"[Q{n:03d}] {texts[n % len(texts)]}" for n in range(PEOPLE * PER_PERSON)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- one run ----------------------------------------------------------------------------

def settings_overrides(url: str, fake: FakeTelegram, limits: str) -> dict[str, Any]:
    data = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    telegram = data["telegram"] | {"token": fake.token, "base_url": fake.base_url}
    if limits == "lifted":
        telegram |= LIFTED
    return {"storage": data["storage"] | {"url": url}, "telegram": telegram,
            "web": data["web"] | {"listen_port": free_port()},
            "curation": data["curation"] | {"review_chat": f"telegram:{REVIEW_CHAT}"},
            "limits": data["limits"] | {"questions_per_hour": 100, "messages_per_minute": 100}}


def start_child(kind: str, argument: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--child", kind, argument], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition: Any, what: str, timeout: float = TIMEOUT, progress: Any = None, stall: float = 30) -> None:
    """Until `condition`; a TimeoutError after `timeout`, or once `progress` has not changed for `stall` s."""
    deadline = time.monotonic() + timeout
    seen, changed = None, time.monotonic()
    while not condition():
        now = time.monotonic()
        if progress is not None and (current := progress()) != seen:
            seen, changed = current, now
        if now > deadline or (progress is not None and now - changed > stall):
            raise TimeoutError(what)
        time.sleep(0.05)


def run(bot: str, limits: str, kind: str, stored: int, profile: Path | None, population: str = "varied"
        ) -> dict[str, Any]:
    with database(kind) as url, TimedFake(limits=RateLimitRules() if limits == "real" else None) as fake:
        overrides = settings_overrides(url, fake, limits)
        groups = [int(chat.removeprefix("telegram:")) for d in overrides_departments() for chat in d[:1]]
        for group in [*groups, REVIEW_CHAT]:
            fake.add_group(group, f"group {group}")
        users = list(range(FIRST_USER, FIRST_USER + PEOPLE))
        for user in users:
            fake.add_user(user, f"Thanh niên {user}")
        if bot == "youthbot":
            if stored:
                fill(overrides, stored, population)
            child = start_child("youthbot", json.dumps(overrides))
            for index, user in enumerate(users):  # consent and district, not measured
                for text in ("xin chào", "1", str(1 + index % 11)):
                    fake.user_sends(user, text=text)
            wait_for(lambda: all(len(fake.bot_messages(u)) >= 3 for u in users) or child.poll() is not None,
                     "past consent and district")
            if child.poll() is not None:
                raise RuntimeError(f"youthbot stopped: {child.communicate()[1].decode(errors='replace')[-3000:]}")
        else:
            child = start_child("relay", json.dumps({"base_url": fake.base_url, "token": fake.token,
                                                     "groups": groups}))
        fake.wait_until_polling(timeout=60)
        time.sleep(0.5)
        fake.groups = set(groups)
        fake.cards.clear()
        fake.receipts = 0
        confirmations: dict[int, int] = {}  # question number -> update id of its confirmation
        texts = questions()
        spy = (start_profile(child.pid, profile / f"youthbot_{kind}_{limits}_{stored}.raw.txt")
               if profile and bot == "youthbot" else None)
        cpu_before = cpu_seconds(child.pid)
        started, started_wall = time.monotonic(), time.time()
        for round_ in range(PER_PERSON):
            for index, user in enumerate(users):
                number = round_ * PEOPLE + index
                fake.user_sends(user, text=texts[number])
                fake.user_sends(user, text="1")
                confirmations[number] = fake._pending[-1].update_id
        expected = len(texts) * 2

        try:
            wait_for(lambda: len(fake.cards) + fake.receipts >= expected, "every card and receipt",
                     progress=lambda: len(fake.sent), stall=120 if bot == "youthbot" else 10)
        except TimeoutError:  # a relay loses what got 429; youthbot must not: the table shows it
            pass
        cpu = cpu_seconds(child.pid) - cpu_before
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
            raw = profile / f"youthbot_{kind}_{limits}_{stored}.raw.txt"
            if raw.exists():
                print(f"profile {raw} (share of all samples, every thread, idle ones included):")
                for share, frame in top_entries(raw):
                    print(f"  {100 * share:5.1f}%  {frame}")
        child.terminate()
        _, errors = child.communicate(timeout=60)
        found = fake.cards
        sent = [entry for entry in fake.sent if entry[0] >= started]
        last = max([*found.values(), *(at for at, chat, text in sent if chat > 0 and RECEIPT.search(text))],
                   default=started)
        latencies = [found[n] - fake.delivered_at[u] for n, u in confirmations.items() if n in found]
        per_group = Counter(chat for _, chat, text in sent if chat in groups and MARKER.search(text))
        result = {
            "bot": bot, "limits": limits, "database": kind, "stored_questions": stored, "population": population,
            "updates": expected, "cards": len(found), "receipts": fake.receipts,
            "seconds": last - started, "messages_per_second": (len(found) + fake.receipts) / max(last - started, 1e-9),
            "p95_confirmation_to_card": quantiles(latencies, n=20)[-1] if len(latencies) > 1 else None,
            "cpu_seconds": cpu, "cpu_ms_per_update": 1000 * cpu / expected,
            "too_many_requests": fake.stats.too_many_requests, "group_messages": sum(per_group.values()),
        }
        if limits == "real" and bot == "youthbot":
            result |= least_time(found, sent, groups, started)
            result["timeline"] = timeline(url, fake, confirmations, groups, started, started_wall)
            print(timeline_text(result["timeline"]), flush=True)
        if missing := [n for n in range(len(texts)) if n not in found][:5]:
            result["missing_cards"] = missing
            result["chat_of_first_missing"] = [text[:120] for _, chat, text in sent
                                               if chat == users[missing[0] % PEOPLE]]
        if child.returncode not in (0, -15) and errors:
            result["stderr_tail"] = errors.decode(errors="replace")[-2000:]
        return result


def overrides_departments() -> list[list[str]]:
    data = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    return [d["chats"] for d in data["departments"]]


def least_time(found: dict[int, float], sent: list[tuple[float, int, str]], groups: list[int],
               started: float) -> dict[str, Any]:
    """The least time the groups' rate allows: the busiest group's digests, one per interval, the
    first at once; a digest holds as many questions as the fullest one this run sent to that group."""
    needed = {}
    for group in groups:
        carried = [len(MARKER.findall(text)) for _, chat, text in sent if chat == group and MARKER.search(text)]
        if carried:
            needed[group] = math.ceil(sum(carried) / max(carried))
    least = max((n - 1) * GROUP_INTERVAL for n in needed.values()) if needed else 0.0
    last_card = max(found.values()) - started if found else None
    return {"last_card_seconds": last_card, "least_seconds": least, "digests_needed": sum(needed.values()),
            "last_card_over_least": last_card / least if last_card and least else None}


def timeline(url: str, fake: TimedFake, confirmations: dict[int, int], groups: list[int], started: float,
             started_wall: float) -> dict[str, Any]:
    """Why the last card came when it did: per group, when each of its messages was enqueued (built),
    due and sent, with the questions it carried, and when the last of its questions reached the bot;
    and when the bot had sent its last private message."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT chat_id, created_at, not_before, sent_at, payload FROM outbox WHERE status = 'sent' "
            "AND chat_id IN (" + ",".join(f"'{g}'" for g in groups) + ") ORDER BY id")).all()
        handled = connection.execute(text("SELECT max(created_at) FROM outbox WHERE link_role = 'card'")).scalar()
    engine.dispose()

    def since(at: Any) -> float:
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        return round((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() - started_wall, 1)

    per_group: dict[str, list[tuple[float, float, float, int]]] = {}
    for chat_id, created, due, sent_at, payload in rows:
        html = (json.loads(payload) if isinstance(payload, str) else payload)["html"]
        if count := len(MARKER.findall(html)):
            per_group.setdefault(chat_id, []).append((since(created), since(due), since(sent_at), count))
    private = [at for at, chat, _ in fake.sent if chat > 0 and at >= started]
    return {"groups": per_group, "last_question_handled": since(handled) if handled else None,
            "last_private_sent": round(max(private, default=started) - started, 1),
            "last_confirmation_delivered": round(max(fake.delivered_at.get(u, started)
                                                     for u in confirmations.values()) - started, 1)}


def timeline_text(line: dict[str, Any]) -> str:
    out = [f"last confirmation reached the bot at {line['last_confirmation_delivered']} s, "
           f"last question handled (card enqueued) at {line['last_question_handled']} s, "
           f"last private message sent at {line['last_private_sent']} s; per group (built / due / sent s: questions):"]
    for chat, messages in line["groups"].items():
        out.append(f"  {chat}: " + ", ".join(f"{c}/{d}/{s}:{n}" for c, d, s, n in messages))
    return "\n".join(out)


def fill(overrides: dict[str, Any], stored: int, population: str) -> None:
    """N open questions of the campaign, with their signatures, inserted in bulk before the bot starts."""
    options = overrides | {"stored": stored, "population": population}
    subprocess.run([sys.executable, __file__, "--child", "fill", json.dumps(options)], cwd=ROOT, check=True)


PROJECT_FRAME = re.compile(r"\((?:bot|handlers|storage|core|scheduler|reports)/")


def top_entries(raw: Path, count: int = 30) -> list[tuple[float, str]]:
    """The project's functions by share of samples (inclusive), from py-spy's raw output."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():  # a line cut short when py-spy was stopped
            continue
        total += int(samples)
        for frame in {re.sub(r":\d+\)", ")", f) for f in stack.split(";")[1:]}:
            inclusive[frame] += int(samples)
    found = [(n / total, frame) for frame, n in inclusive.most_common() if PROJECT_FRAME.search(frame)]
    return found[:count]


def start_profile(pid: int, output: Path) -> subprocess.Popen[bytes]:
    output.parent.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--format", "raw", "--threads",
                             "--output", str(output), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- the children -----------------------------------------------------------------------

def child_youthbot(overrides: dict[str, Any]) -> None:
    import logging

    from bot.channels.registry import load_settings
    from bot.serve import serve

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(serve(load_settings(ROOT / "config.example.toml", overrides)))


def child_relay(options: dict[str, Any]) -> None:
    """The least a relay does: a question to a department's group, a confirmation answered."""
    import telegram
    from telegram.ext import Application, MessageHandler, filters

    groups = options["groups"]
    counter = iter(range(10**9))

    async def relay(update: telegram.Update, _context: object) -> None:
        message = update.effective_message
        if message.text == "1":
            await message.reply_text("Đã nhận câu hỏi HY-0000")
        else:
            await update.get_bot().send_message(groups[next(counter) % len(groups)], message.text)

    application = (Application.builder().token(options["token"]).base_url(options["base_url"])
                   .concurrent_updates(True).build())
    application.add_handler(MessageHandler(filters.TEXT, relay))
    application.run_polling(poll_interval=0.0, timeout=10, close_loop=False)


def child_fill(options: dict[str, Any]) -> None:
    from bot.app import build_app
    from bot.channels.registry import load_settings
    from storage.db import transaction
    from tests.population import add_open_questions

    stored, varied = options.pop("stored"), options.pop("population") == "varied"
    settings = load_settings(ROOT / "config.example.toml", options)
    app = build_app(settings)
    texts = [text.split("] ", 1)[1] for text in questions()[:202]]
    with transaction(app.sessions) as session:  # the burst's codes follow
        add_open_questions(session, app.services.understanding, app.campaign(session), texts, stored,
                           app.clock.now(), varied)
    app.engine.dispose()


# --- the table --------------------------------------------------------------------------

def table(results: list[dict[str, Any]]) -> str:
    lines = ["| bot | limits | database | stored | cards | receipts | seconds | messages/s | p95 conf→card s "
             "| CPU ms/update | 429 | group messages | last card / least |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        p95 = f"{r['p95_confirmation_to_card']:.2f}" if r["p95_confirmation_to_card"] is not None else "—"
        ratio = (f"{r['last_card_seconds']:.1f} / {r['least_seconds']:.1f} s = {r['last_card_over_least']:.2f}"
                 if r.get("last_card_over_least") else "—")
        cpu = f"{r['cpu_ms_per_update']:.1f}" if r["bot"] == "youthbot" else "—"
        stored = f"{r['stored_questions']:,} {r.get('population', '')}" if r["stored_questions"] else "0"
        lines.append(f"| {r['bot']} | {r['limits']} | {r['database']} | {stored} | {r['cards']} "
                     f"| {r['receipts']} | {r['seconds']:.1f} | {r['messages_per_second']:.1f} | {p95} | {cpu} "
                     f"| {r['too_many_requests']} | {r['group_messages']} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--limits", default="lifted,real", help="lifted, real or both")
    parser.add_argument("--stored", default="0", help="open questions stored before the burst, e.g. 1000,100000")
    parser.add_argument("--population", choices=["varied", "cycled"], default="varied",
                        help="stored questions: the campaign's 202 cycled, or rounds of them about other things")
    parser.add_argument("--without-relay", action="store_true", help="youthbot alone (e.g. for --stored levels)")
    parser.add_argument("--profile", type=Path, help="folder for the py-spy profile of the youthbot child")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"youthbot": child_youthbot, "relay": child_relay, "fill": child_fill}[args.child[0]](json.loads(args.child[1]))
        return
    results = []
    for limits in args.limits.split(","):
        for stored in (int(n) for n in args.stored.split(",")):
            results.append(run("youthbot", limits, args.database, stored, args.profile, args.population))
            print(table(results[-1:]), flush=True)
        if not args.without_relay:
            results.append(run("relay", limits, args.database, 0, None))
    first = int(args.stored.split(",")[0])
    lifted = {r["bot"]: r for r in results if r["limits"] == "lifted" and r["stored_questions"] == first}
    print(table(results))
    if "youthbot" in lifted and "relay" in lifted:
        print(f"limits lifted, {args.database}: youthbot / relay messages per second = "
              f"{lifted['youthbot']['messages_per_second'] / lifted['relay']['messages_per_second']:.2f}")
    out = ROOT / "bench" / "results" / f"intake_burst_{args.database}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                               "load": os.getloadavg(), "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
