"""Last year's promises in the console: an answer (a department's, or the leader's live one) marked as a
commitment from its question's page, the list of every campaign's commitments, and each role's part in
it: the responsible department updates its own only (whatever the URL or a forged form says), admins and
the coordinator any, viewers read. Every change goes through `perform` and leaves an audit row."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import FakeClock
from core.config import Settings
from storage.models import AnswerSource, AuditEntry, Campaign, Commitment, CommitmentStatus
from tests.console_client import csrf_of, signed_in_client
from tests.harness import Harness
from tests.test_console_actions import post, question
from tests.test_console_security import console_staff

SHOPEE = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
SCHOOL = "Trường em có được tổ chức dạy kỹ năng số cho học sinh không ạ?"
PROMISE = "Tổ chức 3 lớp tập huấn kê khai thuế cho thanh niên bán hàng trực tuyến."
LIVE_PROMISE = "Trang bị phòng máy tính cho 10 trường THCS."
DAY = 86400


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    """HY-0001 answered by Sở Công Thương from the console; HY-0002 answered live by the leader."""
    harness = Harness(console_staff(example_settings), database_url, clock)
    harness.ask(harness.registered_youth("an"), SHOPEE)
    harness.ask(harness.registered_youth("binh"), SCHOOL)
    post(signed_in_client(harness, "console:officer-so-ct"), "HY-0001", action="answer",
         text="Có, em cần đăng ký hộ kinh doanh; Sở sẽ mở lớp hướng dẫn kê khai thuế.")
    harness.admin().say("/live HY-0002 Sở sẽ trang bị phòng máy tính cho 10 trường THCS trong năm học tới.")
    yield harness
    harness.dispose()


def text(harness: Harness, key: str, **values: object) -> str:
    return harness.app.services.texts.render("vi", key, **values)


def commit(client: TestClient, code: str, due: str, department: str, what: str) -> str:
    page = client.get(f"/console/q/{code}")
    answer = client.post(f"/console/q/{code}/act", data={"csrf": csrf_of(page.text), "action": "commit",
                                                          "due": due, "department": department, "what": what})
    return answer.text if answer.status_code == 200 else f"{answer.status_code}\n{answer.text}"


def update(client: TestClient, number: int, status: str, note: str = "", query: str = "") -> tuple[int, str]:
    page = client.get("/console/commitments")
    answer = client.post(f"/console/commitments/{number}{query}",
                         data={"csrf": csrf_of(page.text), "status": status, "note": note})
    return answer.status_code, answer.text


def commitments(harness: Harness) -> list[tuple[str, str, CommitmentStatus, str]]:
    with harness.app.sessions() as session:
        return [(c.department_key, c.what, c.status, c.note)
                for c in session.scalars(select(Commitment).order_by(Commitment.id))]


def audited(harness: Harness, action: str) -> list[tuple[str, str, str]]:
    """(surface, status, the staff label) of each audit row of `action`."""
    with harness.app.sessions() as session:
        return [(e.surface, e.status, e.role) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def marked(site: Harness) -> None:
    """Commitment 1 for Sở Công Thương (a department's answer), 2 for Sở GD&ĐT (the leader's live answer)."""
    assert "notice error" not in commit(signed_in_client(site, "console:admin"), "HY-0001", "2023-06-30", "so-ct",
                                        PROMISE)
    assert "notice error" not in commit(signed_in_client(site, "console:coord"), "HY-0002", "2023-09-05",
                                        "so-gddt", LIVE_PROMISE)


def test_an_answer_is_marked_as_a_commitment_from_its_page(site: Harness) -> None:
    forms = {who: 'id="action-commit"' in signed_in_client(site, who).get("/console/q/HY-0001").text
             for who in ("console:admin", "console:coord", "console:officer-so-ct", "console:leader")}
    assert forms == {"console:admin": True, "console:coord": True, "console:officer-so-ct": False,
                     "console:leader": False}
    marked(site)
    assert commitments(site) == [("so-ct", PROMISE, CommitmentStatus.PENDING, ""),
                                 ("so-gddt", LIVE_PROMISE, CommitmentStatus.PENDING, "")]
    with site.app.sessions() as session:
        live = session.scalars(select(Commitment).where(Commitment.department_key == "so-gddt")).one()
        assert live.answer is not None and live.answer.source == AnswerSource.LIVE  # the leader's word
    assert audited(site, "commit") == [("web", "done", "admin"), ("web", "done", "coordinator")]
    page = signed_in_client(site, "console:admin").get("/console/q/HY-0001").text
    assert text(site, "console_event_commitment", department=site.settings.department("so-ct").name) in page


def recorded_on(client: TestClient, code: str) -> list[list[str]]:
    """The rows (what, department, due date, status) of the question page's list of its commitments."""
    section = re.search(r'<section class="card" id="commitments">(.*?)</section>',
                        client.get(f"/console/q/{code}").text, re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section.group(1).split("<tbody>")[1], re.S) if section else []
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def test_a_questions_page_lists_the_commitments_recorded_on_it(site: Harness) -> None:
    viewer = signed_in_client(site, "console:leader")
    assert 'id="commitments"' not in viewer.get("/console/q/HY-0001").text  # none yet: no empty list
    marked(site)
    commit(signed_in_client(site, "console:admin"), "HY-0001", "2023-12-31", "so-gddt", LIVE_PROMISE)
    update(signed_in_client(site, "console:officer-so-ct"), 1, "in_progress")
    so_ct, so_gddt = (site.settings.department(key).name for key in ("so-ct", "so-gddt"))
    assert recorded_on(viewer, "HY-0001") == [
        [PROMISE, so_ct, "30/06/2023", text(site, "commitment_status_in_progress")],
        [LIVE_PROMISE, so_gddt, "31/12/2023", text(site, "commitment_status_pending")]]
    assert recorded_on(viewer, "HY-0002") == [[LIVE_PROMISE, so_gddt, "05/09/2023",
                                               text(site, "commitment_status_pending")]]
    site.clock.advance(200 * DAY)  # past 30/06/2023, not done
    viewer = signed_in_client(site, "console:leader")  # the session of 200 days ago has ended
    assert recorded_on(viewer, "HY-0001")[0][3] == text(site, "commitment_status_overdue")
    assert text(site, "console_q_commitments") in viewer.get("/console/q/HY-0001").text


