"""Honouring exemplary youth on the console: who may see and change what, CSRF, the evidence upload's
limits, the download's headers, the shortlist's order, the nominee's consent rule and the programme annex."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from docx import Document
from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import FakeClock
from core.config import Settings
from handlers import nominations
from handlers.evidence import MAX_BYTES, MAX_FILES
from storage.models import AuditEntry, Nomination, NominationFile, NominationStatus
from tests.console_client import csrf_of, server, signed_in_client
from tests.harness import Harness
from tests.test_console_security import console_staff
from tests.test_nominations import nominate
from webconsole import nominations as page

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake but typed by its first bytes\n"
HOA = {"name": "Nguyễn Thị Hoa", "unit": "Huyện đoàn Văn Giang", "achievement": "Khởi nghiệp trồng nấm sạch"}


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    harness = Harness(console_staff(example_settings), database_url, clock)
    yield harness
    harness.dispose()


def text_of(harness: Harness, key: str, **values: object) -> str:
    return harness.app.services.texts.render("vi", key, **values)


def propose(client: TestClient, files: list[tuple[str, bytes, str]] = (), consent: bool = True,
            **fields: str):  # noqa: ANN201 - the response
    form = client.get("/console/nominations/new")
    data = {"csrf": csrf_of(form.text), **HOA, **fields, **({"consent": "yes"} if consent else {})}
    return client.post("/console/nominations/new", data=data, follow_redirects=False,
                       files=[("evidence", (name, io.BytesIO(body), kind)) for name, body, kind in files])


def stored(harness: Harness) -> list[Nomination]:
    with harness.app.sessions() as session:
        found = session.scalars(select(Nomination).order_by(Nomination.id)).all()
        session.expunge_all()
        return list(found)


def order(client: TestClient, do: str, number: int, rank: int | None = None):  # noqa: ANN201
    listing = client.get("/console/nominations")
    return client.post("/console/nominations/order", follow_redirects=False, data={
        "csrf": csrf_of(listing.text), "do": do, "number": str(number), "rank": str(rank or "")})


def ranks(harness: Harness) -> dict[str, int | None]:
    return {n.nominee_name: n.rank for n in stored(harness)}


def test_who_may_open_the_pages(site: Harness) -> None:
    anonymous = server(site)
    for path in ("/console/nominations", "/console/nominations/new", "/console/nominations/1/evidence/1"):
        assert anonymous.get(path).status_code == 401
    for account in ("console:admin", "console:coord"):
        client = signed_in_client(site, account)
        assert client.get("/console/nominations").status_code == 200
        assert client.get("/console/nominations/new").status_code == 200
    for account in ("console:leader", "console:officer-so-ct"):
        client = signed_in_client(site, account)
        assert client.get("/console/nominations").status_code == 403
        assert client.get("/console/nominations/new").status_code == 403
        assert client.post("/console/nominations/new", data={**HOA, "consent": "yes"}).status_code == 403
    assert stored(site) == []


def test_a_unit_nominates_with_evidence_and_declares_consent(site: Harness) -> None:
    coordinator = signed_in_client(site, "console:coord")
    answer = propose(coordinator, [("bằng khen.png", PNG, "image/png"), ("../../giấy.PDF", PDF, "text/html")])
    assert answer.status_code == 303 and answer.headers["location"] == "/console/nominations?added=1"
    assert text_of(site, "console_nom_added", number=1) in coordinator.get(answer.headers["location"]).text
    (nomination,) = stored(site)
    assert nomination.consent_note == nominations.UNIT_DECLARED and nomination.consent_confirmed_at is not None
    assert [(e["platform"], e["kind"], e["file_name"], e["mime_type"]) for e in nomination.evidence] == [
        ("web", "photo", "bằng khen.png", "image/png"), ("web", "document", "giấy.pdf", "application/pdf")]
    with site.app.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "nomination_add")).one()
        assert (entry.surface, entry.status, entry.detail["nomination"]) == ("web", "done", 1)


def test_without_the_units_declaration_of_consent_nothing_is_stored(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    answer = propose(admin, [("a.png", PNG, "image/png")], consent=False)
    assert answer.status_code == 400 and text_of(site, "nomination_consent_required") in answer.text
    assert HOA["achievement"] in answer.text  # what was typed is kept in the form
    answer = propose(admin, name="  ")
    assert answer.status_code == 400 and text_of(site, "nomination_incomplete") in answer.text
    assert stored(site) == []


def test_a_form_without_the_sessions_token_is_refused(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    assert admin.post("/console/nominations/new", data={**HOA, "consent": "yes", "csrf": "forged"},
                      files=[("evidence", ("a.png", io.BytesIO(PNG), "image/png"))]).status_code == 403
    propose(admin)
    assert admin.post("/console/nominations/order", data={"do": "shortlist", "number": "1"}).status_code == 403
    assert admin.post("/console/nominations/programme", data={}).status_code == 403
    assert [n.status for n in stored(site)] == [NominationStatus.PROPOSED]


def test_upload_limits(site: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = signed_in_client(site, "console:admin")
    page_html = b"<html><script>alert(1)</script></html>"
    answer = propose(admin, [("anh.png", page_html, "image/png")])  # named and typed as a photo: it is not
    assert answer.status_code == 400 and text_of(site, "evidence_wrong_type", name="anh.png") in answer.text
    big = PNG + b"\x00" * (MAX_BYTES + 1 - len(PNG))
    answer = propose(admin, [("to.png", big, "image/png")])
    assert answer.status_code == 400
    assert text_of(site, "evidence_too_big", name="to.png", megabytes=MAX_BYTES // 2**20) in answer.text
    answer = propose(admin, [(f"{n}.png", PNG, "image/png") for n in range(MAX_FILES + 1)])
    assert answer.status_code == 400 and text_of(site, "evidence_too_many", count=MAX_FILES) in answer.text
    monkeypatch.setattr(page, "MAX_REQUEST", 1000)  # the whole request refused before it is read
    answer = propose(admin, [("a.png", PNG + b"\x00" * 2000, "image/png")])
    assert answer.status_code == 413
    assert stored(site) == []
    with site.app.sessions() as session:
        assert session.scalars(select(NominationFile)).all() == []


def test_evidence_is_only_ever_a_download(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    propose(admin, [("Giấy khen: Hoa.png", PNG, "image/png"), ("b.pdf", PDF, "application/pdf")])
    propose(admin, [("c.png", PNG, "image/png")], name="Trần Văn Nam")
    listing = admin.get("/console/nominations").text
    assert "/console/nominations/1/evidence/1" in listing and "/console/nominations/2/evidence/3" in listing
    photo = admin.get("/console/nominations/1/evidence/1")
    assert photo.status_code == 200 and photo.content == PNG
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    disposition = photo.headers["content-disposition"]
    assert disposition == "attachment; filename=\"Giay khen Hoa.png\"; filename*=UTF-8''Gi%E1%BA%A5y%20khen%20Hoa.png"
    assert admin.get("/console/nominations/1/evidence/2").headers["content-type"] == "application/pdf"
    assert admin.get("/console/nominations/1/evidence/3").status_code == 404  # another nomination's file
    assert admin.get("/console/nominations/9/evidence/1").status_code == 404
    assert signed_in_client(site, "console:leader").get("/console/nominations/1/evidence/1").status_code == 403


def test_admins_shortlist_order_and_withdraw(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    for name in ("Hoa", "Nam", "Lan"):
        propose(admin, name=name)
    for number in (1, 2, 3):
        assert order(admin, "shortlist", number).status_code == 303
    assert ranks(site) == {"Hoa": 1, "Nam": 2, "Lan": 3}
    order(admin, "down", 1, 1)
    assert ranks(site) == {"Nam": 1, "Hoa": 2, "Lan": 3}
    order(admin, "up", 3, 3)
    assert ranks(site) == {"Nam": 1, "Lan": 2, "Hoa": 3}
    listing = admin.get("/console/nominations").text
    assert listing.index("Nam") < listing.index("Lan") < listing.index("Hoa")
    assert 'id="up-2"' not in listing and 'id="down-1"' not in listing  # nothing above the first, below the last
    order(admin, "withdraw", 2)
    assert ranks(site) == {"Lan": 1, "Hoa": 2, "Nam": None}
    with site.app.sessions() as session:
        surfaces = {(e.action, e.surface) for e in session.scalars(select(AuditEntry))}
    assert {("shortlist", "web"), ("unshortlist", "web")} <= surfaces


def test_the_coordinator_proposes_but_does_not_decide_the_shortlist(site: Harness) -> None:
    coordinator = signed_in_client(site, "console:coord")
    propose(coordinator)
    assert 'id="shortlist-1"' not in coordinator.get("/console/nominations").text
    answer = order(coordinator, "shortlist", 1)
    assert answer.status_code == 400 and text_of(site, "not_admin") in answer.text
    assert ranks(site) == {HOA["name"]: None}


def test_a_chat_nomination_waits_for_its_nominees_own_consent(site: Harness) -> None:
    nominate(site, site.registered_youth("an"), "Phạm Thu Trang", "Đoàn trường THPT Văn Lâm", "Giải nhất KHKT")
    admin = signed_in_client(site, "console:admin")
    listing = admin.get("/console/nominations").text
    assert text_of(site, "console_nom_consent_pending") in listing and 'id="shortlist-1"' not in listing
    assert text_of(site, "console_nom_chat_files", count=1) in listing  # kept on the platform, counted
    answer = order(admin, "shortlist", 1)
    assert answer.status_code == 400 and text_of(site, "nomination_consent_pending", number=1) in answer.text
    assert [n.status for n in stored(site)] == [NominationStatus.PROPOSED]


def test_the_programme_annex_lists_the_shortlist_in_order(site: Harness, tmp_path) -> None:
    admin = signed_in_client(site, "console:admin")
    propose(admin, [("a.png", PNG, "image/png")])
    propose(admin, name="Trần Văn Nam")
    order(admin, "shortlist", 2)
    order(admin, "shortlist", 1)
    listing = admin.get("/console/nominations")
    answer = admin.post("/console/nominations/programme", data={"csrf": csrf_of(listing.text)})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert answer.headers["content-disposition"].startswith("attachment;")
    out = tmp_path / "annex.docx"
    out.write_bytes(answer.content)
    honoured = Document(str(out)).tables[-1]
    assert [row.cells[1].text for row in honoured.rows[1:]] == ["Trần Văn Nam", HOA["name"]]
    assert honoured.rows[2].cells[4].text == "1 tệp"
