"""The cost of one reminder sweep as the number of stored questions grows.

Usage: .venv/bin/python bench/sweep_cost.py [--sizes 10000,100000,1000000] [--database sqlite|postgresql]

For each size N: a fresh database holds N forwarded questions, as the product stores them,
with the reminder rows `timing/planner.py::plan_for_question` plans for each (its
overdue and very-overdue alerts, and the department nudges it shares with the other
questions due the same day). 1% of the questions passed their deadline within the last
hour, so their overdue alert is due now; every other reminder is due later (or, for nudges
whose time has passed, was sent already). We time (a) one full sweep, which claims the due
rows, marks each question overdue, enqueues the coordinator's alert and the asker's late
notice and marks the rows sent, batch by batch; (b) an empty sweep right after, when nothing
is due; and (c) a sweep of exactly 100 questions made due among the N. (a) should follow the
number due, (b) and (c) stay flat whatever N is, because the sweep reads the
(status, due_at) index. The query plan of the claim is printed too.
Results go to bench/results/sweep_cost.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from pathlib import Path

from common import database  # bench/common.py
from sqlalchemy import Connection, func, insert, select, text, update

from bot.app import App, build_app
from bot.channels.registry import load_settings
from core.clock import FakeClock
from core.config import Settings
from scheduler.sweep import ReminderScheduler
from storage.models import Account, Campaign, Person, Question, QuestionStatus, Reminder, ReminderKind, ReminderStatus
from timing.planner import alert_times, plan_for_question

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2023, 3, 27, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Asia/Ho_Chi_Minh: not quiet, a working day
ACCOUNTS = 500
CHUNK = 20_000
FIXED_DUE = 100
FORWARDED_BEFORE_DEADLINE = timedelta(days=7)
Times = tuple[list[datetime], datetime, datetime]  # a deadline's nudges, overdue and very-overdue alerts


def deadline(i: int) -> datetime:
    """Every 100th question passed its deadline in the last hour; the others are due over the next four weeks."""
    if i % 100 == 0:
        return NOW - timedelta(seconds=1 + i % 3599)
    return NOW + timedelta(days=1, minutes=i % 40_000)


def add_askers(connection: Connection) -> list[int]:
    """A few hundred young people with one account each: who asked matters little to the sweep."""
    people = connection.execute(insert(Person).returning(Person.id), [
        {"created_at": NOW, "consent_at": NOW, "district_key": "van-giang", "language": "vi"}
        for _ in range(ACCOUNTS)]).scalars().all()
    return list(connection.execute(insert(Account).returning(Account.id), [
        {"person_id": p, "platform": "console", "user_id": f"u{p}", "chat_id": f"user-{p}", "display_name": "",
         "state": "", "window_count": 0, "created_at": NOW} for p in people]).scalars().all())


def question_row(settings: Settings, campaign: Campaign, accounts: list[int], i: int) -> dict[str, object]:
    """Question number i+1 as routing leaves it: forwarded to a department, with a deadline."""
    department = settings.departments[i % len(settings.departments)]
    due = deadline(i)
    return {"id": i + 1, "campaign_id": campaign.id, "number": i + 1, "code": f"{campaign.code_prefix}-{i + 1:04d}",
            "account_id": accounts[i % len(accounts)], "source_message_id": str(i), "district_key": "van-giang",
            "category_key": department.categories[0] if department.categories else None,
            "department_key": department.key, "language": "vi", "text": f"Câu hỏi thử nghiệm số {i + 1} về việc làm",
            "status": QuestionStatus.FORWARDED, "created_at": due - FORWARDED_BEFORE_DEADLINE,
            "accepted_at": due - FORWARDED_BEFORE_DEADLINE, "forwarded_at": due - FORWARDED_BEFORE_DEADLINE,
            "answer_due_at": due}


def reminder_rows(times: Callable[[datetime], Times], question: dict[str, object],
                  nudged: set[str]) -> list[dict[str, object]]:
    """The rows `plan_for_question` writes for it; a nudge already planned for that day is not repeated.

    A nudge whose time is before NOW went out when it came due, so it is stored as sent; the
    overdue alert of a question whose deadline passed is pending and due: what the sweep finds.
    """
    due = question["answer_due_at"]
    assert isinstance(due, datetime)
    nudges, overdue, very_overdue = times(due)
    stamp = due.strftime("%Y%m%dT%H%M")
    common = {"campaign_id": question["campaign_id"], "created_at": question["forwarded_at"], "account_id": None,
              "claimed_by": None, "claimed_at": None}
    rows = []
    for at in nudges:
        key = f"nudge:{question['department_key']}:{at.date()}"
        if key not in nudged:
            nudged.add(key)
            sent = at <= NOW
            rows.append({**common, "kind": ReminderKind.NUDGE, "dedupe_key": key, "question_id": None,
                         "department_key": question["department_key"], "due_at": at,
                         "status": ReminderStatus.SENT if sent else ReminderStatus.PENDING,
                         "sent_at": at if sent else None})
    for kind, at in ((ReminderKind.OVERDUE, overdue), (ReminderKind.VERY_OVERDUE, very_overdue)):
        rows.append({**common, "kind": kind, "dedupe_key": f"{kind}:{question['id']}:{stamp}",
                     "question_id": question["id"], "department_key": None, "due_at": at,
                     "status": ReminderStatus.PENDING, "sent_at": None})
    return rows


def fill(app: App, size: int) -> int:
    """`size` forwarded questions and their planned reminders, in bulk; returns how many reminders are due."""
    settings = app.services.settings
    with app.engine.begin() as connection:
        campaign = connection.execute(select(Campaign)).one()
        accounts = add_askers(connection)
    times = cache(partial(alert_times, settings))  # per deadline: a million questions share a few
    nudged: set[str] = set()
    for start in range(0, size, CHUNK):
        questions = [question_row(settings, campaign, accounts, i) for i in range(start, min(start + CHUNK, size))]
        reminders = [row for q in questions for row in reminder_rows(times, q, nudged)]
        with app.engine.begin() as connection:
            connection.execute(insert(Question), questions)
            connection.execute(insert(Reminder), reminders)
    with app.engine.begin() as connection:
        connection.execute(update(Campaign).where(Campaign.id == campaign.id).values(last_number=size))
        connection.execute(text("ANALYZE"))
        return connection.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= NOW))


def check_against_planner(app: App) -> None:
    """The planner, run for a due question and a later one, finds nothing missing: the bulk rows are its rows."""
    with app.sessions() as session:
        campaign = session.scalars(select(Campaign)).one()
        for question_id in (1, 2):
            question = session.get(Question, question_id)
            assert question is not None and question.forwarded_at is not None
            added = plan_for_question(session, app.services.settings, campaign, question, question.forwarded_at)
            assert added == 0, f"the planner would add {added} reminders to question {question_id}"
        session.rollback()


def make_due(app: App, count: int) -> None:
    """`count` questions not yet overdue pass their deadline now, and their overdue alert comes due."""
    with app.engine.begin() as connection:
        ids = list(connection.scalars(select(Question.id).where(
            Question.status == QuestionStatus.FORWARDED, Question.overdue_at.is_(None),
            Question.answer_due_at > NOW).order_by(Question.id).limit(count)))
        connection.execute(update(Question).where(Question.id.in_(ids))
                           .values(answer_due_at=NOW - timedelta(minutes=1)))
        connection.execute(update(Reminder).where(Reminder.question_id.in_(ids), Reminder.kind == ReminderKind.OVERDUE)
                           .values(due_at=NOW))


def claim_plan(app: App) -> str:
    query = ("SELECT id FROM reminders WHERE status = 'pending' AND due_at <= :now "
             "ORDER BY due_at, id LIMIT 200")
    explain = "EXPLAIN QUERY PLAN " if app.engine.dialect.name == "sqlite" else "EXPLAIN "
    with app.engine.connect() as connection:
        rows = connection.execute(text(explain + query), {"now": NOW}).all()
    return " | ".join(str(row[-1]) for row in rows)


def timed_sweep(sweeper: ReminderScheduler) -> tuple[int, float]:
    """How many reminders one sweep sent, and how long it took."""
    started = time.perf_counter()
    result = sweeper.sweep()
    seconds = time.perf_counter() - started
    assert result.skipped == 0 and result.failed == 0, result
    return result.sent, seconds


def measure(kind: str, size: int) -> dict[str, object]:
    settings = load_settings(ROOT / "config.example.toml")
    with database(kind) as url:
        app = build_app(replace(settings, database_url=url), FakeClock(NOW))
        started = time.perf_counter()
        due = fill(app, size)
        fill_seconds = time.perf_counter() - started
        check_against_planner(app)
        with app.engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(Reminder))
        sweeper = ReminderScheduler(app.sessions, app.services, app.clock, "bench")
        sent, sweep_seconds = timed_sweep(sweeper)
        empty, empty_seconds = timed_sweep(sweeper)
        make_due(app, FIXED_DUE)
        fixed, fixed_seconds = timed_sweep(sweeper)
        plan = claim_plan(app)
        app.engine.dispose()
    assert sent == due == size // 100 and empty == 0 and fixed == FIXED_DUE, (sent, due, empty, fixed)
    return {"database": kind, "questions": size, "reminders": stored, "due": due,
            "sweep_seconds": round(sweep_seconds, 3), "per_due_ms": round(1000 * sweep_seconds / due, 3),
            "empty_sweep_ms": round(1000 * empty_seconds, 2), "sweep_100_due_ms": round(1000 * fixed_seconds, 1),
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
    path.parent.mkdir(exist_ok=True)
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[args.database] = {"machine": platform.platform(), "python": platform.python_version(), "runs": results}
    path.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
