"""The cost of the report for the leadership as the number of questions grows.

Usage: .venv/bin/python bench/report_cost.py [--sizes 10000,100000] [--formats csv,xlsx,docx,stats]
                                             [--database sqlite|postgresql]

For each size N: a fresh database holds N questions of one campaign (the texts of
../shared/data/questions_dev.jsonl, cycled; 11 districts, 7 departments; 80% answered with
a 400-character answer, 1 in 80 of them late; 10% overdue, 10% rejected). Each format is
then written by a fresh child process, so that its peak resident memory (VmHWM, which
counts lxml's and openpyxl's C allocations that tracemalloc misses) is its own: we report
wall time, the peak RSS, the RSS the child had just before writing (imports, settings) and
its peak until then (importing matplotlib and friends briefly takes more).
`stats` is what `/stats` does: the statistics and the six PNG charts.
Results go to bench/results/report_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import database  # bench/common.py
from sqlalchemy import insert, select, text

from bot.app import build_app
from bot.channels.registry import load_settings
from core.clock import FakeClock
from core.config import Settings
from core.texts import Texts
from reports.build import ReportScope, write_report
from reports.charts import draw_charts
from reports.stats import gather_stats
from storage.db import make_engine, make_session_factory
from storage.models import Account, Answer, Campaign, Person, Question, QuestionStatus

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "questions_dev.jsonl"
NOW = datetime(2023, 3, 27, 1, 0, tzinfo=UTC)
ASKED = datetime(2023, 2, 10, 2, 0, tzinfo=UTC)
DUE = datetime(2023, 3, 6, 16, 59, tzinfo=UTC)
ACCOUNTS = 1000
CHUNK = 10_000
ANSWER = ("Sở đã tiếp nhận câu hỏi của bạn. Theo quy định hiện hành, thanh niên khởi nghiệp được hỗ trợ vay vốn "
          "ưu đãi qua Ngân hàng Chính sách xã hội, tư vấn thủ tục đăng ký kinh doanh miễn phí tại Trung tâm Phục vụ "
          "hành chính công, và tham gia các lớp bồi dưỡng kỹ năng số do Tỉnh đoàn tổ chức hằng quý. Chi tiết xin "
          "liên hệ số điện thoại đường dây nóng của Sở.")


def settings_for(url: str) -> Settings:
    return replace(load_settings(ROOT / "config.example.toml"), database_url=url)


def fill(url: str, size: int) -> None:
    settings = settings_for(url)
    app = build_app(settings, FakeClock(NOW))
    texts = [json.loads(line)["text"] for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    with app.engine.begin() as connection:
        campaign_id = connection.scalar(select(Campaign.id))
        people = connection.execute(insert(Person).returning(Person.id), [
            {"created_at": ASKED, "consent_at": ASKED, "district_key": "van-giang", "language": "vi"}
            for _ in range(ACCOUNTS)]).scalars().all()
        accounts = connection.execute(insert(Account).returning(Account.id), [
            {"person_id": p, "platform": "console", "user_id": f"u{p}", "chat_id": f"user-{p}", "display_name": "",
             "state": "", "window_count": 0, "created_at": ASKED} for p in people]).scalars().all()
    for start in range(0, size, CHUNK):
        numbers = range(start + 1, min(start + CHUNK, size) + 1)
        questions = [_question(settings, campaign_id, accounts, texts, n) for n in numbers]
        with app.engine.begin() as connection:
            ids = connection.execute(insert(Question).returning(Question.id, Question.number), questions).all()
            answers = [_answer(question_id, number) for question_id, number in ids if number % 10 < 8]
            connection.execute(insert(Answer), answers)
    with app.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    app.engine.dispose()


def _question(settings: Settings, campaign_id: int, accounts: list[int], texts: list[str],
              n: int) -> dict[str, object]:
    department = settings.departments[n % len(settings.departments)]
    kind = n % 10  # 0-7 answered (1 in 80 late), 8 overdue, 9 rejected
    answered_at = None
    if kind < 8:
        answered_at = DUE + timedelta(days=2) if n % 80 == 0 else ASKED + timedelta(days=1 + n % 20)
    status = {8: QuestionStatus.FORWARDED, 9: QuestionStatus.REJECTED}.get(kind, QuestionStatus.ANSWERED)
    return {
        "campaign_id": campaign_id, "number": n, "code": f"HY-{n:04d}", "account_id": accounts[n % len(accounts)],
        "source_message_id": str(n), "district_key": settings.districts[n % len(settings.districts)].key,
        "category_key": department.categories[0], "suggested_category_key": department.categories[0],
        "department_key": department.key, "language": "vi", "text": texts[n % len(texts)], "status": status,
        "rejection_reason": "Không thuộc phạm vi" if kind == 9 else None, "created_at": ASKED, "accepted_at": ASKED,
        "forwarded_at": ASKED, "answered_at": answered_at, "answer_due_at": DUE,
        "useful": (n % 3 != 0) if kind < 8 and n % 2 else None,
    }


def _answer(question_id: int, number: int) -> dict[str, object]:
    return {"question_id": question_id, "department_key": "", "platform": "console", "chat_id": "dept",
            "message_id": f"a{number}", "officer": "console:officer", "officer_name": "Cán bộ", "text": ANSWER,
            "created_at": ASKED + timedelta(days=1)}


def child(url: str, format: str, out: Path) -> None:
    """Runs in a fresh process: write one format, print time and memory as JSON."""
    settings = settings_for(url)
    sessions = make_session_factory(make_engine(url))
    texts = Texts(settings.languages, settings.texts)
    before, peak_before = _memory_kb()
    started = time.perf_counter()
    with sessions() as session:
        campaign = session.scalars(select(Campaign)).one()
        scope = ReportScope(settings, texts, campaign, NOW)
        if format == "stats":
            stats = gather_stats(session, settings, campaign.id, NOW)
            draw_charts(stats, scope.labels, out)
            count = stats.total
        else:
            count = write_report(session, scope, format, out)
    seconds = time.perf_counter() - started
    _, peak = _memory_kb()
    size = out.stat().st_size if out.is_file() else sum(p.stat().st_size for p in out.iterdir())
    print(json.dumps({"format": format, "questions": count, "seconds": round(seconds, 2),
                      "rss_before_mb": round(before / 1024, 1), "rss_peak_mb": round(peak / 1024, 1),
                      "rss_peak_before_mb": round(peak_before / 1024, 1),
                      "file_mb": round(size / 1e6, 2)}))


def _memory_kb() -> tuple[int, int]:
    """Resident memory now and its peak so far (Linux VmRSS, VmHWM).

    Not ru_maxrss: Linux carries the parent's peak into a child across fork and exec, so a
    child of the process that filled 100,000 questions would report the parent's memory.
    """
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def measure(kind: str, sizes: list[int], formats: list[str]) -> list[dict[str, object]]:
    results = []
    for size in sizes:
        with database(kind) as url, tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            fill(url, size)
            print(f"# {kind}: {size} questions stored in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            for format in formats:
                out = Path(folder) / (f"report.{format}" if format != "stats" else "charts")
                output = subprocess.run([sys.executable, __file__, "--child", format, "--url", url, "--out", str(out)],
                                        check=True, capture_output=True, text=True).stdout
                result = {"database": kind, "size": size, **json.loads(output.splitlines()[-1])}
                print(f"{kind:10} {size:>7} {format:5} {result['seconds']:>8.2f} s"
                      f"  peak {result['rss_peak_mb']:>7.1f} MB (before {result['rss_before_mb']:.1f} MB)"
                      f"  file {result['file_mb']:.2f} MB", flush=True)
                results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="csv,xlsx,docx,stats")
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.url, args.child, args.out)
        return
    results = measure(args.database, [int(s) for s in args.sizes.split(",")], args.formats.split(","))
    path = ROOT / "bench" / "results" / "report_cost.json"
    path.parent.mkdir(exist_ok=True)
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored[args.database] = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                             "python": platform.python_version(), "cpus": os.cpu_count(),
                             "load": os.getloadavg(), "results": results}
    path.write_text(json.dumps(stored, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
