"""Followers of a question (supporters and askers of merged duplicates) receive what its asker receives."""

from __future__ import annotations

from actions.buttons import button
from handlers.context import Writer, question_language
from storage.curation import latest_answer, supporters
from storage.models import Account, Answer, AnswerSource, LinkRole, Question, QuestionStatus

# What an answer, an addition or a correction says where replies carry no reference (Zalo).
NUMBERED = {"answer_delivery": "answer_delivery_numbered", "answer_addition": "answer_addition_numbered",
            "answer_correction": "answer_correction_numbered"}


def send_existing_answer(ctx: Writer, question: Question, account: Account) -> None:
    """Someone who starts following an answered question receives its answer at once."""
    answer = latest_answer(ctx.session, question.id) if question.status == QuestionStatus.ANSWERED else None
    if answer is not None:
        tell_follower(ctx, question, account, answer)


def tell_follower(ctx: Writer, question: Question, account: Account, answer: Answer) -> None:
    if answer.source == AnswerSource.LIVE:
        ctx.tell_account(account, "live_delivery_by" if answer.speaker else "live_delivery", question=question,
                         link_role=LinkRole.ANSWER, code=question.code, answer=answer.text, speaker=answer.speaker)
        return
    department = ctx.settings.department(answer.department_key)
    tell_answer(ctx, account, question, department=department.name if department else answer.department_key,
                answer=answer.text)


def tell_supporters(ctx: Writer, question: Question, key: str, **values: object) -> int:
    """Send what the asker just received to everyone who follows the question; how many they are."""
    followers = supporters(ctx.session, question.id)
    for follower in followers:
        if key in NUMBERED:
            tell_answer(ctx, follower.account, question, key, **values)
        else:
            ctx.tell_account(follower.account, key, question=question, link_role=LinkRole.ANSWER, code=question.code,
                             **values)
    return len(followers)


def tell_answer(ctx: Writer, account: Account, question: Question, key: str = "answer_delivery",
                **values: object) -> None:
    """An answer (or an addition or correction to it) to the asker or a follower, to be followed up
    by reply or, where replies carry no reference (Zalo), by a numbered choice (`handlers.followups`)."""
    if ctx.services.channel(account.platform).replies:
        ctx.tell_account(account, key, question=question, link_role=LinkRole.ANSWER, code=question.code, **values)
        return
    language = question_language(ctx.settings, account, question)  # as the text above the buttons
    follow = ctx.text(language, "followup_choice", code=question.code)
    buttons = ((button(ctx.session, follow, "followup", question.id),),
               (button(ctx.session, ctx.text(language, "new_question_choice"), "ask"),))
    ctx.tell_account(account, NUMBERED[key], buttons=buttons, question=question, link_role=LinkRole.ANSWER,
                     code=question.code, **values)
