"""What a due reminder says, decided when it comes due (not when it was planned).

A nudge lists what is unanswered *now*, so nothing is said when nothing is pending; an
overdue alert checks that the question is still open and still late. Each function
returns False when there is nothing left to say, and the sweep marks the row skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.buttons import button
from actions.model import Actor, Args, Outcome, Status, done, refused
from core.messages import ChatRef
from core.texts import Html, preview
from handlers.context import Context, Job, Writer
from storage.models import (
    Account,
    LinkRole,
    MessageLink,
    Question,
    QuestionStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from storage.questions import add_event, open_for_department
from storage.reminders import WAITING, set_paused, upcoming

ACTOR = "scheduler"


def deliver(writer: Writer, reminder: Reminder) -> bool:
    """Enqueue what `reminder` has to say; False if there is nothing (any more)."""
    return KINDS[reminder.kind](writer, reminder)


def nudge_department(d: Writer, reminder: Reminder) -> bool:
    settings = d.services.settings
    department = settings.department(reminder.department_key or "")
    if department is None or reminder.campaign_id is None:
        return False
    pending = sorted(open_for_department(d.session, department.key, reminder.campaign_id),
                     key=lambda q: (q.forwarded_at or q.created_at, q.id))
    if not pending:
        return False
    lines = [d.text(d.staff_language, "nudge_item", code=q.code, text=preview(q.text, 80),
                    due=f"{d.local(q.answer_due_at)}, {d.time_left(d.staff_language, q)}" if q.answer_due_at else "")
             for q in pending]
    html = d.text(d.staff_language, "nudge_department", count=len(pending), items=Html("\n".join(lines)))
    d.send(department.primary_chat, html, reply_to=_card_id(d.session, pending[0], department.primary_chat))
    return True


def nudge(job: Job, actor: Actor, args: Args) -> Outcome:
    """The department's nudge at once (`/nudge so-ct`, the dashboard's button): the very message of the
    planned one, from a reminder that is never stored; refused when the department has nothing unanswered."""
    department = args["department"]
    reminder = Reminder(kind=ReminderKind.NUDGE, campaign_id=job.campaign.id, department_key=department.key)
    if not nudge_department(job, reminder):
        return refused("nudge_nothing", department=department.name)
    return done("nudge_sent", department=department.name)


def _card_id(session: Session, question: Question, chat: ChatRef) -> str:
    """The oldest question's card in the chat, quoted so that the nudge sits under it."""
    return session.scalar(select(MessageLink.message_id).where(
        MessageLink.question_id == question.id, MessageLink.role == LinkRole.CARD,
        MessageLink.platform == chat.platform, MessageLink.chat_id == chat.chat_id,
    ).order_by(MessageLink.id.desc()).limit(1)) or ""


def mark_overdue(d: Writer, reminder: Reminder) -> bool:
    question = _open_question(d, reminder)
    if question is None or question.overdue_at is not None or question.answer_due_at > d.now:
        return False
    question.overdue_at = d.now
    add_event(question, "overdue", d.now, ACTOR, due=question.answer_due_at.isoformat())
    department = d.settings.department(question.department_key or "")
    d.send(d.settings.coordinator_chat, d.text(
        d.staff_language, "overdue_alert", code=question.code, department=department.name if department else "",
        due=d.local(question.answer_due_at), text=preview(question.text, 120)))
    if question.late_notice_at is None:
        question.late_notice_at = d.now
        d.tell_account(question.account, "late_notice", question=question, link_role=LinkRole.NOTICE,
                       code=question.code, department=department.name if department else "")
    return True


def mark_very_overdue(d: Writer, reminder: Reminder) -> bool:
    question = _open_question(d, reminder)
    if question is None or question.overdue_at is None or question.very_overdue_at is not None:
        return False
    question.very_overdue_at = d.now
    add_event(question, "very_overdue", d.now, ACTOR)
    department = d.settings.department(question.department_key or "")
    d.send(d.settings.coordinator_chat, d.text(
        d.staff_language, "very_overdue_alert", code=question.code, department=department.name if department else "",
        due=d.local(question.answer_due_at), days=d.settings.reminders.very_overdue_days))
    return True


