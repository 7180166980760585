"""Last year's promises on the web (/console/commitments): every campaign's commitments with their status,
filtered in the URL; the responsible department updates its own through the `commitment` action (admins
and the coordinator any), viewers read. Officers see their own department's only, whatever the URL says."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from actions.model import Actor, Outcome, Surface
from actions.perform import perform
from actions.permissions import allowed, may_act_for
from actions.table import action_named
from core.config import Settings
from handlers.context import Writer
from reports.commitments import STATUSES as SUMMARY
from reports.commitments import promised_by
from storage.commitments import OVERDUE, listed, shown_status
from storage.models import Campaign, Commitment, CommitmentStatus, StaffRole
from webconsole.acting import actor_of, outcome_text
from webconsole.auth import Forbidden, Staff, check_csrf, form_endpoint, signed_in
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import Console, console_of

STATUSES = tuple(str(s) for s in CommitmentStatus)  # what a department sets; overdue is derived


@dataclass(frozen=True)
class CommitmentFilter:
    """What the URL asks for; an officer's department is theirs whatever it says."""

    campaign: int | None = None
    department: str = ""
    status: str = ""  # one of STATUSES
    overdue: bool = False

    def keeps(self, commitment: Commitment, today: date) -> bool:
        return ((self.campaign is None or commitment.campaign_id == self.campaign)
                and (not self.department or commitment.department_key == self.department)
                and (not self.status or commitment.status == self.status)
                and (not self.overdue or shown_status(commitment, today) == OVERDUE))

    def query(self) -> str:
        values = {"campaign": self.campaign or "", "department": self.department, "status": self.status,
                  "overdue": "1" if self.overdue else ""}
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class CommitmentLine:
    number: int
    campaign: str
    code: str
    linked: bool  # a question of the current campaign has a page
    question: str
    promised_by: str  # the leader at the dialogue, else the department that answered
    what: str
    department: str
    due: str
    status: str  # the stored one, for the form
    shown: str  # pending, in_progress, done or overdue
    note: str
    updated: str
    may_update: bool


def commitments_page(request: Request) -> Response:
    staff = signed_in(request)
    return _response(request, staff)


@form_endpoint
def update_commitment(request: Request, form: FormData) -> Response:
    """One row's form: checked (session, CSRF, a role that changes things), done through `perform`, which
    refuses another department's commitment; then the list again with what came of it."""
    staff = signed_in(request)
    check_csrf(request, staff, form)
    if staff.read_only:
        raise Forbidden
    console = console_of(request)
    label = str(role_label(translator(request), console.app.settings, staff))
    args = {"number": request.path_params["number"], "status": str(form.get("status", "")).strip(),
            "note": str(form.get("note", "")).strip()}
    with console.transaction() as session:
        outcome = perform(Writer(console.app.services, session, console.now()), console.campaign(session),
                          actor_of(staff, label), "commitment", args, Surface.WEB)
    return _response(request, staff, outcome)


def _response(request: Request, staff: Staff, outcome: Outcome | None = None) -> Response:
    console = console_of(request)
    settings = console.app.settings
    wanted = _filter(request, staff, settings)
    with console.transaction() as session:
        lines = _lines(session, console, staff, wanted)
        campaigns = [(c.id, c.name) for c in session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))]
    flash = outcome_text(console.app.services, language_of(request), outcome) if outcome else Markup("")
    return page(request, "commitments.html", staff, status=400 if outcome and not outcome.ok else 200,
                lines=lines, counts=_counts(lines), filter=wanted, query=wanted.query(), campaigns=campaigns, statuses=STATUSES,
                departments=[(d.key, d.name) for d in settings.departments],
                officer=staff.role == StaffRole.OFFICER, flash=flash, flash_ok=outcome is None or outcome.ok)


def _counts(lines: list[CommitmentLine]) -> dict[str, int]:
    """The report's summary of what is listed: how many done, in progress, not started, overdue."""
    shown = Counter(line.shown for line in lines)
    return {status: shown.get(status, 0) for status in SUMMARY}


def _filter(request: Request, staff: Staff, settings: Settings) -> CommitmentFilter:
    params = request.query_params
    campaign = params.get("campaign", "")
    department = params.get("department", "")
    if staff.role == StaffRole.OFFICER:
        department = staff.department_key or ""
    elif settings.department(department) is None:
        department = ""
    status = params.get("status", "")
    return CommitmentFilter(int(campaign) if campaign.isdigit() else None, department,
                            status if status in STATUSES else "", params.get("overdue") == "1")


def _lines(session: Session, console: Console, staff: Staff, wanted: CommitmentFilter) -> list[CommitmentLine]:
    writer = Writer(console.app.services, session, console.now())
    today, current = writer.local_today(), console.app.processor.campaign_id
    actor = actor_of(staff, "")
    action = action_named("commitment")
    may_update = action is not None and allowed(action, actor)
    own = staff.department_key if staff.role == StaffRole.OFFICER else None
    return [_line(writer, actor, c, today, current, may_update) for c in listed(session, own)
            if wanted.keeps(c, today)]


def _line(writer: Writer, actor: Actor, commitment: Commitment, today: date, current: int,
          may_update: bool) -> CommitmentLine:
    department = writer.settings.department(commitment.department_key)
    return CommitmentLine(
        number=commitment.id, campaign=commitment.campaign.name, code=commitment.question.code or "",
        linked=commitment.campaign_id == current, question=commitment.question.text,
        promised_by=promised_by(writer.settings, commitment), what=commitment.what,
        department=department.name if department else commitment.department_key,
        due=commitment.due_on.strftime("%d/%m/%Y"), status=str(commitment.status),
        shown=shown_status(commitment, today), note=commitment.note,
        updated=writer.local(commitment.updated_at) if commitment.updated_at else "",
        may_update=may_update and may_act_for(actor, commitment.department_key))
