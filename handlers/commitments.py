"""Last year's promises followed up (issue 17, item 5): an answer marked as a commitment (what, which
department is responsible, by when), its status kept by that department, listed and reported.

`mark` and `update` work on plain inputs and refuse with a catalogue key (`Refused`); the actions below
them (declared in actions/table.py) are what a chat command, the web or the command line perform.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from actions.model import Actor, Args, Outcome, Place, done, invalid, refused
from actions.permissions import may_act_for
from core.config import Settings
from core.normalize import fold
from core.texts import preview
from handlers.context import Job, Writer, items_listing
from handlers.refused import Refused
from storage.commitments import listed, shown_status
from storage.curation import latest_answer, live_answer
from storage.models import Commitment, CommitmentStatus, Question
from storage.questions import add_event

# What a department types for a status; Vietnamese words without diacritics, or the stored keys.
STATUS_WORDS = {"chua": CommitmentStatus.PENDING, "pending": CommitmentStatus.PENDING,
                "dang": CommitmentStatus.IN_PROGRESS, "in_progress": CommitmentStatus.IN_PROGRESS,
                "xong": CommitmentStatus.DONE, "done": CommitmentStatus.DONE}


def mark(session: Session, settings: Settings, now: datetime, question: Question, department_key: str,
         due_on: date, what: str, actor: str) -> Commitment:
    """Record that the answer to `question` (the leader's at the dialogue, else the department's latest)
    promises `what` by `due_on`, `department_key` being responsible."""
    answer = live_answer(session, question.id) or latest_answer(session, question.id)
    if answer is None:
        raise Refused("commitment_not_answered", code=question.code)
    if settings.department(department_key) is None:
        raise Refused("commitment_department_unknown", department=department_key,
                      keys=", ".join(d.key for d in settings.departments))
    what = " ".join(what.split())
    if not what:
        raise Refused("commitment_usage")
    commitment = Commitment(campaign_id=question.campaign_id, question=question, answer=answer, what=what,
                            department_key=department_key, due_on=due_on, status=CommitmentStatus.PENDING,
                            note="", created_at=now, created_by=actor, updated_by="")
    session.add(commitment)
    add_event(question, "commitment", now, actor, department=department_key, due_on=due_on.isoformat())
    session.flush()
    return commitment


def update(session: Session, now: datetime, commitment_id: int, actor: Actor, status: CommitmentStatus,
           note: str) -> Commitment:
    """The responsible department's word on its commitment (admins and the coordinator may give it too);
    no other department may change it."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise Refused("commitment_unknown", number=commitment_id)
    if not may_act_for(actor, commitment.department_key):
        raise Refused("commitment_wrong_department", number=commitment_id)
    commitment.status = status
    commitment.note = " ".join(note.split()) or commitment.note
    commitment.updated_at, commitment.updated_by = now, actor.who
    add_event(commitment.question, "commitment_status", now, actor.who, commitment=commitment.id,
              status=str(status))
    return commitment


def parse_date(text: str) -> date | None:
    """30/06/2024 as people write it, or 2024-06-30."""
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


# --- actions (declared in actions/table.py) ------------------------------------------------------

def commit(job: Job, actor: Actor, args: Args) -> Outcome:
    """/commit CODE DD/MM/YYYY [DEPARTMENT-KEY] WHAT: the department defaults to the question's. The web
    names it apart (`department`), so what was promised is never read as a department's key."""
    question: Question = args["question"]
    due_on = parse_date(args["due"])
    if due_on is None:
        return invalid("commitment_due_invalid", due=args["due"])
    if due_on < job.local_today():
        return invalid("commitment_due_past", due=due_on.strftime("%d/%m/%Y"))
    department_key, what = _responsible(job, question, args)
    try:
        commitment = mark(job.session, job.settings, job.now, question, department_key, due_on, what, actor.who)
    except Refused as refusal:
        return refused(refusal.key, question.id, **refusal.values)
    outcome = done("commitment_marked", question.id, number=commitment.id, code=question.code,
                   department=_department_name(job, commitment), due=commitment.due_on.strftime("%d/%m/%Y"))
    return replace(outcome, detail={"commitment": commitment.id})


def change(job: Job, actor: Actor, args: Args) -> Outcome:
    """/commitment N chua|dang|xong [note], in the responsible department's chat (or by admins and the
    coordinator, on the web and in their chats)."""
    status = STATUS_WORDS.get(fold(args["status"]))
    if status is None:
        return invalid("commitment_status_usage")
    try:
        commitment = update(job.session, job.now, args["number"], actor, status, args["note"] or "")
    except Refused as refusal:
        return replace(refused(refusal.key, **refusal.values), detail={"commitment": args["number"]})
    outcome = done("commitment_updated", commitment.question_id, number=commitment.id,
                   status=job.label("commitment_status", shown_status(commitment, job.local_today())))
    return replace(outcome, detail={"commitment": commitment.id, "status": str(status)})


def show(job: Job, actor: Actor, args: Args) -> Outcome:
    """/commitments: a department's own, or every one for the coordinator and admins."""
    language, today = job.staff_language, job.local_today()
    own = actor.department if actor.place == Place.DEPARTMENT else None
    return items_listing(job, [
        job.text(language, "commitments_item", number=c.id, code=c.question.code, campaign=c.campaign.name,
                 what=preview(c.what, 120), department=_department_name(job, c), due=c.due_on.strftime("%d/%m/%Y"),
                 status=job.label("commitment_status", shown_status(c, today)),
                 note=job.text(language, "commitments_note", note=c.note) if c.note else "")
        for c in listed(job.session, own)], "commitments_header", "commitments_none")


def _responsible(job: Job, question: Question, args: Args) -> tuple[str, str]:
    """The responsible department's key and what was promised: named apart, else by the first word."""
    if args.get("department") is not None:
        return args["department"].key, args["what"]
    first, _, rest = args["what"].partition(" ")
    return (first, rest) if job.settings.department(first) else (question.department_key or "", args["what"])


def _department_name(writer: Writer, commitment: Commitment) -> str:
    department = writer.settings.department(commitment.department_key)
    return department.name if department else commitment.department_key
