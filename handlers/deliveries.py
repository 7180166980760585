"""Deliveries seen by the coordinator: failures reported as they happen, the queue on request."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from actions.model import Actor, Args, Outcome, Status, done, refused
from core.messages import ChatRef, Outgoing
from core.texts import Html, preview
from handlers.context import Job, Services
from storage.models import Account, OutboxMessage, OutboxStatus, Question

WINDOW_CLOSED = "window_closed"  # the failure reason of a message held outside a reply window
WHY = re.compile(r"^outside the reply window \[(delivery_why_[a-z_]+)\] ")


def window_error(why: str, detail: str) -> str:
    """The error a channel gives a message refused outside its reply window (`handlers/reply_window.py`);
    `why` is the catalogue key of the reason, which staff read instead of the marker."""
    return f"outside the reply window [{why}] {detail}"


def hold_why(error: str) -> str:
    """The catalogue key of why a message is held, from its error (`window_error`)."""
    found = WHY.search(error)
    return found.group(1) if found else "delivery_why_window"


def shown_error(row: OutboxMessage) -> str:
    """A failed message's error as staff see it: without the catalogue key a held one carries."""
    return WHY.sub("outside the reply window: ", row.error or "")


def report_failure(services: Services, session: Session, row: OutboxMessage, now: datetime) -> None:
    """Tell the coordinator that a message could not be delivered, and to whom it was.

    A person who blocked the bot is marked, so broadcasts skip them until they write again.
    Broadcast copies are counted in the broadcast's own report instead, not one by one.
    """
    if row.failure_reason == "blocked":
        mark_blocked(session, row, now)
    coordinator = services.settings.coordinator_chat
    if ChatRef(row.platform, row.chat_id) == coordinator or row.broadcast_id is not None:
        return  # nowhere else to report it; it stays in /failed
    language = services.settings.default_language
    html = services.texts.render(language, "delivery_failed", id=row.id, recipient=recipient(services, session, row),
                                 error=preview(shown_error(row), 300))
    services.outbox.enqueue(session, Outgoing(coordinator, html), now)


def mark_blocked(session: Session, row: OutboxMessage, now: datetime) -> None:
    session.execute(
        update(Account).where(Account.platform == row.platform, Account.chat_id == row.chat_id,
                              Account.blocked_at.is_(None))
        .values(blocked_at=now).execution_options(synchronize_session=False)
    )


def recipient(services: Services, session: Session, row: OutboxMessage) -> str:
    """Who a message was for, as staff may see it: a department, a question's asker, never a platform id."""
    department = services.settings.department_for_chat(ChatRef(row.platform, row.chat_id))
    if department is not None:
        return department.name
    question = session.get(Question, row.question_id) if row.question_id else None
    language = services.settings.default_language
    if question is not None and question.code:
        return services.texts.render(language, "asker_of", code=question.code)
    return services.texts.render(language, "someone_asking")


def show_queue(job: Job, actor: Actor, args: Args) -> Outcome:
    counts = job.session.execute(
        select(OutboxMessage.platform, OutboxMessage.status, func.count())
        .group_by(OutboxMessage.platform, OutboxMessage.status)
        .order_by(OutboxMessage.platform, OutboxMessage.status)
    ).all()
    lines = [job.text(job.staff_language, "queue_item", platform=job.label("channel", platform),
                      status=job.label("outbox_state", status), count=count)
             for platform, status, count in counts]
    return done("queue_status", counts=Html("\n".join(lines)) or "0")


def show_failed(job: Job, actor: Actor, args: Args, limit: int = 10) -> Outcome:
    rows: Sequence[OutboxMessage] = job.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc()).limit(limit)
    ).all()
    if not rows:
        return done("failed_empty")
    language = job.staff_language
    items = [job.text(language, "failed_item", id=row.id, recipient=recipient(job.services, job.session, row),
                      error=preview(shown_error(row), 200)) for row in rows]
    return Outcome(Status.DONE, "failed_header", html=Html("\n".join([job.text(language, "failed_header"), *items])))


def resend(job: Job, actor: Actor, args: Args) -> Outcome:
    row_id = args["id"]
    row = job.session.get(OutboxMessage, int(row_id)) if row_id.isdigit() else None
    if row is None or row.status != OutboxStatus.FAILED:
        return refused("resend_unknown", id=row_id)
    row.status = OutboxStatus.PENDING
    row.not_before = job.now
    row.attempts = 0
    return done("resend_done", id=row.id)
