"""The event day in the console over HTTP (starlette's TestClient): the agenda builder, the projector view
and the live page, each change an action of the table through `perform` (the state after each, the web
audit row), for the roles the table allows, with the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from httpx import Response
from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import FakeClock
from core.config import Settings
from reports.rows import report_rows
from storage.models import Answer, AuditEntry, Question
from tests.console_client import csrf_of, signed_in_client
from tests.harness import Harness
from tests.test_console_security import console_staff
from tests.test_event_day import agenda_codes, ask_all, stored, support

HOSTS = ("Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh", "Bà Trần Thị Lan, Giám đốc Sở Thông tin và Truyền thông")
SUGGESTED = re.compile(r'name="codes" value="(HY-\d+)"')


@pytest.fixture
def event(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    settings = console_staff(example_settings)
    harness = Harness(replace(settings, campaign=replace(settings.campaign, hosts=HOSTS)), database_url, clock)
    yield harness
    harness.dispose()


def post(client: TestClient, path: str, page: str = "/console/agenda", **fields: str | list[str]) -> Response:
    return client.post(path, data={"csrf": csrf_of(client.get(page).text), **fields})


def audit_rows(harness: Harness, action: str) -> list[tuple[str, str, str, int | None]]:
    with harness.app.sessions() as session:
        return [(e.surface, e.status, e.role, e.question_id) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def question_id(harness: Harness, code: str) -> str:
    return str(stored(harness, code).id)


def test_each_role_gets_what_the_table_allows(event: Harness) -> None:
    codes = ask_all(event)
    for account in ("console:admin", "console:coord"):
        client = signed_in_client(event, account)
        for path in ("/console/agenda", "/console/live", "/console/projector", "/console/projector/mark"):
            assert client.get(path).status_code == 200, (account, path)
        assert 'id="pick-ticked"' in client.get("/console/agenda").text
    viewer = signed_in_client(event, "console:leader")
    page = viewer.get("/console/agenda")
    assert page.status_code == 200 and codes["4g"] in page.text and 'id="pick-ticked"' not in page.text
    refused = post(viewer, "/console/agenda/act", action="pick", codes=[codes["4g"]])
    assert refused.status_code == 400 and agenda_codes(event) == []  # perform refused it: the table's word
    assert audit_rows(event, "pick") == [("web", "refused", "viewer", None)]
    officer = signed_in_client(event, "console:officer-so-ct")
    for path in ("/console/agenda", "/console/live", "/console/projector", "/console/projector/mark"):
        assert officer.get(path).status_code == 403, path
    assert officer.post("/console/agenda/act", data={"csrf": csrf_of(officer.get("/console/").text),
                                                      "action": "pick", "one": codes["4g"]}).status_code == 403
    assert agenda_codes(event) == []


def test_forms_need_the_csrf_token(event: Harness) -> None:
    codes = ask_all(event)
    admin = signed_in_client(event, "console:admin")
    for path, fields in (("/console/agenda/act", {"action": "pick", "one": codes["4g"]}),
                         ("/console/live/present", {"step": "next"}),
                         ("/console/live", {"question": "1", "speaker": HOSTS[0], "summary": "x"})):
        assert admin.post(path, data={"csrf": "forged", **fields}).status_code == 403, path
    assert agenda_codes(event) == [] and audit_rows(event, "pick") == []


def test_build_and_reorder_the_agenda(event: Harness) -> None:
    codes = ask_all(event)
    support(event, codes["4g"], "s1", "s2")
    admin = signed_in_client(event, "console:admin")
    page = admin.get("/console/agenda", params={"size": "3"})
    suggested = SUGGESTED.findall(page.text)
    assert suggested[0] == codes["4g"] and len(suggested) == 3  # the most supported first, three asked for
    assert "Khoái Châu" in page.text and "👍" not in page.text  # districts by name; support as a number
    assert SUGGESTED.findall(admin.get("/console/agenda", params={"filter": "nong nghiep"}).text) == [codes["drone"]]
    picked = post(admin, "/console/agenda/act", action="pick", codes=suggested[:2])
    assert picked.status_code == 200 and agenda_codes(event) == suggested[:2]
    post(admin, "/console/agenda/act", action="pick", one=suggested[2])
    assert agenda_codes(event) == suggested
    assert suggested[0] not in SUGGESTED.findall(admin.get("/console/agenda").text)  # picked: not suggested again
    first, second, third = suggested
    post(admin, "/console/agenda/act", action="move", question=question_id(event, third), position="2")  # ▲
    assert agenda_codes(event) == [first, third, second]
    post(admin, "/console/agenda/act", action="move", question=question_id(event, first), position="3")  # a drag
    assert agenda_codes(event) == [third, second, first]
    wrong = post(admin, "/console/agenda/act", action="move", question=question_id(event, first), position="9")
    assert wrong.status_code == 400 and agenda_codes(event) == [third, second, first]
    coordinator = signed_in_client(event, "console:coord")
    post(coordinator, "/console/agenda/act", action="unpick", question=question_id(event, second))
    assert agenda_codes(event) == [third, first] and stored(event, first).event_rank == 2
    again = post(admin, "/console/agenda/act", action="pick", one=third)
    assert again.status_code == 400 and agenda_codes(event) == [third, first]  # already on the list
    assert [(s, status) for s, status, _, _ in audit_rows(event, "move")] == [("web", "done")] * 2
    assert [role for *_, role, _ in audit_rows(event, "unpick")] == ["coordinator"]
    assert len(audit_rows(event, "pick")) == 3


def test_the_projector_follows_the_secretariat(event: Harness) -> None:
    codes = ask_all(event)
    admin = signed_in_client(event, "console:admin")
    post(admin, "/console/agenda/act", action="pick", codes=[codes["4g"], codes["drone"]])
    screen = admin.get("/console/projector")
    assert 'id="projector-waiting"' in screen.text and admin.get("/console/projector/mark").text == "none"
    shown = post(admin, "/console/live/present", "/console/live", step="next")
    assert shown.status_code == 200
    screen = admin.get("/console/projector").text
    assert re.search(r'id="projector-code">\s*' + codes["4g"], screen)
    assert stored(event, codes["4g"]).text in screen and "Văn Giang" in screen
    assert "<header" not in screen and "<nav" not in screen and "<form" not in screen  # nothing but the question
    mark = admin.get("/console/projector/mark").text
    post(admin, "/console/live/present", "/console/live", step="next")
    assert codes["drone"] in admin.get("/console/projector").text
    assert admin.get("/console/projector/mark").text != mark
    post(admin, "/console/live/present", "/console/live", step="next")  # the last stays on screen
    assert codes["drone"] in admin.get("/console/projector").text
    post(admin, "/console/live/present", "/console/live", step="previous")
    assert codes["4g"] in admin.get("/console/projector").text
    post(admin, "/console/live/present", "/console/live", question=question_id(event, codes["drone"]))
    assert codes["drone"] in admin.get("/console/live").text.split('id="live-text"')[0]
    post(admin, "/console/agenda/act", action="unpick", question=question_id(event, codes["drone"]))
    assert 'id="projector-waiting"' in admin.get("/console/projector").text  # off the list, off the screen
    refused = post(admin, "/console/live/present", "/console/live", question=question_id(event, codes["shopee"]))
    assert refused.status_code == 400  # not on the agenda
    assert [status for _, status, _, _ in audit_rows(event, "present")] == ["done"] * 5 + ["refused"]


def test_a_live_answer_reaches_the_asker_and_supporters_and_the_report(event: Harness) -> None:
    codes = ask_all(event)
    code = codes["4g"]
    support(event, code, "s1")
    admin = signed_in_client(event, "console:admin")
    post(admin, "/console/agenda/act", action="pick", one=code)
    post(admin, "/console/live/present", "/console/live", step="next")
    page = admin.get("/console/live").text
    assert code in page and all(host in page for host in HOSTS)
    missing = post(admin, "/console/live", "/console/live", question=question_id(event, code), speaker="",
                   summary="Tỉnh sẽ phủ sóng 4G.")
    assert missing.status_code == 400 and stored(event, code).answers == []
    summary = "Đến hết năm 2024, 100% các xã được phủ sóng 4G."
    recorded = post(admin, "/console/live", "/console/live", question=question_id(event, code), speaker=HOSTS[1],
                    summary=summary)
    assert recorded.status_code == 200 and 'id="live-answer"' in recorded.text
    [answer] = stored(event, code).answers
    assert (answer.source, answer.speaker, answer.text, answer.officer) == ("live", HOSTS[1], summary, "console:admin")
    event.flush()  # the outbox, as the sender drains it
    for person in (event.youth("4g"), event.youth("s1")):
        assert summary in person.last().text and "Bà Trần Thị Lan" in person.last().text
    typed = post(admin, "/console/live", "/console/live", question=question_id(event, code), speaker=HOSTS[0],
                 speaker_other="Ông Lê Văn B, Giám đốc Sở Công Thương", summary=summary + " Bổ sung.")
    assert typed.status_code == 200
    with event.app.sessions() as session:
        assert session.scalars(select(Answer.speaker)).one() == "Ông Lê Văn B, Giám đốc Sở Công Thương"  # corrected
        row = next(r for r in report_rows(session, event.settings, event.app.processor.campaign_id, event.clock.now())
                   if r.code == code)
        assert row.live_speaker == "Ông Lê Văn B, Giám đốc Sở Công Thương" and row.live_answer.endswith("Bổ sung.")
        question = session.scalars(select(Question).where(Question.code == code)).one()
        assert question.status == "answered"
    assert [(s, status) for s, status, _, _ in audit_rows(event, "live")] == [("web", "done")] * 2
