"""Every action of a question's page, posted as the browser does, done through actions.perform: the
state changes as in chat, the audit log records it from the web, and the page shows the outcome."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from actions.model import Actor, Place, Role, Status, Surface
from actions.perform import perform
from core.clock import FakeClock
from core.config import Settings
from handlers.context import Writer
from storage import audit
from storage.db import transaction
from storage.models import Question, QuestionStatus
from storage.questions import find_by_code
from tests.console_client import csrf_of, signed_in_client
from tests.harness import Harness
from tests.test_console_security import console_staff

FIRST = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
SECOND = "Trường em có được tổ chức dạy kỹ năng số cho học sinh không ạ?"


@pytest.fixture
def reviewing(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    settings = console_staff(example_settings)
    harness = Harness(replace(settings, curation=replace(settings.curation, approval_required=True)), database_url,
                      clock)
    harness.ask(harness.registered_youth("an"), FIRST)
    harness.ask(harness.registered_youth("binh"), SECOND)
    yield harness
    harness.dispose()


def post(client: TestClient, code: str, **fields: str) -> str:
    page = client.get(f"/console/q/{code}")
    answer = client.post(f"/console/q/{code}/act", data={"csrf": csrf_of(page.text), **fields})
    assert answer.status_code == 200, answer.text
    return answer.text


def question(harness: Harness, code: str) -> Question:
    with harness.app.sessions() as session:
        found = find_by_code(session, code, harness.app.processor.campaign_id)
        assert found is not None
        session.expunge(found)
        return found


def audited(harness: Harness, code: str) -> list[tuple[str, str, str]]:
    with harness.app.sessions() as session:
        return [(e.action, e.surface, e.status) for e in audit.history(session, question(harness, code).id)]


def text(harness: Harness, key: str, **values: object) -> str:
    return harness.app.services.texts.render("vi", key, **values)


def test_curation_from_the_web(reviewing: Harness) -> None:
    admin = signed_in_client(reviewing, "console:admin")
    assert question(reviewing, "HY-0001").status == QuestionStatus.IN_REVIEW
    page = post(admin, "HY-0001", action="clarify", text="Bán hàng trên Shopee có phải nộp thuế không?")
    assert question(reviewing, "HY-0001").original_text == FIRST
    post(admin, "HY-0001", action="approve")
    assert question(reviewing, "HY-0001").status == QuestionStatus.FORWARDED
    page = post(admin, "HY-0002", action="decline", reason="Câu hỏi đã có trong kế hoạch của trường.")
    assert question(reviewing, "HY-0002").status == QuestionStatus.REJECTED
    assert 'id="outcome"' in page and "notice error" not in page
    assert audited(reviewing, "HY-0001") == [("clarify", "web", "done"), ("approve", "web", "done")]
    assert audited(reviewing, "HY-0002") == [("decline", "web", "done")]


def test_reject_answer_and_publish_from_the_web(reviewing: Harness) -> None:
    admin = signed_in_client(reviewing, "console:admin")
    post(admin, "HY-0001", action="approve")
    post(admin, "HY-0002", action="approve")
    officer = signed_in_client(reviewing, "console:officer-so-ct")
    post(officer, "HY-0001", action="answer", text="Có, em cần kê khai thuế.")
    assert question(reviewing, "HY-0001").status == QuestionStatus.ANSWERED
    post(admin, "HY-0001", action="publish")
    assert question(reviewing, "HY-0001").published_at is not None
    department = question(reviewing, "HY-0002").department_key
    coordinator = signed_in_client(reviewing, "console:coord")
    post(coordinator, "HY-0002", action="reject", reason="Không thuộc phạm vi của tỉnh.")
    assert question(reviewing, "HY-0002").status == QuestionStatus.REJECTED
    assert question(reviewing, "HY-0002").department_key == department


def test_a_refused_action_shows_why_and_changes_nothing(reviewing: Harness) -> None:
    admin = signed_in_client(reviewing, "console:admin")
    page = admin.get("/console/q/HY-0001")
    answer = admin.post("/console/q/HY-0001/act", data={"csrf": csrf_of(page.text), "action": "merge",
                                                          "target": "HY-0999"})
    assert answer.status_code == 400 and text(reviewing, "console_unknown_code", code="HY-0999") in answer.text
    answer = admin.post("/console/q/HY-0001/act", data={"csrf": csrf_of(page.text), "action": "publish"})
    assert answer.status_code == 400  # not answered yet: the action's own refusal
    assert text(reviewing, "publish_not_answered", code="HY-0001") in answer.text
    assert question(reviewing, "HY-0001").published_at is None
    assert admin.post("/console/q/HY-0001/act", data={"csrf": csrf_of(page.text), "action": "ban"}
                      ).status_code == 404  # not an action of this page


def test_perform_keeps_a_web_officer_to_their_department(reviewing: Harness) -> None:
    """The web's own 404 aside, the action table refuses an officer another department's question."""

    admin = signed_in_client(reviewing, "console:admin")
    post(admin, "HY-0001", action="approve")
    stranger = Actor(frozenset({Role.OFFICER}), Place.WEB, "so-gddt", "console:officer-so-gddt", Surface.WEB)
    with transaction(reviewing.app.sessions) as session:
        target = find_by_code(session, "HY-0001", reviewing.app.processor.campaign_id)
        assert target is not None and target.department_key != "so-gddt"
        outcome = perform(Writer(reviewing.app.services, session, reviewing.clock.now()),
                          reviewing.app.campaign(session), stranger, "reject", {"question": str(target.id)},
                          Surface.WEB)
    assert outcome.status == Status.REFUSED and outcome.key == "wrong_department"
    assert question(reviewing, "HY-0001").status == QuestionStatus.FORWARDED


def test_each_role_is_offered_what_the_action_table_allows(reviewing: Harness) -> None:
    forms = {who: set(re.findall(r'id="action-([a-z]+)"', signed_in_client(reviewing, who).get(
        "/console/q/HY-0001").text)) for who in ("console:admin", "console:coord", "console:leader")}
    assert forms["console:admin"] == forms["console:coord"] == {"approve", "clarify", "decline", "merge"}  # in review
    assert forms["console:leader"] == set()
    post(signed_in_client(reviewing, "console:admin"), "HY-0001", action="approve")
    officer = set(re.findall(r'id="action-([a-z]+)"', signed_in_client(reviewing, "console:officer-so-ct").get(
        "/console/q/HY-0001").text))
    assert officer == {"reassign", "reject", "answer"}
