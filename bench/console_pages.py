"""Server time of the web console's board and dashboard at 1,000 and 100,000 questions, in one run.

Usage: .venv/bin/python bench/console_pages.py [--sizes 1000,100000] [--databases sqlite,postgresql]
                                               [--repeat 15]

Each size gets a fresh database filled as bench/report_cost.py fills it (one campaign; 11 districts,
7 departments; 80% answered, 10% overdue, 10% rejected). Each page is requested through the console's
own ASGI app (starlette's TestClient, in process: no network, so the time is the server's: routing,
session check, queries, template) by a signed-in coordinator, or an officer where said. The
dashboard is timed three times: `cold` is the process's first view, which computes the figures itself
(cache emptied before each request); `first view after a change` follows a write to one question: it is
served the last figures and starts their recomputation in the background (awaited, untimed, before the
next one); `warm` is what every later viewer and poll gets until a question changes or the minute turns.
Prints a table (median and 95th percentile in ms, and the ratio 100,000 / 1,000) and writes
bench/results/console_pages.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import database  # bench/common.py
from report_cost import NOW, fill, settings_for  # bench/report_cost.py
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.app import build_app
from core.clock import FakeClock
from storage.db import make_engine, transaction
from storage.models import Question, StaffRole
from storage.staff import open_session, set_staff
from webconsole.app import console_mount
from webconsole.auth import SESSION_COOKIE
from webconsole.figures import Figures

ROOT = Path(__file__).resolve().parents[1]
PAGES: list[tuple[str, str, str]] = [  # name, who, path
    ("board", "coordinator", "/console/"),
    ("board: department + status", "coordinator", "/console/?department=so-ct&status=forwarded"),
    ("board: overdue by deadline", "coordinator", "/console/?due=overdue&sort=deadline"),
    ("board: search 'thue'", "coordinator", "/console/?search=thue"),
    ("board: search, no match", "coordinator", "/console/?search=khong+co+tu+nay"),
    ("board: search a code", "coordinator", "/console/?search=HY-0500"),
    ("board: a page in the middle", "coordinator", "/console/?sort=oldest&after={middle}"),
    ("board: officer", "officer", "/console/"),
    ("board fragment, unchanged (304)", "coordinator", "/console/board/fragment?"),
    ("dashboard: cold", "coordinator", "/console/dashboard"),
    ("dashboard: first view after a change", "coordinator", "/console/dashboard"),
    ("dashboard: warm", "coordinator", "/console/dashboard"),
    ("dashboard fragment, unchanged (304)", "coordinator", "/console/dashboard/fragment"),
    ("dashboard chart (SVG, warm)", "coordinator", "/console/dashboard/chart/by_district.svg"),
]


def clients(url: str) -> tuple[dict[str, TestClient], Figures, Callable[[], None]]:
    """A signed-in browser per role on the console of a bot built on `url`, its figures' cache, and how
    to change one question (after waiting for the recomputation the previous change claimed)."""
    settings = settings_for(url)
    app = build_app(settings, FakeClock(NOW))
    mount = console_mount(app)
    server = Starlette(routes=[mount])
    browsers = {}
    with transaction(app.sessions) as session:
        for who, role, department in (("coordinator", StaffRole.COORDINATOR, None),
                                      ("officer", StaffRole.OFFICER, "so-ct")):
            member = set_staff(session, f"console:bench-{who}", role, department, "bench", NOW)
            session_id = open_session(session, member, NOW, timedelta(days=1))
            client = TestClient(server, base_url="http://127.0.0.1:8000")
            client.__enter__()
            console = _console_app(mount)
            client.cookies.set(SESSION_COOKIE, console.state.console.signer.sign(session_id).decode(), path="/console")
            browsers[who] = client
    figures = _console_app(mount).state.figures
    changes = iter(range(1, 10**6))

    def change() -> None:
        figures.settle()
        with transaction(app.sessions) as session:
            first = session.scalar(select(Question).order_by(Question.id).limit(1))
            first.changed_at = NOW + timedelta(seconds=next(changes))  # the change mark moves

    return browsers, figures, change


def _console_app(mount: object) -> Starlette:
    return mount.app.app  # type: ignore[attr-defined]  # Mount -> SecurityHeaders -> the console's Starlette


def measure(kind: str, size: int, repeat: int) -> list[dict[str, object]]:
    results = []
    with database(kind) as url:
        started = time.perf_counter()
        fill(url, size)
        print(f"# {kind}: {size} questions stored in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        browsers, figures, change = clients(url)
        middle = _middle(url, size)
        for name, who, path in PAGES:
            client = browsers[who]
            path = path.format(middle=middle)
            headers: dict[str, str] = {}
            if "304" in name:
                headers["if-none-match"] = client.get(path).headers["etag"]
            client.get(path, headers=headers)  # templates compiled, caches as in a running server
            times = []
            for _ in range(repeat if "cold" not in name else max(3, repeat // 3)):
                if "cold" in name:
                    figures.forget()
                if "after a change" in name:
                    change()
                began = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == (304 if "304" in name else 200), (name, response.status_code)
            figures.settle()  # the last recomputation claimed is not left to slow the next page
            results.append({"database": kind, "size": size, "page": name, "requests": len(times),
                            "median_ms": round(statistics.median(times), 1), "p95_ms": round(_p95(times), 1)})
            print(f"{kind:10} {size:>7} {name:38} median {results[-1]['median_ms']:>8.1f} ms"
                  f"  p95 {results[-1]['p95_ms']:>8.1f} ms", flush=True)
        for client in browsers.values():
            client.__exit__(None, None, None)
    return results


def _middle(url: str, size: int) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        number = connection.scalar(select(Question.number).order_by(Question.number).offset(size // 2).limit(1))
    engine.dispose()
    return number or 0


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(results: list[dict[str, object]], sizes: list[int]) -> str:
    small, large = min(sizes), max(sizes)
    lines = [f"| database | page | {small:,} median / p95 ms | {large:,} median / p95 ms | ratio (median) |",
             "|---|---|---|---|---|"]
    by = {(r["database"], r["page"], r["size"]): r for r in results}
    for kind in dict.fromkeys(r["database"] for r in results):
        for name, _, _ in PAGES:
            a, b = by.get((kind, name, small)), by.get((kind, name, large))
            if a and b:
                ratio = float(b["median_ms"]) / max(float(a["median_ms"]), 0.1)
                lines.append(f"| {kind} | {name} | {a['median_ms']} / {a['p95_ms']} | {b['median_ms']} / {b['p95_ms']} "
                             f"| {ratio:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [r for kind in args.databases.split(",") for size in sizes for r in measure(kind, size, args.repeat)]
    print(table(results, sizes))
    path = ROOT / "bench" / "results" / "console_pages.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"date": datetime.now(UTC).isoformat(timespec="seconds"),
                                "python": platform.python_version(), "cpus": os.cpu_count(),
                                "load": os.getloadavg(), "results": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
