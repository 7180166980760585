"""Zalo's reply window: an Official Account may write to a person only within 7 days of their
last message (free within 48 hours), and not once they unfollowed. A message refused for that
is held, not lost (failed, with reason `window_closed`): officers and the coordinator are told,
and it goes out with the person's next message (even just /my), when Zalo opens the window."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.messages import Outgoing
from core.texts import preview
from handlers.context import Context, Services
from handlers.deliveries import recipient, report_failure
from storage.models import Account, OutboxMessage, OutboxStatus

WINDOW_CLOSED = "window_closed"  # the failure reason of a held message
HOLDING_PLATFORMS = frozenset({"zalo_oa"})
ZALO_CODE = re.compile(r"window: (-\d+) ")


def report_undeliverable(services: Services, session: Session, row: OutboxMessage, now: datetime) -> None:
    """The sender's failure report for Zalo OA: held messages are explained, others reported as usual.

    The department hears of a held answer from its delivery notice (handlers/delivery_notices.py),
    once per answer. A broadcast copy is only counted in its broadcast's report: one held line per
    recipient would flood the coordinator, and old news is not worth sending weeks later.
    A message to someone with no account (erased, or not yet consented) is dropped: the welcome is
    shown again whenever a stranger writes, and nothing may wait for an erased person.
    """
    if row.failure_reason != WINDOW_CLOSED or row.broadcast_id is not None:
        report_failure(services, session, row, now)
        return
    if not _has_account(session, row):
        session.delete(row)  # erased, or never consented: nothing is kept for them, nor reported
        return
    language = services.settings.default_language
    why = services.texts.render(language, hold_why(row.error or ""))
    html = services.texts.render(language, "zalo_window_closed_report", id=row.id, why=why,
                                 recipient=recipient(services, session, row), error=preview(row.error or "", 200))
    services.outbox.enqueue(session, Outgoing(services.settings.coordinator_chat, html), now)


def hold_why(error: str) -> str:
    """The catalogue key of why Zalo holds a message, from its refusal: unfollowed, no message in 7 days, or refused.

    Zalo's -213 is "not a follower", -230 "no interaction in the past 7 days" (the sender's own
    check says "7 days" too). Anything else (48 hours, the limit of free replies to one message)
    is not told as "more than 7 days", which would be false.
    """
    code = ZALO_CODE.search(error)
    if code is not None and code.group(1) == "-213":
        return "delivery_why_unfollowed"
    if "7 days" in error:
        return "delivery_why_week"
    return "delivery_why_refused"


def _has_account(session: Session, row: OutboxMessage) -> bool:
    return session.scalar(select(Account.id).where(
        Account.platform == row.platform, Account.chat_id == row.chat_id).limit(1)) is not None


def release_held(ctx: Context, account: Account) -> None:
    """The person wrote again: what was held for them (broadcasts aside) goes out first, in its order."""
    if account.platform not in HOLDING_PLATFORMS:
        return
    held = ctx.session.scalars(select(OutboxMessage).where(
        OutboxMessage.platform == account.platform, OutboxMessage.chat_id == account.chat_id,
        OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.failure_reason == WINDOW_CLOSED,
        OutboxMessage.broadcast_id.is_(None),
    )).all()
    for row in held:
        row.status = OutboxStatus.PENDING
        row.not_before = ctx.now
        row.attempts = 0
        row.failure_reason = None