def _open_question(d: Writer, reminder: Reminder) -> Question | None:
    question = d.session.get(Question, reminder.question_id) if reminder.question_id else None
    if question is None or question.status != QuestionStatus.FORWARDED or question.answer_due_at is None:
        return None
    return question


def send_digest(d: Writer, reminder: Reminder) -> bool:
    """Per department: pending, overdue, answered today (local day)."""
    settings = d.services.settings
    today = d.now.astimezone(settings.timezone).replace(hour=0, minute=0, second=0, microsecond=0)
    in_campaign = Question.campaign_id == reminder.campaign_id
    counts: dict[str, list[int]] = {}
    for key, status, overdue, answered_today in d.session.execute(
        select(Question.department_key, Question.status, Question.overdue_at.is_not(None),
               Question.answered_at >= today)
        .where(in_campaign, Question.status.in_((QuestionStatus.FORWARDED, QuestionStatus.ANSWERED)))
    ):
        row = counts.setdefault(key, [0, 0, 0])
        if status == QuestionStatus.FORWARDED:
            row[0] += 1
            row[1] += bool(overdue)
        elif answered_today:
            row[2] += 1
    if not any(sum(row) for row in counts.values()):
        return False
    lines = [d.text(d.staff_language, "digest_item", department=dep.name, pending=counts[dep.key][0],
                    overdue=counts[dep.key][1], answered=counts[dep.key][2])
             for dep in settings.departments if dep.key in counts and sum(counts[dep.key])]
    d.send(settings.coordinator_chat, d.text(d.staff_language, "digest", date=today.strftime("%d/%m/%Y"),
                                             items=Html("\n".join(lines))))
    return True


def remind_event(d: Writer, reminder: Reminder) -> bool:
    account = d.session.get(Account, reminder.account_id) if reminder.account_id else None
    if account is None or account.person.banned_at is not None:
        return False
    campaign = d.settings.campaign
    key = "event_tomorrow" if reminder.kind == ReminderKind.EVENT_EVE else "event_today"
    event_at = campaign.event_at.replace(tzinfo=d.settings.timezone)
    d.tell_account(account, key, name=campaign.name, time=d.local(event_at), place=campaign.event_place)
    return True


def ask_usefulness(d: Writer, reminder: Reminder) -> bool:
    question = d.session.get(Question, reminder.question_id) if reminder.question_id else None
    if question is None or question.status != QuestionStatus.ANSWERED or question.useful is not None:
        return False
    language = question.account.person.language
    plain = d.services.texts.plain
    buttons = ((button(d.session, plain(language, "useful_yes"), "useful", question.id, "yes"),
                button(d.session, plain(language, "useful_no"), "useful", question.id, "no")),)
    d.tell_account(question.account, "useful_ask", buttons=buttons, question=question, link_role=LinkRole.NOTICE,
                   code=question.code)
    return True


KINDS: dict[ReminderKind, Callable[[Writer, Reminder], bool]] = {
    ReminderKind.NUDGE: nudge_department,
    ReminderKind.OVERDUE: mark_overdue,
    ReminderKind.VERY_OVERDUE: mark_very_overdue,
    ReminderKind.DIGEST: send_digest,
    ReminderKind.EVENT_EVE: remind_event,
    ReminderKind.EVENT_MORNING: remind_event,
    ReminderKind.USEFUL: ask_usefulness,
}


