"""Honouring exemplary youth on the console: a unit's nomination form with evidence files, the list where
admins shortlist, order and withdraw, the evidence downloads and the programme annex.

Every change is an action performed through `actions.perform` (nomination_add, shortlist, unshortlist,
programme), so who may do it is the action table's word and each one is audited. Evidence is served only
as a download: `Content-Disposition: attachment`, one of three checked types, nosniff."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from actions.model import Outcome, Surface
from actions.perform import perform
from actions.permissions import allowed
from actions.table import action_named
from handlers.context import Writer
from handlers.evidence import MAGIC, MAX_BYTES, MAX_FILES, Upload, safe_name
from handlers.nominations import CONFIRMED, UNIT_DECLARED
from storage.models import Nomination, NominationStatus, StaffRole
from storage.nominations import evidence_file, of_campaign
from webconsole.acting import actor_of, outcome_text
from webconsole.auth import Staff, check_csrf, form_endpoint, signed_in
from webconsole.downloads import attachment
from webconsole.pages import NotFound
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import console_of

ROLES = (StaffRole.ADMIN, StaffRole.COORDINATOR)  # the Youth Union and Home Affairs; no district union role
FIELDS = ("name", "unit", "achievement")
SERVED_TYPES = frozenset(mime for _magic, mime, _suffix in MAGIC)
MAX_REQUEST = MAX_FILES * MAX_BYTES + 64 * 1024  # the files and the form's few fields
ORDERING = {"shortlist": "shortlist", "up": "shortlist", "down": "shortlist", "withdraw": "unshortlist"}


@dataclass
class Row:
    number: int
    name: str
    unit: str
    achievement: str
    rank: int | None
    consent: Markup
    confirmed: bool
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, download path) of console uploads
    chat_files: int = 0  # kept on the chat platform by id: counted, not downloadable here


def nominations_page(request: Request, flash: Markup | None = None, ok: bool = True) -> Response:
    staff = signed_in(request, *ROLES)
    console = console_of(request)
    t = translator(request)
    with console.transaction() as session:
        rows = [_row(t, n) for n in of_campaign(session, console.app.processor.campaign_id)]
    shortlisted = [r for r in rows if r.rank is not None]
    added = request.query_params.get("added", "")
    if flash is None and added.isdigit():
        flash = t("console_nom_added", number=int(added))
    return page(request, "nominations.html", staff, status=200 if ok else 400, shortlisted=shortlisted,
                others=[r for r in rows if r.rank is None], may_order=_may(staff, "shortlist"),
                may_export=_may(staff, "programme"), flash=flash, flash_ok=ok)


def _row(t: Any, nomination: Nomination) -> Row:
    uploads = [e for e in nomination.evidence if e.get("platform") == "web"]
    return Row(nomination.id, nomination.nominee_name, nomination.unit, nomination.achievement,
               nomination.rank if nomination.status == NominationStatus.SHORTLISTED else None,
               t(_consent_key(nomination)), nomination.consent_confirmed_at is not None,
               [(e["file_name"], f"/console/nominations/{nomination.id}/evidence/{e['file_ref']}") for e in uploads],
               len(nomination.evidence) - len(uploads))


def _consent_key(nomination: Nomination) -> str:
    if nomination.consent_confirmed_at is None:
        return "console_nom_consent_pending"
    return {CONFIRMED: "console_nom_consent_nominee", UNIT_DECLARED: "console_nom_consent_unit"}.get(
        nomination.consent_note, "console_nom_consent_proposer")


def _may(staff: Staff, name: str) -> bool:
    action = action_named(name)
    return action is not None and allowed(action, actor_of(staff, ""))


@form_endpoint
def order(request: Request, form: FormData) -> Response:
    """Shortlist, move up or down, withdraw: `do` and the nomination's `number`."""
    staff = signed_in(request, *ROLES)
    check_csrf(request, staff, form)
    do, number, rank = str(form.get("do", "")), str(form.get("number", "")), str(form.get("rank", ""))
    if do not in ORDERING or not number.isdigit() or (do in ("up", "down") and not rank.isdigit()):
        raise NotFound
    args = {"number": number}
    if do in ("up", "down"):
        args["position"] = str(int(rank) + (-1 if do == "up" else 1))
    outcome = _perform(request, staff, ORDERING[do], args)
    if outcome.ok:
        return RedirectResponse(f"/console/nominations#n{number}", status_code=303)
    return nominations_page(request, _flash(request, outcome), ok=False)


