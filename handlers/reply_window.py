"""Reply windows: some channels let the bot write to a person only for a while after their last
message (a Zalo Official Account 7 days, Messenger 24 hours), declared as the channel's
`Capabilities.reply_window`. A message refused for that is held, not lost (failed, with reason
`window_closed`): officers and the coordinator are told why, and it goes out with the person's next
message (even just /my), when the platform opens the window again.

The channel says why in the error it raises (`handlers.deliveries.window_error`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.messages import Outgoing
from core.texts import preview
from handlers.context import Context, Services
from handlers.deliveries import WINDOW_CLOSED, hold_why, recipient, report_failure, shown_error
from storage.models import Account, OutboxMessage, OutboxStatus


def report_undeliverable(services: Services, session: Session, row: OutboxMessage, now: datetime) -> None:
    """The sender's failure report on a channel with a reply window: held messages are explained,
    others reported as usual.

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
    html = services.texts.render(language, "held_report", id=row.id, why=why,
                                 recipient=recipient(services, session, row), error=preview(shown_error(row), 200))
    services.outbox.enqueue(session, Outgoing(services.settings.coordinator_chat, html), now)


def _has_account(session: Session, row: OutboxMessage) -> bool:
    return session.scalar(select(Account.id).where(
        Account.platform == row.platform, Account.chat_id == row.chat_id).limit(1)) is not None


def release_held(ctx: Context, account: Account) -> None:
    """The person wrote again: what was held for them (broadcasts aside) goes out first, in its order."""
    if ctx.services.channel(account.platform).reply_window is None:
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
