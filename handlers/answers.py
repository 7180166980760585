"""A department's work on its questions: answer (by replying to the card, or from the web), add to an
answer, correct it by editing, reassign, reject, and list what is open."""

from __future__ import annotations

from dataclasses import dataclass

from actions.model import Actor, Args, Choice, Outcome, Status, done, refused
from core.config import Department
from core.messages import ChatRef
from handlers import routing
from handlers.context import Context, Job, questions_listing
from handlers.delivery_notices import watch_delivery
from handlers.followers import tell_answer, tell_supporters
from storage.models import Answer, AnswerRevision, LinkRole, Question, QuestionStatus
from storage.questions import add_event, answer_by_message, open_for_department
from timing.planner import plan_usefulness_question

ANSWERED_BY_REPLY = frozenset({LinkRole.CARD, LinkRole.FOLLOWUP, LinkRole.DIGEST})  # what officers answer


@dataclass(frozen=True)
class Source:
    """The officer's chat message an answer was written in (kept so that editing it corrects the answer);
    empty from the web."""

    platform: str = ""
    chat_id: str = ""
    message_id: str = ""


def closed(job: Job, question: Question, open_only: bool) -> Outcome | None:
    """A department's work is on forwarded questions: answers (and additions) are welcome until the question
    is closed; reassigning and rejecting only while it waits for its answer (`open_only`). Questions still
    in review, or rejected or merged, are refused."""
    workable = (QuestionStatus.FORWARDED,) + (() if open_only else (QuestionStatus.ANSWERED,))
    if question.status in workable and question.department_key:
        return None
    language = job.staff_language
    return refused("question_closed", question.id, code=question.code,
                   status=routing.status_name(job, language, question))


def department_of(job: Job, question: Question) -> Department:
    department = job.settings.department(question.department_key or "")
    assert department is not None, "a question staff act on has a department"
    return department


def answer(job: Job, actor: Actor, args: Args) -> Outcome:
    """An officer's answer, sent to the asker and supporters. `addition` (a reply to the bot's notice
    about an answered question; from the web, any answer after the first) adds to the answer instead."""
    question: Question = args["question"]
    text: str = args["text"]
    source: Source = args.get("source") or Source()
    if (refusal := closed(job, question, open_only=False)) is not None:
        return refusal
    department = department_of(job, question)
    addition = args.get("addition", bool(question.answers))
    question.answers.append(Answer(
        department_key=department.key, platform=source.platform, chat_id=source.chat_id,
        message_id=source.message_id, officer=actor.who, officer_name=actor.name, text=text, created_at=job.now,
    ))
    chat = ChatRef(source.platform, source.chat_id) if source.chat_id else department.primary_chat
    if addition:
        add_event(question, "answer_added", job.now, actor.who)
        tell_asker(job, question, "addition", chat, department=department.name, answer=text)
        tell_supporters(job, question, "answer_addition", department=department.name, answer=text)
        return Outcome(Status.DONE, "answer_added", {"code": question.code}, question.id, quiet=True)
    question.status = QuestionStatus.ANSWERED
    question.answered_at = question.answered_at or job.now
    add_event(question, "answered", job.now, actor.who)
    plan_usefulness_question(job.session, job.settings, job.campaign, question, job.now)
    tell_asker(job, question, "answer", chat, department=department.name, answer=text)
    tell_supporters(job, question, "answer_delivery", department=department.name, answer=text)
    return Outcome(Status.DONE, "answer_recorded", {"code": question.code}, question.id, quiet=True)


def tell_asker(job: Job, question: Question, kind: str, chat: ChatRef, **values: object) -> None:
    """Send the asker an answer or correction; `chat` hears what became of it when that is known."""
    before = len(job.enqueued)
    tell_answer(job, question.account, question, "answer_delivery" if kind == "answer" else f"answer_{kind}",
                **values)
    watch_delivery(job, question, kind, job.enqueued[before:], chat)


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
    tell_asker(ctx, question, "correction", incoming.chat, department=department.name, answer=text)
    tell_supporters(ctx, question, "answer_correction", department=department.name, answer=text)


def reassign(job: Job, actor: Actor, args: Args) -> Outcome:
    """To the named department; without one, the outcome offers the others (to press, or to reply with a key)."""
    question: Question = args["question"]
    target: Department | None = args["department"]
    if (refusal := closed(job, question, open_only=True)) is not None:
        return refusal
    current = department_of(job, question)
    if target is None:
        choices = tuple((Choice(d.name, "reassign", (str(question.id), d.key)),)
                        for d in job.settings.departments if d.key != current.key)
        return Outcome(Status.DONE, "choose_department", {"code": question.code}, question.id, choices=choices,
                       awaits=LinkRole.REASSIGN)
    if target.key == current.key:
        return refused("same_department", question.id, code=question.code, department=target.name)
    routing.reassign(job, question, target, actor=actor.who)
    return Outcome(Status.DONE, "reassigned_done", {"code": question.code, "department": target.name}, question.id,
                   quiet=True, detail={"source": current.key, "target": target.key})


def reject(job: Job, actor: Actor, args: Args) -> Outcome:
    """Out of scope, with the reason the asker reads; without a reason the outcome asks for it."""
    question: Question = args["question"]
    reason: str | None = args["reason"]
    if (refusal := closed(job, question, open_only=True)) is not None:
        return refusal
    if not reason:
        return Outcome(Status.DONE, "reject_prompt", {"code": question.code}, question.id, awaits=LinkRole.REJECT)
    routing.reject(job, question, reason, actor=actor.who)
    return done("rejected_done", question.id, code=question.code)


def list_pending(job: Job, actor: Actor, args: Args) -> Outcome:
    questions = open_for_department(job.session, actor.department or "", job.campaign.id)
    return questions_listing(job, questions, header="pending_header", empty="pending_empty")
