"""Broadcasts from the console, over HTTP as the browser posts them: who may, CSRF, a preview that stores
and sends nothing and counts the audience as the domain does, sending through `broadcast_start`, and
pause / resume / cancel acting on the real pump, outbox and sender, with their audit rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.clock import FakeClock
from core.config import Settings
from storage import broadcasts as store
from storage.db import transaction
from storage.models import AuditEntry, Broadcast, BroadcastStatus, OutboxMessage, OutboxStatus
from tests.console_client import csrf_of, signed_in_client
from tests.harness import Harness, Participant
from tests.test_console_security import console_staff

ANNOUNCEMENT = "Buổi đối thoại diễn ra lúc 8:00 ngày 28/3 tại Hội trường tỉnh."
PAGE = "/console/broadcasts"


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    harness = Harness(console_staff(example_settings), database_url, clock)
    yield harness
    harness.dispose()


def youth(harness: Harness, count: int, district: str = "Văn Giang") -> list[Participant]:
    return [harness.registered_youth(f"{district[:3].lower()}{i}", district) for i in range(count)]


def csrf(client: TestClient) -> str:
    return csrf_of(client.get(PAGE).text)


def post(client: TestClient, path: str, **fields: object) -> tuple[int, str]:
    answer = client.post(path, data={"csrf": csrf(client), **fields})
    return answer.status_code, answer.text


def copies(person: Participant, text: str = ANNOUNCEMENT) -> int:
    return sum(1 for d in person.inbox() if text in d.text)


def broadcasts(harness: Harness) -> list[Broadcast]:
    with harness.app.sessions() as session:
        found = list(session.scalars(select(Broadcast).order_by(Broadcast.id)))
        session.expunge_all()
        return found


def audited(harness: Harness) -> list[tuple[str, str, str, str]]:
    with harness.app.sessions() as session:
        return [(e.action, e.surface, e.status, e.role) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("broadcast%")).order_by(AuditEntry.id))]


def outbox_count(harness: Harness) -> int:
    with harness.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.broadcast_id.is_not(None))) or 0


def text(harness: Harness, key: str, **values: object) -> str:
    return harness.app.services.texts.render("vi", key, **values)


def test_who_may_compose_and_who_may_see(site: Harness) -> None:
    for account in ("console:leader", "console:officer-so-ct"):
        client = signed_in_client(site, account)
        assert client.get(PAGE).status_code == 403
        assert client.get(f"{PAGE}/fragment").status_code == 403
    coordinator = signed_in_client(site, "console:coord")
    page = coordinator.get(PAGE)
    assert page.status_code == 200 and 'id="bc-preview"' not in page.text  # managing is coordination
    assert post(coordinator, f"{PAGE}/preview", text=ANNOUNCEMENT)[0] == 403
    assert post(coordinator, f"{PAGE}/send", text=ANNOUNCEMENT)[0] == 403
    admin = signed_in_client(site, "console:admin")
    assert 'id="bc-preview"' in admin.get(PAGE).text
    assert broadcasts(site) == []


def test_forms_without_the_token_are_refused(site: Harness) -> None:
    youth(site, 2)
    admin = signed_in_client(site, "console:admin")
    for path in (f"{PAGE}/preview", f"{PAGE}/send", f"{PAGE}/1/pause"):
        assert admin.post(path, data={"csrf": "forged", "text": ANNOUNCEMENT}).status_code == 403
    assert broadcasts(site) == []


def test_the_preview_sends_nothing_and_counts_the_domains_audience(site: Harness) -> None:
    van_giang = youth(site, 3)
    youth(site, 2, "Yên Mỹ")
    admin = signed_in_client(site, "console:admin")
    delivered = len(site.transport.delivered)
    key = next(d.key for d in site.settings.districts if d.name.endswith("Văn Giang"))
    status, page = post(admin, f"{PAGE}/preview", text=f"<b>Thông báo</b>\n{ANNOUNCEMENT}", district=[key],
                        link_label="Xem trực tiếp", link_url="https://example.vn/live")
    assert status == 200
    with site.app.sessions() as session:
        expected = store.count_audience(session, Broadcast(districts=[key], language=None))
    assert expected == len(van_giang) == 3
    assert f'id="audience-count">{expected}<' in page
    assert "<b>Thông báo</b>" in page and "Xem trực tiếp" in page  # formatted as chats show it
    assert broadcasts(site) == [] and outbox_count(site) == 0
    site.run_broadcasts()
    assert len(site.transport.delivered) == delivered
    everyone = post(admin, f"{PAGE}/preview", text=ANNOUNCEMENT)[1]
    assert 'id="audience-count">5<' in everyone


def test_a_wrong_form_says_what_is_wrong_and_stores_nothing(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    status, page = post(admin, f"{PAGE}/preview", text="  ")
    assert status == 400 and text(site, "console_broadcast_empty") in page
    status, page = post(admin, f"{PAGE}/send", text=ANNOUNCEMENT, link_label="Xem", link_url="javascript:alert(1)")
    assert status == 400 and text(site, "console_broadcast_link_invalid") in page
    assert post(admin, f"{PAGE}/send", text=ANNOUNCEMENT, district=["nowhere"])[0] == 400
    assert broadcasts(site) == []


def page_tag(client: TestClient) -> str:
    """The list's ETag as the page gives it to live.js."""
    return unescape(re.search(r'data-live="/console/broadcasts/fragment" data-etag="([^"]+)"',
                              client.get(PAGE).text).group(1))


