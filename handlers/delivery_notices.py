"""Departments are told the truth about each answer: delivered, held, or not deliverable and why.

An officer's answer is only queued when it is recorded; what happened to it is known when the
asker's outbox rows reach a final state (storage/notices.py). The notices of a department chat
are gathered into one message when that chat has nothing else to send: a burst of answers
costs the group a message now and then, and a new card waits at most for the one in flight.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.messages import ChatRef, Outgoing
from core.texts import Html
from handlers.context import Services, Writer
from handlers.deliveries import WINDOW_CLOSED, hold_why
from storage import notices
from storage.models import LinkRole, OutboxMessage, Question

QUEUED_AFTER = timedelta(minutes=1)  # an answer still unsent by then is reported as queued, once
LINES = {
    ("answer", notices.DELIVERED): "notice_answer_delivered",
    ("correction", notices.DELIVERED): "notice_correction_delivered",
    ("addition", notices.DELIVERED): "notice_addition_delivered",
}
OUTCOME_LINES = {notices.QUEUED: "notice_queued", notices.ERASED: "notice_erased"}
WHY_FAILED = {"blocked": "delivery_why_blocked", "chat_gone": "delivery_why_chat_gone",
              "too_large": "delivery_why_too_large"}


def watch_delivery(writer: Writer, question: Question, kind: str, rows: list[OutboxMessage], chat: ChatRef) -> None:
    """Tell `chat` (where the answer came from) what becomes of the asker's message `rows`, once."""
    notices.watch(writer.session, question.id, kind, rows, chat, writer.now)


def tell_departments(services: Services, session: Session, platform: str, now: datetime) -> None:
    """The sender's gather: one message for each chat of `platform` with ready notices and nothing else to send."""
    language = services.settings.default_language
    for chat, told in notices.take_ready(session, platform, now, QUEUED_AFTER).items():
        questions = list(dict.fromkeys(item.question_id for item in told))
        # A reply to the notice adds to that answer; to a notice of several, it starts with the code.
        role = LinkRole.ANSWER_RECORDED if len(questions) == 1 else LinkRole.NOTICES
        services.outbox.enqueue(session, Outgoing(chat, render(services, language, told)), now,
                                question_id=questions[0], link_role=role)


def render(services: Services, language: str, told: list[notices.Told]) -> Html:
    """One line per kind of outcome, naming its questions' codes in order."""
    codes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in told:
        key, why = line_of(item)
        if item.code not in codes[(key, why)]:
            codes[(key, why)].append(item.code)
    lines = []
    for (key, why), line_codes in codes.items():
        values: dict[str, object] = {"codes": ", ".join(line_codes)}
        if why:
            values["why"] = services.texts.render(language, why)
        lines.append(services.texts.render(language, key, **values))
    return Html("\n".join(lines))


def line_of(item: notices.Told) -> tuple[str, str]:
    """The catalogue keys of a notice's line and of its reason."""
    if item.outcome == notices.DELIVERED:
        return LINES[(item.kind, item.outcome)], ""
    if item.outcome in OUTCOME_LINES:
        return OUTCOME_LINES[item.outcome], ""
    if item.reason == WINDOW_CLOSED:
        return "notice_held", hold_why(item.error or "")
    return "notice_failed", WHY_FAILED.get(item.reason or "", "delivery_why_other")