def test_a_commitment_needs_a_valid_date_to_come_and_an_answer(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    assert text(site, "commitment_due_invalid", due="2023-02-30") in commit(admin, "HY-0001", "2023-02-30", "so-ct",
                                                                            PROMISE)
    assert text(site, "commitment_due_past", due="01/01/2023") in commit(admin, "HY-0001", "2023-01-01", "so-ct",
                                                                         PROMISE)
    assert text(site, "commitment_usage") in commit(admin, "HY-0001", "2023-06-30", "so-ct", "   ")
    assert text(site, "commitment_department_unknown", department="so-xyz",
                keys=", ".join(d.key for d in site.settings.departments)) in commit(
        admin, "HY-0001", "2023-06-30", "so-xyz", PROMISE)
    site.ask(site.registered_youth("chi"), "Tỉnh có chương trình hỗ trợ thanh niên khởi nghiệp không ạ?")
    assert 'id="action-commit"' not in admin.get("/console/q/HY-0003").text  # not answered: not offered
    assert text(site, "commitment_not_answered", code="HY-0003") in commit(admin, "HY-0003", "2023-06-30", "so-ct",
                                                                           PROMISE)  # a forged form
    assert question(site, "HY-0003").status != "answered" and commitments(site) == []


def test_the_list_keeps_an_officer_to_their_own_department(site: Harness) -> None:
    marked(site)
    officer = signed_in_client(site, "console:officer-so-ct")
    page = officer.get("/console/commitments?department=so-gddt").text  # a URL naming another department
    assert 'id="commitment-1"' in page and 'id="commitment-2"' not in page
    assert 'name="department"' not in page.partition('id="filters"')[2].partition("</form>")[0]
    status, page = update(officer, 2, "done")  # a forged form for the other department's commitment
    assert status == 400 and text(site, "commitment_wrong_department", number=2) in page
    status, page = update(officer, 1, "in_progress", "Đã mở 1 lớp ở Văn Giang")
    assert status == 200 and "Đã mở 1 lớp ở Văn Giang" in page
    assert commitments(site) == [("so-ct", PROMISE, CommitmentStatus.IN_PROGRESS, "Đã mở 1 lớp ở Văn Giang"),
                                 ("so-gddt", LIVE_PROMISE, CommitmentStatus.PENDING, "")]
    assert audited(site, "commitment") == [("web", "refused", "officer"), ("web", "done", "officer")]
    status, page = update(officer, 1, "maybe")
    assert status == 400 and text(site, "commitment_status_usage") in page
    assert update(officer, 99, "done")[0] == 400


def test_admins_and_the_coordinator_update_any_viewers_read(site: Harness) -> None:
    marked(site)
    assert update(signed_in_client(site, "console:coord"), 2, "done", "Đã bàn giao 10 phòng máy")[0] == 200
    assert update(signed_in_client(site, "console:admin"), 1, "in_progress")[0] == 200
    assert [c[2] for c in commitments(site)] == [CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE]
    viewer = signed_in_client(site, "console:leader")
    page = viewer.get("/console/commitments").text
    assert 'id="commitment-1"' in page and 'id="commitment-2"' in page and "commitment-update" not in page
    assert "Đã bàn giao 10 phòng máy" in page
    assert update(viewer, 1, "done")[0] == 403
    assert commitments(site)[0][2] == CommitmentStatus.IN_PROGRESS


def test_a_form_without_this_sessions_token_is_refused(site: Harness) -> None:
    marked(site)
    officer = signed_in_client(site, "console:officer-so-ct")
    assert officer.post("/console/commitments/1", data={"csrf": "forged", "status": "done"}).status_code == 403
    assert officer.post("/console/commitments/1", data={"status": "done"}).status_code == 403
    admin = signed_in_client(site, "console:admin")
    answer = admin.post("/console/q/HY-0001/act", data={"csrf": "forged", "action": "commit", "due": "2023-06-30",
                                                          "department": "so-ct", "what": PROMISE})
    assert answer.status_code == 403
    assert commitments(site) == [("so-ct", PROMISE, CommitmentStatus.PENDING, ""),
                                 ("so-gddt", LIVE_PROMISE, CommitmentStatus.PENDING, "")]


def test_filters_by_campaign_department_status_and_overdue(site: Harness, example_settings: Settings,
                                                           database_url: str, clock: FakeClock) -> None:
    marked(site)
    update(signed_in_client(site, "console:admin"), 2, "done")
    site.dispose()
    next_year = replace(example_settings.campaign, key="hung-yen-2024", name="Đối thoại 2024")
    second = Harness(replace(console_staff(example_settings), campaign=next_year), database_url, clock)
    try:
        clock.advance(200 * DAY)  # past 30/06/2023: commitment 1, not done, is overdue
        admin = signed_in_client(second, "console:admin")
        page = admin.get("/console/commitments").text
        assert 'id="commitment-1"' in page and 'id="commitment-2"' in page
        assert 'href="/console/q/HY-0001"' not in page  # last year's question has no page in this campaign
        assert 'data-status="overdue"' in page and example_settings.campaign.name in page
        assert text(second, "form_commitments_summary", total=2, done=1, in_progress=0, pending=0, overdue=1) in page

        def shown(query: str) -> set[str]:
            html = admin.get(f"/console/commitments?{query}").text
            return {n for n in ("1", "2") if f'id="commitment-{n}"' in html}
        with second.app.sessions() as session:
            ids = {key: id for key, id in session.execute(select(Campaign.key, Campaign.id))}
        assert shown(f"campaign={ids['hung-yen-2023']}") == {"1", "2"}
        assert shown(f"campaign={ids['hung-yen-2024']}") == set()
        assert shown("department=so-gddt") == {"2"}
        assert shown("status=done") == {"2"} and shown("status=pending") == {"1"}
        assert shown("overdue=1") == {"1"}
        assert shown("status=nonsense&department=nowhere") == {"1", "2"}  # unknown values filter nothing
        status, page = update(admin, 1, "done", "Đã mở đủ 3 lớp", query="?status=done")
        assert status == 200 and 'id="commitment-1"' in page  # the list again, as it was filtered
    finally:
        second.dispose()
