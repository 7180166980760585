"""Last year's promises followed up (issue 17, item 5): an answer marked as a commitment (what, which
department is responsible, by when), its status kept by that department, listed and reported.

`mark` and `update` work on plain inputs and refuse with a catalogue key (`Refused`), so a chat
command, the command line or a web page call them alike; the chat surface is below them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from core.config import Settings
from core.normalize import fold
from core.texts import preview
from handlers.admin import may_administer
from handlers.context import Context
from handlers.refused import Refused
from storage.commitments import listed, shown_status
from storage.curation import latest_answer, live_answer
from storage.models import Commitment, CommitmentStatus, Question
from storage.questions import add_event, find_by_code

COMMANDS = ("/commit", "/commitments", "/commitment")
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


def update(session: Session, now: datetime, commitment_id: int, department_key: str,
           status: CommitmentStatus, note: str, actor: str) -> Commitment:
    """The responsible department's word on its commitment; no other department may change it."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise Refused("commitment_unknown", number=commitment_id)
    if commitment.department_key != department_key:
        raise Refused("commitment_wrong_department", number=commitment_id)
    commitment.status = status
    commitment.note = " ".join(note.split()) or commitment.note
    commitment.updated_at, commitment.updated_by = now, actor
    add_event(commitment.question, "commitment_status", now, actor, commitment=commitment.id, status=str(status))
    return commitment


def parse_date(text: str) -> date | None:
    """30/06/2024 as people write it, or 2024-06-30."""
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


# --- the chat surface ----------------------------------------------------------------------

def claims(ctx: Context, command: str) -> bool:
    """Staff's commands: admins and the coordinator chat, and department groups; others' fall through."""
    staff = may_administer(ctx) or ctx.settings.department_for_chat(ctx.incoming.chat) is not None
    return command in COMMANDS and staff and not ctx.incoming.edited


def run_command(ctx: Context, command: str, arguments: list[str]) -> None:
    """/commit (admins, anywhere); /commitments and /commitment in a department's group (its own)."""
    department = ctx.settings.department_for_chat(ctx.incoming.chat)
    try:
        if command == "/commit" and may_administer(ctx):
            commit(ctx, arguments)
        elif command == "/commitments" and (department is not None or may_administer(ctx)):
            show(ctx, department.key if department else None)
        elif command == "/commitment" and department is not None:
            change(ctx, department.key, arguments)
        else:
            ctx.reply(ctx.staff_language, "commitment_where")
    except Refused as refused:
        ctx.reply(ctx.staff_language, refused.key, **refused.values)


def commit(ctx: Context, arguments: list[str]) -> None:
    """/commit CODE [DEPARTMENT] DD/MM/YYYY WHAT: the department defaults to the question's."""
    if len(arguments) < 3:
        raise Refused("commitment_usage")
    question = find_by_code(ctx.session, arguments[0], ctx.campaign.id)
    if question is None:
        raise Refused("code_unknown", code=arguments[0])
    rest = arguments[1:]
    department_key = question.department_key or ""
    if parse_date(rest[0]) is None:
        department_key, rest = rest[0], rest[1:]
    due_on = parse_date(rest[0]) if rest else None
    if due_on is None:
        raise Refused("commitment_usage")
    commitment = mark(ctx.session, ctx.settings, ctx.now, question, department_key, due_on, " ".join(rest[1:]),
                      ctx.incoming.account_key)
    ctx.reply(ctx.staff_language, "commitment_marked", number=commitment.id, code=question.code,
              department=_department_name(ctx, commitment), due=commitment.due_on.strftime("%d/%m/%Y"))


def change(ctx: Context, department_key: str, arguments: list[str]) -> None:
    """/commitment N chua|dang|xong [note]."""
    status = STATUS_WORDS.get(fold(arguments[1])) if len(arguments) > 1 else None
    if not arguments or not arguments[0].lstrip("#").isdigit() or status is None:
        raise Refused("commitment_status_usage")
    commitment = update(ctx.session, ctx.now, int(arguments[0].lstrip("#")), department_key, status,
                        " ".join(arguments[2:]), ctx.incoming.account_key)
    ctx.reply(ctx.staff_language, "commitment_updated", number=commitment.id,
              status=ctx.label("commitment_status", shown_status(commitment, ctx.local_today())))


def show(ctx: Context, department_key: str | None) -> None:
    language, today = ctx.staff_language, ctx.local_today()
    ctx.reply_items([ctx.text(language, "commitments_item", number=c.id, code=c.question.code,
                              campaign=c.campaign.name, what=preview(c.what, 120), department=_department_name(ctx, c),
                              due=c.due_on.strftime("%d/%m/%Y"),
                              status=ctx.label("commitment_status", shown_status(c, today)),
                              note=ctx.text(language, "commitments_note", note=c.note) if c.note else "")
                     for c in listed(ctx.session, department_key)], "commitments_header", "commitments_none")


def _department_name(ctx: Context, commitment: Commitment) -> str:
    department = ctx.settings.department(commitment.department_key)
    return department.name if department else commitment.department_key