@form_endpoint
def export(request: Request, form: FormData) -> Response:
    """The event's programme annex (reports/programme.py), the same document as `/programme` in chat."""
    staff = signed_in(request, *ROLES)
    check_csrf(request, staff, form)
    outcome = _perform(request, staff, "programme", {})
    if not outcome.ok or not outcome.attachments:
        return nominations_page(request, _flash(request, outcome), ok=False)
    document = outcome.attachments[0]
    return FileResponse(Path(document.path), media_type=document.mime_type,
                        headers={"content-disposition": attachment(document.file_name)})


def evidence(request: Request) -> Response:
    """One uploaded evidence file, as a download only."""
    signed_in(request, *ROLES)
    console = console_of(request)
    number, file_id = request.path_params["number"], request.path_params["file"]
    if not (number.isdigit() and file_id.isdigit()):
        raise NotFound
    with console.transaction() as session:
        stored = evidence_file(session, int(number), int(file_id))
        nomination = session.get(Nomination, int(number))
        if stored is None or nomination is None or nomination.campaign_id != console.app.processor.campaign_id:
            raise NotFound
        data, mime, name = stored.data, stored.mime_type, stored.file_name
    return Response(data, media_type=mime if mime in SERVED_TYPES else "application/octet-stream", headers={
        "content-disposition": attachment(safe_name(name)), "x-content-type-options": "nosniff"})


# --- the unit's form ------------------------------------------------------------------------------

def new_form(request: Request) -> Response:
    staff = signed_in(request, *ROLES)
    return _form_page(request, staff, {})


def _form_page(request: Request, staff: Staff, values: dict[str, str], flash: Markup | None = None,
               status: int = 200) -> Response:
    return page(request, "nomination_new.html", staff, status=status, values=values, flash=flash,
                max_files=MAX_FILES, megabytes=MAX_BYTES // (1024 * 1024))


async def create(request: Request) -> Response:
    """The form with its files: refused unread when the request is too big; each file read up to one byte
    past the limit (handlers/evidence.py refuses it), then the action in a thread."""
    staff = await run_in_threadpool(signed_in, request, *ROLES)
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_REQUEST:
        return await run_in_threadpool(_form_page, request, staff, {}, translator(request)(
            "evidence_request_too_big", megabytes=MAX_REQUEST // (1024 * 1024)), 413)
    form = await request.form(max_files=MAX_FILES + 1, max_fields=len(FIELDS) + 4)
    uploads = [Upload(item.filename or "", await item.read(MAX_BYTES + 1))
               for item in form.getlist("evidence") if isinstance(item, UploadFile)]
    return await run_in_threadpool(_create, request, staff, form, uploads)


def _create(request: Request, staff: Staff, form: FormData, uploads: list[Upload]) -> Response:
    check_csrf(request, staff, form)
    values = {name: str(form.get(name, "")) for name in FIELDS}
    args = {**values, "consent": "yes" if form.get("consent") == "yes" else ""}
    outcome = _perform(request, staff, "nomination_add", args, files=uploads)
    if outcome.ok:
        return RedirectResponse(f"/console/nominations?added={outcome.values['number']}", status_code=303)
    return _form_page(request, staff, values, _flash(request, outcome), 400)


def _perform(request: Request, staff: Staff, name: str, args: dict[str, str], **given: object) -> Outcome:
    console = console_of(request)
    label = str(role_label(translator(request), console.app.settings, staff))
    with console.transaction() as session:
        writer = Writer(console.app.services, session, console.now())
        return perform(writer, console.campaign(session), actor_of(staff, label), name, args, Surface.WEB,
                       given=given)


def _flash(request: Request, outcome: Outcome) -> Markup:
    return outcome_text(console_of(request).app.services, language_of(request), outcome)
