"""The leadership documents from the console (/console/reports): the report as Word, Excel and CSV, the
programme annex and each department's transmittal, downloaded with Vietnamese file names.

Each download is the action chat and the CLI use (`report`, `programme`, `transmittal`), done through
`actions.perform`: the same builders, the same permission check, the same audit row. The build runs in
starlette's thread pool (`form_endpoint`), not on the event loop; the file is streamed in chunks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from actions.model import Actor, Outcome, Surface
from actions.perform import perform
from actions.permissions import allowed
from actions.table import action_named
from core.texts import plain_text
from handlers.context import Writer
from reports.build import FORMATS
from storage.models import StaffRole
from webconsole.acting import actor_of, outcome_text
from webconsole.auth import Staff, check_csrf, form_endpoint, signed_in
from webconsole.downloads import attachment
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import console_of

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')  # not in a file name on Windows, nor in a header


@dataclass(frozen=True)
class Document:
    """One download: the action that builds it, its arguments, and the catalogue key of its file name."""

    key: str
    action: str
    args: tuple[tuple[str, str], ...]
    name_key: str
    extension: str


REPORT = tuple(Document(format, "report", (("format", format),), "console_reports_file_report", format)
               for format in FORMATS)
PROGRAMME = Document("programme", "programme", (), "console_reports_file_programme", "docx")


def reports_page(request: Request) -> Response:
    staff = signed_in(request)
    return page(request, "reports.html", staff, **_view(request, staff))


@form_endpoint
def download(request: Request, form: FormData) -> Response:
    """A form (CSRF: building a report is an audited action), handled in the thread pool: the build takes
    seconds at 10,000 questions, and the event loop serves other pages meanwhile."""
    staff = signed_in(request)
    check_csrf(request, staff, form)
    document = _document(request.path_params["document"], str(form.get("department", "")))
    if document is None or document.key not in {d.key for d in offered(request, staff)}:
        return _refused(request, staff, None)
    console = console_of(request)
    label = str(role_label(translator(request), console.app.settings, staff))
    with console.transaction() as session:
        campaign = console.campaign(session)
        outcome = perform(Writer(console.app.services, session, console.now()), campaign, actor_of(staff, label),
                          document.action, dict(document.args), Surface.WEB)
        campaign_key = campaign.key
    if not outcome.ok or not outcome.attachments:
        return _refused(request, staff, outcome)
    path = Path(outcome.attachments[0].path)
    name = _file_name(request, document, campaign_key)
    return FileResponse(path, media_type=FORMATS[document.extension],
                        headers={"content-disposition": attachment(name)})


def offered(request: Request, staff: Staff) -> list[Document]:
    """The documents the action table lets this member build from the web; an officer's transmittal is their
    own department's (`department_in_scope` decides it again when it is built)."""
    settings = console_of(request).app.settings
    actor = actor_of(staff, "")
    documents = [d for d in (*REPORT, PROGRAMME) if _may(d.action, actor)]
    if _may("transmittal", actor):
        keys = [staff.department_key] if staff.role == StaffRole.OFFICER else [d.key for d in settings.departments]
        documents += [_transmittal(key) for key in keys if key]
    return documents


def _transmittal(department_key: str) -> Document:
    return Document(f"transmittal-{department_key}", "transmittal", (("department", department_key),),
                    "console_reports_file_transmittal", "docx")


def _document(key: str, department_key: str) -> Document | None:
    if key == "transmittal":
        return _transmittal(department_key) if department_key else None
    return next((d for d in (*REPORT, PROGRAMME) if d.key == key), None)


def _may(name: str, actor: Actor) -> bool:
    action = action_named(name)
    return action is not None and allowed(action, actor)


def _file_name(request: Request, document: Document, campaign: str) -> str:
    """"Báo cáo kết quả đối thoại - hung-yen-2023 - 10-03-2023.docx": the campaign by its key (its name is
    a sentence), the province's date."""
    console = console_of(request)
    settings = console.app.settings
    department = settings.department(dict(document.args).get("department", ""))
    name = plain_text(console.app.services.texts.render(
        language_of(request), document.name_key, campaign=campaign, department=department.name if department else "",
        date=console.now().astimezone(settings.timezone).strftime("%d-%m-%Y")))
    return f"{UNSAFE.sub(' ', name).strip()}.{document.extension}"


def _refused(request: Request, staff: Staff, outcome: Outcome | None) -> Response:
    flash = outcome_text(console_of(request).app.services, language_of(request), outcome) if outcome else \
        translator(request)("console_forbidden")
    return page(request, "reports.html", staff, status=403 if outcome is None else 400, **_view(request, staff),
                flash=flash, flash_ok=False)


def _view(request: Request, staff: Staff) -> dict[str, Any]:
    settings = console_of(request).app.settings
    documents = offered(request, staff)
    names = {d.key: d.name for d in settings.departments}
    return {
        "offered": bool(documents),
        "sections": [(f"console_reports_{action}", f"console_reports_{action}_explain",
                      [d for d in documents if d.action == action]) for action in ("report", "programme")],
        "transmittals": [(d, names.get(dict(d.args)["department"], "")) for d in documents
                         if d.action == "transmittal"],
    }
