"""The web console's security: sessions, one-time links, CSRF, roles, headers, no asker identity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from core.clock import FakeClock
from core.config import Settings
from tests.console_client import csrf_of, login_link, server, sign_in, signed_in_client, staff_chat
from tests.harness import Harness
from webconsole.auth import SESSION_COOKIE
from webconsole.security import HEADERS

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"  # Sở Công Thương's
ASKER = "lan-zq7"  # a name that cannot appear on a page by chance


def console_staff(settings: Settings) -> Settings:
    departments = tuple(replace(d, officers=(f"console:officer-{d.key}",)) if d.key in ("so-ct", "so-gddt") else d
                        for d in settings.departments)
    return replace(settings, coordinators=frozenset({"console:coord"}), viewers=frozenset({"console:leader"}),
                   departments=departments)


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    harness = Harness(console_staff(example_settings), database_url, clock)
    harness.ask(harness.registered_youth(ASKER), QUESTION)
    yield harness
    harness.dispose()


def text_of(harness: Harness, key: str) -> str:
    return harness.app.services.texts.render("vi", key)


def test_no_page_without_a_session(site: Harness) -> None:
    client = server(site)
    for path in ("/console/", "/console/q/HY-0001", "/console/staff"):
        assert client.get(path).status_code == 401
    assert client.post("/console/logout", data={"csrf": "x"}).status_code == 401
    client.cookies.set(SESSION_COOKIE, "forged.value", path="/console")
    assert client.get("/console/").status_code == 401


def test_a_link_signs_in_once_and_only_before_it_expires(site: Harness, clock: FakeClock) -> None:
    admin = staff_chat(site, "console:admin")
    path = login_link(admin)
    client = server(site)
    assert client.get(path).status_code == 200  # opening (or a chat's link preview) does not spend it
    sign_in(client, path)
    assert client.get("/console/").status_code == 200
    again = server(site)
    assert again.get(path).status_code == 400  # used
    late = login_link(admin)
    clock.advance(timedelta(minutes=site.settings.web.login_minutes, seconds=1))
    assert again.get(late).status_code == 400  # expired
    assert again.get("/console/").status_code == 401


def test_the_sign_in_form_needs_the_browser_that_opened_it(site: Harness) -> None:
    path = login_link(staff_chat(site, "console:admin"))
    opener, other = server(site), server(site)
    token = csrf_of(opener.get(path).text)
    assert other.post(path, data={"csrf": token}, follow_redirects=False).status_code == 403
    assert opener.post(path, data={}, follow_redirects=False).status_code == 403
    assert opener.post(path, data={"csrf": token}, follow_redirects=False).status_code == 303  # not spent above


def test_login_is_for_staff_in_private_chats(site: Harness) -> None:
    stranger = staff_chat(site, "console:nobody")
    assert stranger.say("/login")[-1].text == text_of(site, "staff_only")  # as any staff command
    group = site.officer("so-ct")
    assert group.say("/login")[-1].text == text_of(site, "login_private_only")
    assert "/console/login/" in staff_chat(site, "console:coord").say("/dangnhap")[-1].text  # its Vietnamese name


def test_signing_in_makes_a_new_session_and_ends_the_old_one(site: Harness) -> None:
    client = signed_in_client(site, "console:coord")
    before = client.cookies.get(SESSION_COOKIE)
    sign_in(client, login_link(staff_chat(site, "console:admin")))
    after = client.cookies.get(SESSION_COOKIE)
    assert after and after != before
    planted = server(site)
    planted.cookies.set(SESSION_COOKIE, before, path="/console")
    assert planted.get("/console/").status_code == 401  # the session it replaced is over


def test_sign_out_needs_the_csrf_token_and_ends_the_session(site: Harness) -> None:
    client = signed_in_client(site, "console:admin")
    other = signed_in_client(site, "console:coord")
    foreign = csrf_of(other.get("/console/").text)
    assert client.post("/console/logout", data={}).status_code == 403
    assert client.post("/console/logout", data={"csrf": foreign}).status_code == 403
    assert client.get("/console/").status_code == 200
    cookie = client.cookies.get(SESSION_COOKIE)
    assert client.post("/console/logout", data={"csrf": csrf_of(client.get("/console/").text)}).status_code == 200
    replay = server(site)
    replay.cookies.set(SESSION_COOKIE, cookie, path="/console")
    assert replay.get("/console/").status_code == 401


def test_an_officer_sees_only_their_department_and_never_the_asker(site: Harness) -> None:
    own = signed_in_client(site, "console:officer-so-ct")
    page = own.get("/console/q/HY-0001")
    assert page.status_code == 200
    assert ASKER not in page.text
    assert "HY-0001" in own.get("/console/").text
    other = signed_in_client(site, "console:officer-so-gddt")
    assert other.get("/console/q/HY-0001").status_code == 404
    assert "HY-0001" not in other.get("/console/").text
    assert other.get("/console/staff").status_code == 403


def test_an_admin_manages_staff_and_ends_their_sessions(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    leader = signed_in_client(site, "console:leader")
    token = csrf_of(admin.get("/console/staff").text)
    assert admin.post("/console/staff", data={"do": "save", "account": "console:new-coord", "role": "coordinator"}
                      ).status_code == 403  # no CSRF token
    saved = admin.post("/console/staff", data={"csrf": token, "do": "save", "account": "console:new-coord",
                                               "role": "coordinator"})
    assert saved.status_code == 200 and "console:new-coord" in saved.text
    assert signed_in_client(site, "console:new-coord").get("/console/").status_code == 200
    with site.app.sessions() as session:
        from storage.staff import find_staff
        leader_id = find_staff(session, "console:leader").id  # type: ignore[union-attr]
    admin.post("/console/staff", data={"csrf": token, "do": "end", "member": str(leader_id)})
    assert leader.get("/console/").status_code == 401
    admin.post("/console/staff", data={"csrf": token, "do": "remove", "member": str(leader_id)})
    assert staff_chat(site, "console:leader").say("/login")[-1].text == text_of(site, "staff_only")


def test_every_response_has_the_security_headers(site: Harness) -> None:
    client = server(site)
    responses = [client.get("/console/"), client.get("/console/nowhere"), client.get("/console/static/console.css"),
                 client.get(login_link(staff_chat(site, "console:admin")))]
    signed = signed_in_client(site, "console:admin")
    responses += [signed.get("/console/"), signed.get("/console/q/HY-0001"), signed.get("/console/q/HY-9999"),
                  signed.get("/console/lang?to=en&next=/console/", follow_redirects=False)]
    for response in responses:
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)
        assert "strict-transport-security" not in response.headers  # plain http here
    assert "script-src 'self'" in HEADERS["content-security-policy"] and "unsafe-inline" not in str(HEADERS)


def test_https_adds_hsts_and_secure_cookies(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    settings = console_staff(example_settings)
    settings = replace(settings, web=replace(settings.web, public_url="https://bot.example.gov.vn"))
    harness = Harness(settings, database_url, clock)
    try:
        client = server(harness)
        path = login_link(staff_chat(harness, "console:admin"))
        page = client.get(path)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        answer = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
        cookie = answer.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    finally:
        harness.dispose()


def test_actions_need_the_csrf_token_the_role_and_the_department(site: Harness) -> None:
    stranger = signed_in_client(site, "console:officer-so-gddt")
    token = csrf_of(stranger.get("/console/").text)
    forged = {"csrf": token, "action": "reject", "reason": "không thuộc phạm vi"}
    assert stranger.post("/console/q/HY-0001/act", data=forged).status_code == 404  # another department's
    leader = signed_in_client(site, "console:leader")
    assert leader.post("/console/q/HY-0001/act", data={**forged, "csrf": csrf_of(leader.get("/console/").text)}
                       ).status_code == 403  # read-only
    own = signed_in_client(site, "console:officer-so-ct")
    assert own.post("/console/q/HY-0001/act", data={**forged, "csrf": token}).status_code == 403  # another's token
    with site.app.sessions() as session:
        from storage.questions import find_by_code
        question = find_by_code(session, "HY-0001", site.app.processor.campaign_id)
        assert question is not None and question.status == "forwarded"  # nothing happened
    done = own.post("/console/q/HY-0001/act", data={**forged, "csrf": csrf_of(own.get("/console/").text)})
    assert done.status_code == 200
    with site.app.sessions() as session:
        assert find_by_code(session, "HY-0001", site.app.processor.campaign_id).status == "rejected"  # type: ignore[union-attr]


def test_the_asker_is_named_only_where_the_config_says_so(example_settings: Settings, database_url: str,
                                                          clock: FakeClock) -> None:
    harness = Harness(replace(console_staff(example_settings), show_identity_to_departments=True), database_url,
                      clock)
    try:
        harness.ask(harness.registered_youth(ASKER), QUESTION)
        page = signed_in_client(harness, "console:officer-so-ct").get("/console/q/HY-0001").text
        assert ASKER in page  # the display name (the harness names people by their id)
        assert f"console:{ASKER}" not in page and f"user-{ASKER}" not in page
    finally:
        harness.dispose()