def record_usefulness(ctx: Context, account: Account, question_id: str, verdict: str) -> None:
    """The asker's yes/no on an answer, kept on the question (the last press counts)."""
    question = ctx.session.get(Question, int(question_id)) if question_id.isdigit() else None
    language = account.person.language
    if question is None or question.account_id != account.id or verdict not in ("yes", "no"):
        ctx.reply(language, "button_stale")
        return
    question.useful = verdict == "yes"
    question.useful_at = ctx.now
    add_event(question, "useful", ctx.now, account.key, useful=question.useful)
    ctx.reply(language, "useful_thanks")



# --- admin commands -----------------------------------------------------------------

def list_upcoming(job: Job, actor: Actor, args: Args, limit: int = 20) -> Outcome:
    """What will really be sent: not the reminders of closed questions or of departments with nothing pending."""
    rows = [r for r in upcoming(job.session, limit=500) if r.error or _has_something_to_say(job, r)][:limit]
    if not rows:
        return done("reminders_empty")
    language = job.staff_language
    lines = [job.text(language, "reminders_item", id=r.id, kind=job.label("reminder_kind", r.kind),
                      due=job.local(r.due_at), target=_target(job, r), status=_state(job, r)) for r in rows]
    return done("reminders_list", items=Html("\n".join(lines)))


def _has_something_to_say(writer: Writer, reminder: Reminder) -> bool:
    """The checks `deliver` makes when the reminder comes due, as they stand now."""
    question = writer.session.get(Question, reminder.question_id) if reminder.question_id else None
    if reminder.kind in (ReminderKind.OVERDUE, ReminderKind.VERY_OVERDUE):
        return question is not None and question.status == QuestionStatus.FORWARDED
    if reminder.kind == ReminderKind.USEFUL:
        return question is not None and question.status == QuestionStatus.ANSWERED and question.useful is None
    if reminder.kind == ReminderKind.NUDGE:
        return reminder.campaign_id is not None and bool(
            open_for_department(writer.session, reminder.department_key or "", reminder.campaign_id))
    return True


def _state(writer: Writer, reminder: Reminder) -> str:
    if reminder.error:
        return writer.text(writer.staff_language, "reminder_state_failed", error=preview(reminder.error, 80))
    return writer.label("reminder_state", reminder.status)


def _target(writer: Writer, reminder: Reminder) -> str:
    if reminder.department_key:
        department = writer.settings.department(reminder.department_key)
        return department.name if department else reminder.department_key
    if reminder.question_id:
        question = writer.session.get(Question, reminder.question_id)
        return question.code or "" if question else ""
    return writer.services.texts.plain(writer.staff_language, "reminders_youth")


def pause(job: Job, actor: Actor, args: Args) -> Outcome:
    return done("reminders_paused", count=set_paused(job.session, job.campaign, True, job.now))


def resume(job: Job, actor: Actor, args: Args) -> Outcome:
    return done("reminders_resumed", count=set_paused(job.session, job.campaign, False, job.now))


def send_now(job: Job, actor: Actor, args: Args) -> Outcome:
    """Send one waiting (or set aside) reminder at once, in this transaction (it is then marked sent)."""
    argument = args["id"] or ""
    reminder = job.session.get(Reminder, int(argument)) if argument.isdigit() else None
    if reminder is None or not (reminder.status in WAITING or reminder.error):
        return refused("send_now_unknown", id=argument)
    try:
        with job.session.begin_nested():
            sent = deliver(job, reminder)
    except Exception as error:  # noqa: BLE001 - the admin is told; the reminder stays set aside
        reminder.status, reminder.error = ReminderStatus.CLAIMED, f"{type(error).__name__}: {error}"
        return Outcome(Status.DONE, "send_now_failed", {"id": reminder.id, "error": preview(reminder.error, 200)})
    reminder.error = None
    reminder.status = ReminderStatus.SENT if sent else ReminderStatus.SKIPPED
    reminder.claimed_by, reminder.claimed_at, reminder.sent_at = actor.who, job.now, job.now
    return done("send_now_done" if sent else "send_now_nothing", id=reminder.id)
