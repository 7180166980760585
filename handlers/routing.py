"""Sending accepted questions to the department that owns their category, and moving them on."""

from __future__ import annotations

from actions.buttons import button
from core.config import Department
from core.texts import Html, preview
from handlers.context import Job, Writer, with_deadline
from handlers.followers import tell_supporters
from storage import learning
from storage.models import LinkRole, Question, QuestionAttachment, QuestionStatus
from storage.questions import add_event
from timing.deadlines import answer_due_at, reassigned_due_at
from timing.planner import plan_for_question


def forward(ctx: Job, question: Question, actor: str) -> Department:
    """Post the question's card in its department's chat; the card is what officers reply to."""
    department = ctx.settings.department_for_category(question.category_key or ctx.settings.fallback_category)
    question.department_key = department.key
    question.status = QuestionStatus.FORWARDED
    question.forwarded_at = question.forwarded_at or ctx.now
    question.answer_due_at = answer_due_at(ctx.settings, ctx.now, question.category_key, department.key)
    add_event(question, "forwarded", ctx.now, actor, department=department.key)
    plan_for_question(ctx.session, ctx.settings, ctx.campaign, question, ctx.now)
    post_card(ctx, question, department, lead=Html(""))
    return department


def card_html(writer: Writer, question: Question, template: str = "card") -> Html:
    """What officers read of a question: on its card, and (`digest_entry`, without the card's footer on
    how to answer, which the digest says once) in a digest of several."""
    language = writer.staff_language
    category = writer.settings.category(question.category_key or "")
    district = writer.settings.district(question.district_key)
    asker = Html("")
    if writer.settings.show_identity_to_departments:
        asker = writer.text(language, "card_asker", name=question.account.display_name or question.account.key)
    html = writer.text(
        language, template,
        code=question.code,
        district=district.name if district else question.district_key,
        category=category.name(language) if category else question.category_key,
        asker=asker,
        text=question.text,
    )
    if question.attachments:
        html = Html(f"{html}\n{writer.text(language, 'card_attachments', count=len(question.attachments))}")
    if question.language != language and question.language in writer.settings.languages:
        written_in = writer.text(language, f"language_{question.language}")
        html = Html(f"{html}\n{writer.text(language, 'card_language', written_in=written_in)}")
    return with_deadline(html, writer.deadline(language, question))


def post_card(ctx: Writer, question: Question, department: Department, lead: Html) -> None:
    language = ctx.staff_language
    html = card_html(ctx, question)
    buttons = ((
        button(ctx.session, ctx.services.texts.plain(language, "reassign_button"), "reassign", question.id),
        button(ctx.session, ctx.services.texts.plain(language, "reject_button"), "reject", question.id),
    ),)
    platform = department.primary_chat.platform
    attachments = tuple(a.to_message() for a in question.attachments if _sendable(ctx, a, platform))
    topic = f"{question.code} · {preview(question.text, 80)}" if department.topic_per_question else ""
    ctx.send(department.primary_chat, Html(lead + html), buttons, attachments=attachments,
             question=question, link_role=LinkRole.CARD, new_topic=topic)


def post_followup(ctx: Writer, question: Question, text: str, actor: str) -> Department:
    department = ctx.settings.department(question.department_key or "")
    assert department is not None
    question.status = QuestionStatus.FORWARDED
    add_event(question, "followup", ctx.now, actor, text=text)
    html = ctx.text(ctx.staff_language, "followup_card", code=question.code, text=text)
    ctx.send(department.primary_chat, html, question=question, link_role=LinkRole.FOLLOWUP)
    return department


def reassign(ctx: Job, question: Question, target: Department, actor: str) -> None:
    source = ctx.settings.department(question.department_key or "")
    question.department_key = target.key
    question.answer_due_at = reassigned_due_at(ctx.settings, question.answer_due_at, ctx.now,
                                               question.category_key, target.key)
    question.overdue_at = question.very_overdue_at = None  # the new department starts on time
    add_event(question, "reassigned", ctx.now, actor, source=source.key if source else None, target=target.key)
    if target.categories and question.category_key not in target.categories:
        learning.record_category(ctx.session, question, target.categories[0], learning.REASSIGNED, ctx.now)
    plan_for_question(ctx.session, ctx.settings, ctx.campaign, question, ctx.now)
    language = ctx.staff_language
    if source is not None:
        ctx.send(source.primary_chat, ctx.text(language, "reassigned_away", code=question.code, department=target.name))
    lead = ctx.text(language, "reassigned_here", code=question.code,
                    from_department=source.name if source else "")
    post_card(ctx, question, target, lead=Html(lead + "\n\n"))
    ctx.tell_account(question.account, "reassigned_notice", question=question, link_role=LinkRole.NOTICE,
                     code=question.code, department=target.name)
    tell_supporters(ctx, question, "reassigned_notice", department=target.name)


def reject(ctx: Writer, question: Question, reason: str, actor: str) -> None:
    question.status = QuestionStatus.REJECTED
    question.rejection_reason = reason
    add_event(question, "rejected", ctx.now, actor, reason=reason)
    ctx.tell_account(question.account, "rejected_notice", question=question, link_role=LinkRole.NOTICE,
                     code=question.code, reason=reason)
    tell_supporters(ctx, question, "rejected_notice", reason=reason)


def status_name(ctx: Writer, language: str, question: Question) -> str:
    return ctx.services.texts.plain(language, f"status_{question.status}")


def _sendable(ctx: Writer, attachment: QuestionAttachment, platform: str) -> bool:
    """A file id means something only on its own platform; a public address on any."""
    return attachment.platform == platform or ctx.services.channel(attachment.platform).public_files
