"""The cost of one reminder sweep as the number of stored reminders grows.

Usage: .venv/bin/python bench/sweep_cost.py [--sizes 10000,100000,1000000] [--database sqlite|postgresql]

For each size N: a fresh database holds N reminders (event reminders to 100 young
people), of which 1% are due now and 99% later. We time (a) one full sweep, which
claims the due rows, enqueues their messages and marks them sent, batch by batch, and
(b) an empty sweep right after, when nothing is due, and (c) a sweep of exactly 100 rows
made due among the N. (a) should follow the number due, (b) and (c) stay flat whatever N
is, because the sweep reads the (status, due_at) index.
The query plan of the claim is printed too. Results go to bench/results/sweep_cost.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import database  # bench/common.py
from sqlalchemy import insert, select, text, update

from bot.app import App, build_app
from core.clock import FakeClock
from core.config import load_settings
from scheduler.sweep import ReminderScheduler
from storage.models import Account, Campaign, Person, Reminder, ReminderStatus

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2023, 3, 27, 1, 0, tzinfo=UTC)
ACCOUNTS = 100
CHUNK = 20_000
FIXED_DUE = 100


def fill(app: App, size: int) -> int:
    """`size` reminders, every 100th due within the last hour, the rest spread over later weeks."""
    with app.engine.begin() as connection:
        campaign_id = connection.scalar(select(Campaign.id))
        people = connection.execute(insert(Person).returning(Person.id), [
            {"created_at": NOW, "consent_at": NOW, "district_key": "van-giang", "language": "vi"}
            for _ in range(ACCOUNTS)]).scalars().all()
        accounts = connection.execute(insert(Account).returning(Account.id), [
            {"person_id": p, "platform": "console", "user_id": f"u{p}", "chat_id": f"user-{p}", "display_name": "",
             "state": "", "window_count": 0, "created_at": NOW} for p in people]).scalars().all()
    due = 0
    for start in range(0, size, CHUNK):
        rows = []
        for i in range(start, min(start + CHUNK, size)):
            is_due = i % 100 == 0
            due += is_due
            at = NOW - timedelta(seconds=i % 3600) if is_due else NOW + timedelta(minutes=1 + i % 40_000)
            rows.append({"kind": "event_eve", "dedupe_key": f"bench:{i}", "campaign_id": campaign_id,
                         "account_id": accounts[i % ACCOUNTS], "due_at": at, "status": ReminderStatus.PENDING,
                         "created_at": NOW})
        with app.engine.begin() as connection:
            connection.execute(insert(Reminder), rows)
    with app.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return due


def claim_plan(app: App) -> str:
    query = ("SELECT id FROM reminders WHERE status = 'pending' AND due_at <= :now "
             "ORDER BY due_at, id LIMIT 200")
    explain = "EXPLAIN QUERY PLAN " if app.engine.dialect.name == "sqlite" else "EXPLAIN "
    with app.engine.connect() as connection:
        rows = connection.execute(text(explain + query), {"now": NOW}).all()
    return " | ".join(str(row[-1]) for row in rows)


def measure(kind: str, size: int) -> dict[str, object]:
    settings = load_settings(ROOT / "config.example.toml")
    with database(kind) as url:
        app = build_app(replace(settings, database_url=url), FakeClock(NOW))
        started = time.perf_counter()
        due = fill(app, size)
        fill_seconds = time.perf_counter() - started
        sweeper = ReminderScheduler(app.sessions, app.services, app.clock, "bench")
        started = time.perf_counter()
        result = sweeper.sweep()
        sweep_seconds = time.perf_counter() - started
        started = time.perf_counter()
        empty = sweeper.sweep()
        empty_seconds = time.perf_counter() - started
        with app.engine.begin() as connection:
            connection.execute(update(Reminder).where(Reminder.id.in_(
                select(Reminder.id).where(Reminder.status == ReminderStatus.PENDING).limit(FIXED_DUE)))
                .values(due_at=NOW))
        started = time.perf_counter()
        fixed = sweeper.sweep()
        fixed_seconds = time.perf_counter() - started
        plan = claim_plan(app)
        app.engine.dispose()
    assert result.sent == due and empty.sent == 0 and fixed.sent == FIXED_DUE, (result, empty, fixed)
    return {"database": kind, "stored": size, "due": due, "sweep_seconds": round(sweep_seconds, 3),
            "per_due_ms": round(1000 * sweep_seconds / due, 3), "empty_sweep_ms": round(1000 * empty_seconds, 2),
            "sweep_100_due_ms": round(1000 * fixed_seconds, 1),
            "fill_seconds": round(fill_seconds, 1), "claim_plan": plan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        row = measure(args.database, size)
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    path = ROOT / "bench" / "results" / "sweep_cost.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[args.database] = {"machine": platform.platform(), "python": platform.python_version(), "runs": results}
    path.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
