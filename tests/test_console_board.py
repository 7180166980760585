"""The board and the dashboard over HTTP (starlette's TestClient): filters from the URL, an officer kept
to their department whatever the URL says, the export of exactly what is filtered, the live fragments'
ETag and 304, the charts, and the nudge (coordinator only, CSRF-checked)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from core.clock import FakeClock
from core.config import Settings
from reports.stats import gather_stats
from storage.db import transaction
from storage.models import AuditEntry, Campaign, Question, QuestionStatus
from tests.console_client import csrf_of, figures_of, signed_in_client
from tests.harness import Harness
from tests.report_data import populate, populate_campaign, reporting_harness
from tests.test_console_security import console_staff

CODE = re.compile(r'href="/console/q/(HY-\d+)"')
LIVE = re.compile(r'data-live="([^"]+)" data-etag="([^"]+)"')


@pytest.fixture(scope="module")
def site(example_settings: Settings, module_database_url: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    harness = reporting_harness(console_staff(example_settings), module_database_url,
                                FakeClock(datetime(2023, 2, 10, 2, 0, tzinfo=UTC)), tmp_path_factory.mktemp("site"))
    populate(harness)
    populate_campaign(harness, 120)
    yield harness
    harness.dispose()


def codes(html: str) -> list[str]:
    return CODE.findall(html)


def test_the_board_filters_from_the_url_and_pages_on(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    first = admin.get("/console/")
    assert first.status_code == 200 and len(codes(first.text)) == 50
    following = admin.get(re.search(r'href="(/console/\?[^"]*after=[^"]+)" id="next-page"', first.text)
                          .group(1).replace("&amp;", "&"))
    assert not set(codes(following.text)) & set(codes(first.text))
    found = admin.get("/console/", params={"search": "shopee THUE", "department": "so-ct"})
    assert "HY-0001" in codes(found.text)
    rejected = admin.get("/console/", params={"status": "rejected", "sort": "oldest"})
    assert codes(rejected.text)[0] == "HY-0003"


def test_an_officer_sees_only_their_department_whatever_the_url(site: Harness) -> None:
    officer = signed_in_client(site, "console:officer-so-gddt")
    page = officer.get("/console/", params={"department": "so-ct", "search": "shopee"})
    assert "HY-0001" not in codes(page.text)
    mine = officer.get("/console/")
    with site.app.sessions() as session:
        departments = {code: key for code, key in session.execute(select(Question.code, Question.department_key))}
    assert codes(mine.text) and {departments[code] for code in codes(mine.text)} == {"so-gddt"}
    export = officer.get("/console/board/export/csv", params={"department": "so-ct"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
    assert rows and {departments[row[0]] for row in rows} == {"so-gddt"}


def test_the_export_is_exactly_the_filtered_list(site: Harness, tmp_path: Path) -> None:
    admin = signed_in_client(site, "console:admin")
    query = {"search": "thue", "sort": "oldest"}
    shown = set()
    page = admin.get("/console/", params=query)
    shown |= set(codes(page.text))
    export = admin.get("/console/board/export/csv", params=query)
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in export.headers["content-disposition"]
    exported = {row[0] for row in list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]}
    assert exported == shown and exported
    workbook = admin.get("/console/board/export/xlsx", params=query)
    (tmp_path / "b.xlsx").write_bytes(workbook.content)
    sheet = load_workbook(tmp_path / "b.xlsx").worksheets[0]
    assert {row[0].value for row in sheet.iter_rows(min_row=2) if row[0].value and row[0].value.startswith("HY-")} \
        == exported
    assert admin.get("/console/board/export/pdf").status_code == 404


def test_live_fragments_answer_304_until_something_changes(site: Harness) -> None:
    coordinator = signed_in_client(site, "console:coord")
    for url in ("/console/board/fragment?status=forwarded", "/console/dashboard/fragment"):
        first = coordinator.get(url)
        assert first.status_code == 200 and first.headers["etag"]
        again = coordinator.get(url, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    tag = coordinator.get("/console/dashboard/fragment").headers["etag"]
    site.clock.advance(60)  # a minute on: deadlines may have passed
    assert coordinator.get("/console/dashboard/fragment", headers={"if-none-match": tag}).status_code == 200


def live_part(page: str) -> tuple[str, str]:
    """The URL live.js polls and the ETag the page was served with."""
    url, tag = LIVE.search(page).groups()
    return unescape(url), unescape(tag)


def test_a_page_gives_its_fragments_etag_so_the_first_poll_is_a_304(site: Harness) -> None:
    coordinator = signed_in_client(site, "console:coord")
    coordinator.get("/console/dashboard")
    figures_of(coordinator).settle()  # the figures of this minute are there: no recomputation pending
    for path in ("/console/?status=forwarded&sort=oldest", "/console/dashboard"):
        url, tag = live_part(coordinator.get(path).text)
        first_poll = coordinator.get(url, headers={"if-none-match": tag})
        assert first_poll.status_code == 304 and first_poll.headers["etag"] == tag
    officer = signed_in_client(site, "console:officer-so-ct")  # the same filter, another viewer: its own tag
    assert live_part(officer.get("/console/?status=forwarded&sort=oldest").text)[1] != tag
    url, tag = live_part(coordinator.get("/console/?department=so-ct").text)
    site.clock.advance(60)  # a minute on: deadlines may have passed
    assert coordinator.get(url, headers={"if-none-match": tag}).status_code == 200


def test_the_dashboard_shows_the_reports_figures_and_its_charts(site: Harness) -> None:
    coordinator = signed_in_client(site, "console:coord")
    page = coordinator.get("/console/dashboard")
    with site.app.sessions() as session:
        stats = gather_stats(session, site.settings, site.app.processor.campaign_id, site.clock.now())
    assert f'<strong id="total">{stats.total}</strong>' in page.text
    for department in stats.departments:
        if department.key:
            row = page.text.split(f'data-department="{department.key}"')[1].split("</tr>")[0]
            assert f'data-figure="overdue">{department.overdue}' in row or f">{department.overdue}</a>" in row
            assert f'data-figure="received">{department.received}<' in row
    for key in re.findall(r'src="/console/dashboard/chart/(\w+)\.svg"', page.text):
        chart = coordinator.get(f"/console/dashboard/chart/{key}.svg")
        assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert coordinator.get("/console/dashboard/chart/nothing.svg").status_code == 404


def test_only_coordinators_and_admins_nudge_and_the_nudge_reaches_the_group(site: Harness) -> None:
    officer = signed_in_client(site, "console:officer-so-ct")
    assert "nudge-" not in officer.get("/console/dashboard").text
    assert officer.post("/console/dashboard/nudge", data={"department": "so-ct", "csrf": csrf_of(
        officer.get("/console/dashboard").text)}).status_code == 403
    coordinator = signed_in_client(site, "console:coord")
    page = coordinator.get("/console/dashboard")
    assert coordinator.post("/console/dashboard/nudge", data={"department": "so-ct"}).status_code == 403  # no CSRF
    before = len(site.messages_to("dept-so-ct"))
    done = coordinator.post("/console/dashboard/nudge", data={"department": "so-ct", "csrf": csrf_of(page.text)})
    assert done.status_code == 200 and 'id="outcome"' in done.text
    site.flush()
    assert len(site.messages_to("dept-so-ct")) == before + 1
    unknown = coordinator.post("/console/dashboard/nudge", data={"department": "so-xyz", "csrf": csrf_of(page.text)})
    assert unknown.status_code == 400 and "so-ct" in unknown.text.split('id="outcome"')[1].split("</p>")[0]
    with site.app.sessions() as session:
        audited = session.execute(select(AuditEntry.action, AuditEntry.status)
                                  .where(AuditEntry.action == "nudge")).all()
    assert ("nudge", "done") in audited


@pytest.fixture
def changing(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Harness]:
    harness = reporting_harness(console_staff(example_settings), database_url, clock, tmp_path)
    populate(harness)
    populate_campaign(harness, 40)
    yield harness
    harness.dispose()


def stored(harness: Harness, *codes: str) -> dict[str, Question]:
    with harness.app.sessions() as session:
        return {q.code: q for q in session.scalars(select(Question).where(Question.code.in_(codes)))}


def bulk(client, action: str, codes: list[str], **fields: str):  # noqa: ANN001, ANN201 - a TestClient, its answer
    csrf = csrf_of(client.get("/console/").text)
    return client.post("/console/board/bulk", data={"csrf": csrf, "action": action, "code": codes, **fields})


def test_bulk_approve_and_reassign_go_through_the_actions_and_their_audit(changing: Harness) -> None:
    admin = signed_in_client(changing, "console:admin")
    waiting = [code for code, q in stored(changing, *[f"HY-{n:04d}" for n in range(5, 45)]).items()
               if q.status == QuestionStatus.IN_REVIEW]
    assert waiting
    page = bulk(admin, "approve", waiting + ["HY-0003"])  # HY-0003 was rejected: refused, the rest done
    assert 'id="outcome"' in page.text
    assert {q.status for q in stored(changing, *waiting).values()} == {QuestionStatus.FORWARDED}
    moved = [code for code, q in stored(changing, *waiting).items()][:2]
    bulk(admin, "reassign", moved, department="so-nv")
    assert {q.department_key for q in stored(changing, *moved).values()} == {"so-nv"}
    with changing.app.sessions() as session:
        audited = session.execute(select(AuditEntry.action, AuditEntry.status).where(AuditEntry.surface == "web")).all()
    assert audited.count(("approve", "done")) == len(waiting) and audited.count(("reassign", "done")) == len(moved)
    assert ("approve", "refused") in audited  # the rejected one: refused, and that is recorded too


def test_bulk_actions_stay_within_what_the_member_may_do(changing: Harness) -> None:
    officer = signed_in_client(changing, "console:officer-so-gddt")
    theirs = [code for code, q in stored(changing, *[f"HY-{n:04d}" for n in range(1, 45)]).items()
              if q.department_key == "so-ct" and q.status in (QuestionStatus.FORWARDED, QuestionStatus.ANSWERED)]
    assert theirs
    bulk(officer, "reassign", theirs, department="so-nv")  # another department's: not visible, not moved
    assert {q.department_key for q in stored(changing, *theirs).values()} == {"so-ct"}
    viewer = signed_in_client(changing, "console:leader")
    assert bulk(viewer, "approve", theirs).status_code == 403
    admin = signed_in_client(changing, "console:admin")
    assert admin.post("/console/board/bulk", data={"action": "approve", "code": theirs}).status_code == 403


def test_bulk_pick_puts_the_ticked_questions_on_the_events_list(changing: Harness) -> None:
    admin = signed_in_client(changing, "console:admin")
    answered = [code for code, q in stored(changing, *[f"HY-{n:04d}" for n in range(5, 45)]).items()
                if q.status == QuestionStatus.ANSWERED][:3]
    bulk(admin, "pick", answered)
    assert all(q.event_rank for q in stored(changing, *answered).values())
    picked = admin.get("/console/", params={"picked": "1"})
    assert sorted(codes(picked.text)) == sorted(answered)


def test_the_same_nudge_from_chat(changing: Harness) -> None:
    before = len(changing.messages_to("dept-so-ct"))
    replies = changing.admin().say("/nudge so-ct")
    assert len(changing.messages_to("dept-so-ct")) == before + 1
    assert "Sở Công Thương" in replies[-1].text  # the admin is told, by the department's name
    assert "so-ct" in changing.admin().say("/nudge")[-1].text  # the usage shows a key


def test_after_a_change_the_last_figures_come_at_once_and_the_reports_on_the_next_poll(changing: Harness) -> None:
    coordinator = signed_in_client(changing, "console:coord")
    first = coordinator.get("/console/dashboard/fragment")  # the process's first view computes them itself
    total = int(re.search(r'id="total">(\d+)<', first.text).group(1))
    with transaction(changing.app.sessions) as session:  # the bulk questions took numbers the counter did not give
        session.execute(update(Campaign).values(last_number=select(func.max(Question.number)).scalar_subquery()))
    changing.ask(changing.registered_youth("lan"), "Em muốn mở cửa hàng bán online thì cần thủ tục gì?", "Thương mại")
    served = coordinator.get("/console/dashboard/fragment", headers={"if-none-match": first.headers["etag"]})
    assert served.status_code == 200 and f'id="total">{total}<' in served.text  # the last figures, not waited for
    figures_of(coordinator).settle()  # the recomputation the view claimed
    with changing.app.sessions() as session:
        stats = gather_stats(session, changing.settings, changing.app.processor.campaign_id, changing.clock.now())
    assert stats.total == total + 1
    fresh = coordinator.get("/console/dashboard/fragment", headers={"if-none-match": served.headers["etag"]})
    assert fresh.status_code == 200 and f'id="total">{stats.total}<' in fresh.text
    assert coordinator.get("/console/dashboard/fragment",
                           headers={"if-none-match": fresh.headers["etag"]}).status_code == 304


def test_a_page_served_the_last_figures_gets_the_new_ones_at_its_first_poll(changing: Harness) -> None:
    coordinator = signed_in_client(changing, "console:coord")
    coordinator.get("/console/dashboard")  # the process's first view computes them itself
    with transaction(changing.app.sessions) as session:  # the bulk questions took numbers the counter did not give
        session.execute(update(Campaign).values(last_number=select(func.max(Question.number)).scalar_subquery()))
    changing.ask(changing.registered_youth("lan"), "Em muốn mở cửa hàng bán online thì cần thủ tục gì?", "Thương mại")
    page = coordinator.get("/console/dashboard").text  # the last figures, while they are recounted
    total = int(re.search(r'id="total">(\d+)<', page).group(1))
    figures_of(coordinator).settle()
    url, tag = live_part(page)
    first_poll = coordinator.get(url, headers={"if-none-match": tag})
    assert first_poll.status_code == 200 and f'id="total">{total + 1}<' in first_poll.text
