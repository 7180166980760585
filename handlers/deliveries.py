"""Deliveries seen by the coordinator: failures reported as they happen, the queue on request."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.messages import ChatRef, Outgoing
from core.texts import Html, preview
from handlers.context import Context, Services
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


def show_queue(ctx: Context) -> None:
    counts = ctx.session.execute(
        select(OutboxMessage.platform, OutboxMessage.status, func.count())
        .group_by(OutboxMessage.platform, OutboxMessage.status)
        .order_by(OutboxMessage.platform, OutboxMessage.status)
    ).all()
    language = ctx.staff_language
    lines = [ctx.text(language, "queue_item", platform=ctx.label("channel", platform),
                      status=ctx.label("outbox_state", status), count=count)
             for platform, status, count in counts]
    ctx.reply(language, "queue_status", counts=Html("\n".join(lines)) or "0")


def show_failed(ctx: Context, limit: int = 10) -> None:
    rows: Sequence[OutboxMessage] = ctx.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc()).limit(limit)
    ).all()
    language = ctx.staff_language
    if not rows:
        ctx.reply(language, "failed_empty")
        return
    items = [ctx.text(language, "failed_item", id=row.id, recipient=recipient(ctx.services, ctx.session, row),
                      error=preview(shown_error(row), 200)) for row in rows]
    ctx.send(ctx.incoming.chat, "\n".join([ctx.text(language, "failed_header"), *items]))


def resend(ctx: Context, row_id: str) -> None:
    row = ctx.session.get(OutboxMessage, int(row_id)) if row_id.isdigit() else None
    language = ctx.staff_language
    if row is None or row.status != OutboxStatus.FAILED:
        ctx.reply(language, "resend_unknown", id=row_id)
        return
    row.status = OutboxStatus.PENDING
    row.not_before = ctx.now
    row.attempts = 0
    ctx.reply(language, "resend_done", id=row.id)
