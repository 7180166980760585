"""A department's chat: officers answer by replying, reassign, reject, and list what is open."""

from __future__ import annotations

from core.config import Department
from core.messages import Button
from handlers import digests, routing
from handlers.context import Context
from handlers.delivery_notices import watch_delivery
from handlers.followers import tell_answer, tell_supporters
from storage.models import Answer, AnswerRevision, LinkRole, Question, QuestionStatus
from storage.questions import (
    add_event,
    answer_by_message,
    find_by_code,
    linked_question,
    open_for_department,
)
from timing.planner import plan_usefulness_question

ANSWERED_BY_REPLY = frozenset({LinkRole.CARD, LinkRole.FOLLOWUP, LinkRole.DIGEST})  # link roles of what officers answer


def receive_reply(ctx: Context, department: Department) -> None:
    """A reply to one of the bot's messages in a department chat: an answer to a card, a rejection
    reason, or, to any other message of the bot about a question (the confirmation that an answer
    was sent), more to add to that answer."""
    incoming = ctx.incoming
    found = linked_question(ctx.session, incoming.platform, incoming.chat_id, incoming.reply_to_message_id)
    if found is None:
        return  # officers talking among themselves
    question, role = found
    text = incoming.text.strip()
    if role in (LinkRole.DIGEST, LinkRole.NOTICES):
        named, text = digests.question_of_reply(ctx, question)
        if named is None:
            return
        question = named
    if not may_act(ctx, department, question, open_only=role == LinkRole.REJECT):
        return
    if not text:
        ctx.reply(ctx.staff_language, "answer_empty")
        return
    if role == LinkRole.REJECT:
        routing.reject(ctx, question, text, actor=incoming.account_key)
        ctx.reply(ctx.staff_language, "rejected_done", code=question.code)
    elif role in ANSWERED_BY_REPLY or not question.answers:
        record_answer(ctx, department, question, text)
    else:
        add_to_answer(ctx, department, question, text)


def may_act(ctx: Context, department: Department, question: Question, open_only: bool = False) -> bool:
    """Only the chat that holds a question, and its listed officers if any, may act on it.

    Answers (and corrections) are welcome until the question is closed; reassigning and
    rejecting only while it waits for its answer (`open_only`).
    """
    language = ctx.staff_language
    if department.officers and ctx.incoming.account_key not in department.officers:
        ctx.reply(language, "not_an_officer", department=department.name)
        return False
    closed = (QuestionStatus.REJECTED, QuestionStatus.MERGED) + ((QuestionStatus.ANSWERED,) if open_only else ())
    if question.status in closed:
        ctx.reply(language, "question_closed", code=question.code,
                  status=routing.status_name(ctx, language, question))
        return False
    if question.department_key != department.key:
        holder = ctx.settings.department(question.department_key or "")
        ctx.reply(language, "wrong_department", code=question.code,
                  department=holder.name if holder else question.department_key)
        return False
    return True


def record_answer(ctx: Context, department: Department, question: Question, text: str) -> None:
    incoming = ctx.incoming
    question.answers.append(Answer(
        department_key=department.key, platform=incoming.platform, chat_id=incoming.chat_id,
        message_id=incoming.message_id, officer=incoming.account_key, officer_name=incoming.user_name,
        text=text, created_at=ctx.now,
    ))
    question.status = QuestionStatus.ANSWERED
    question.answered_at = question.answered_at or ctx.now
    add_event(question, "answered", ctx.now, incoming.account_key)
    plan_usefulness_question(ctx.session, ctx.settings, ctx.campaign, question, ctx.now)
    tell_asker(ctx, question, "answer", department=department.name, answer=text)
    tell_supporters(ctx, question, "answer_delivery", department=department.name, answer=text)


def tell_asker(ctx: Context, question: Question, kind: str, **values: object) -> None:
    """Send the asker an answer or correction; the department hears what became of it when that is known."""
    before = len(ctx.enqueued)
    tell_answer(ctx, question.account, question, "answer_delivery" if kind == "answer" else f"answer_{kind}",
                **values)
    watch_delivery(ctx, question, kind, ctx.enqueued[before:])