def test_sending_creates_the_broadcast_and_the_pump_delivers_it_once(site: Harness) -> None:
    van_giang = youth(site, 2)
    yen_my = youth(site, 1, "Yên Mỹ")
    admin = signed_in_client(site, "console:admin")
    key = next(d.key for d in site.settings.districts if d.name.endswith("Văn Giang"))
    status, page = post(admin, f"{PAGE}/send", text=ANNOUNCEMENT, district=[key])
    assert status == 200 and 'id="outcome"' in page and "notice error" not in page
    [broadcast] = broadcasts(site)
    assert (broadcast.status, broadcast.planned, broadcast.districts) == (BroadcastStatus.SENDING, 2, [key])
    assert broadcast.author == "console:admin"
    sending = page_tag(admin)
    assert admin.get(f"{PAGE}/fragment", headers={"if-none-match": sending}).status_code == 304  # live.js's first poll
    site.run_broadcasts()
    assert admin.get(f"{PAGE}/fragment", headers={"if-none-match": sending}).status_code == 200  # it moved
    assert [copies(p) for p in van_giang + yen_my] == [1, 1, 0]
    done = broadcasts(site)[0]
    assert done.status == BroadcastStatus.DONE and done.report["delivered"] == 2  # the tally, kept as for any
    assert {d.message.chat.chat_id for d in site.transport.delivered if "#1" in d.text} == set()  # no chat report
    listed = admin.get(f"{PAGE}/fragment")
    assert 'data-status="done"' in listed.text and 'data-sent="2"' in listed.text
    assert admin.get(f"{PAGE}/fragment", headers={"if-none-match": listed.headers["etag"]}).status_code == 304
    assert page_tag(admin) == listed.headers["etag"]
    assert audited(site) == [("broadcast_start", "web", "done", "admin")]


def test_a_second_press_or_a_reload_does_not_send_again(site: Harness) -> None:
    people = youth(site, 2)
    admin = signed_in_client(site, "console:admin")
    assert post(admin, f"{PAGE}/send", text=ANNOUNCEMENT)[0] == 200
    status, page = post(admin, f"{PAGE}/send", text=ANNOUNCEMENT)
    assert status == 400 and text(site, "console_broadcast_repeat", id=1) in page
    site.run_broadcasts()
    assert [copies(p) for p in people] == [1, 1] and len(broadcasts(site)) == 1
    site.clock.advance(11 * 60)  # later, the same text is a new broadcast (a reminder)
    assert post(admin, f"{PAGE}/send", text=ANNOUNCEMENT)[0] == 200


def test_pause_stops_sending_resume_continues_without_repeats(site: Harness) -> None:
    people = youth(site, 6)
    site.pump.batch = 2
    admin = signed_in_client(site, "console:admin")
    coordinator = signed_in_client(site, "console:coord")  # managing a broadcast is coordination
    post(admin, f"{PAGE}/send", text=ANNOUNCEMENT)
    site.pump.tick()  # two copies in the outbox, not yet sent
    status, _ = post(coordinator, f"{PAGE}/1/pause")
    assert status == 200
    site.run_broadcasts()  # the pump and the real sender: nothing more goes out
    assert sum(copies(p) for p in people) == 0
    with site.app.sessions() as session:
        held = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.HELD))
    assert held == 2 and broadcasts(site)[0].status == BroadcastStatus.PAUSED
    assert 'verb-resume' in coordinator.get(f"{PAGE}/fragment").text
    assert post(coordinator, f"{PAGE}/1/pause")[0] == 400  # already paused: refused, said so
    post(coordinator, f"{PAGE}/1/resume")
    site.flush()  # the held copies go first; the pump's next ticks enqueue the rest
    site.run_broadcasts()
    assert [copies(p) for p in people] == [1] * 6
    assert broadcasts(site)[0].status == BroadcastStatus.DONE
    assert audited(site) == [("broadcast_start", "web", "done", "admin"), ("broadcast_pause", "web", "done",
                                                                           "coordinator"),
                             ("broadcast_pause", "web", "refused", "coordinator"),
                             ("broadcast_resume", "web", "done", "coordinator")]


def test_cancel_stops_for_good(site: Harness) -> None:
    people = youth(site, 6)
    site.pump.batch = 2
    admin = signed_in_client(site, "console:admin")
    post(admin, f"{PAGE}/send", text=ANNOUNCEMENT)
    site.pump.tick()
    site.flush()  # the first two are delivered
    status, page = post(admin, f"{PAGE}/1/cancel")
    assert status == 200 and text(site, "console_broadcast_cancelled", id=1, delivered=2) in page
    site.run_broadcasts()
    assert sum(copies(p) for p in people) == 2
    assert post(admin, f"{PAGE}/1/resume")[0] == 400
    site.run_broadcasts()
    assert sum(copies(p) for p in people) == 2
    [broadcast] = broadcasts(site)
    assert broadcast.status == BroadcastStatus.CANCELLED
    fragment = admin.get(f"{PAGE}/fragment").text
    assert "verb-" not in fragment and 'data-status="cancelled"' in fragment
    with transaction(site.app.sessions) as session:
        assert store.tally(session, broadcast.id).delivered == 2
    assert [a[:3] for a in audited(site)][1:] == [("broadcast_cancel", "web", "done"),
                                                  ("broadcast_resume", "web", "refused")]