def add_to_answer(ctx: Context, department: Department, question: Question, text: str) -> None:
    """More to say on an answer already sent: kept as a part of the answer, and sent to the asker
    (and supporters) as an addition rather than as a second answer."""
    incoming = ctx.incoming
    question.answers.append(Answer(
        department_key=department.key, platform=incoming.platform, chat_id=incoming.chat_id,
        message_id=incoming.message_id, officer=incoming.account_key, officer_name=incoming.user_name,
        text=text, created_at=ctx.now,
    ))
    add_event(question, "answer_added", ctx.now, incoming.account_key)
    tell_asker(ctx, question, "addition", department=department.name, answer=text)
    tell_supporters(ctx, question, "answer_addition", department=department.name, answer=text)


def receive_answer_edit(ctx: Context, department: Department) -> None:
    """An officer edited an answer already delivered: keep the old text, send a correction."""
    incoming = ctx.incoming
    answer = answer_by_message(ctx.session, incoming.platform, incoming.chat_id, incoming.message_id)
    text = incoming.text.strip()
    if answer is None or not text or text == answer.text:
        return
    answer.revisions.append(AnswerRevision(text=answer.text, at=answer.edited_at or answer.created_at))
    answer.text = text
    answer.edited_at = ctx.now
    question = ctx.session.get_one(Question, answer.question_id)
    add_event(question, "answer_edited", ctx.now, incoming.account_key, answer_id=answer.id)
    tell_asker(ctx, question, "correction", department=department.name, answer=text)
    tell_supporters(ctx, question, "answer_correction", department=department.name, answer=text)


def press_button(ctx: Context, department: Department, action: str, question: Question, argument: str) -> None:
    if not may_act(ctx, department, question, open_only=True):
        return
    language = ctx.staff_language
    if action == "reassign":
        buttons = tuple((Button(d.name, f"reassign_to:{question.id}:{d.key}"),)
                        for d in ctx.settings.departments if d.key != department.key)
        ctx.prompt(ctx.text(language, "choose_department", code=question.code), buttons)
    elif action == "reassign_to":
        reassign(ctx, department, question, argument)
    elif action == "reject" and argument:
        routing.reject(ctx, question, argument, actor=ctx.incoming.account_key)
        ctx.reply(language, "rejected_done", code=question.code)
    elif action == "reject":
        ctx.prompt(ctx.text(language, "reject_prompt", code=question.code), question=question,
                   link_role=LinkRole.REJECT)


def reassign(ctx: Context, department: Department, question: Question, target_key: str) -> None:
    target = ctx.settings.department(target_key)
    if target is None:
        ctx.reply(ctx.staff_language, "button_stale")
        return
    if target.key == department.key:
        ctx.reply(ctx.staff_language, "same_department", code=question.code, department=target.name)
        return
    routing.reassign(ctx, question, target, actor=ctx.incoming.account_key)


def run_command(ctx: Context, department: Department, command: str, arguments: list[str]) -> None:
    """Typed forms of the buttons: /pending, /reassign CODE [department], /reject CODE [reason]."""
    language = ctx.staff_language
    if command == "/pending":
        list_pending(ctx, department)
        return
    if not arguments:
        ctx.reply(language, "officer_usage")
        return
    question = find_by_code(ctx.session, arguments[0], ctx.campaign.id)
    if question is None:
        ctx.reply(language, "code_unknown", code=arguments[0])
        return
    action = "reassign_to" if command == "/reassign" and len(arguments) > 1 else command.lstrip("/")
    press_button(ctx, department, action, question, " ".join(arguments[1:]))


def list_pending(ctx: Context, department: Department) -> None:
    questions = open_for_department(ctx.session, department.key, ctx.campaign.id)
    ctx.list_questions(questions, header="pending_header", empty="pending_empty")
