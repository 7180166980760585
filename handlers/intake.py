"""A young person's private chat: consent, district, asking, tracking, language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from core.messages import ACCEPTED_MEDIA, Button, Incoming, MediaKind
from core.texts import Html, preview
from handlers import curation, routing
from handlers.context import Context, with_deadline
from storage.models import Account, Person, Question, QuestionAttachment, QuestionStatus
from storage.questions import (
    accepted_since,
    add_event,
    allocate_code,
    draft_of,
    linked_question,
    question_from_message,
    questions_of,
)

Buttons = tuple[tuple[Button, ...], ...]


# --- consent and profile -----------------------------------------------------------

def welcome(ctx: Context) -> None:
    """Shown before anything about the person is stored; both languages, Vietnamese first."""
    texts = ctx.services.texts
    html = "\n\n".join(ctx.text(language, "welcome", campaign=ctx.settings.campaign.name)
                       for language in ctx.settings.languages)
    buttons = ((Button(texts.plain(ctx.staff_language, "consent_yes"), "consent:yes"),
                Button(texts.plain(ctx.staff_language, "consent_no"), "consent:no")),)
    ctx.send(ctx.incoming.chat, html, buttons)


def give_consent(ctx: Context, answer: str) -> Account | None:
    incoming = ctx.incoming
    if answer != "yes":
        ctx.reply(ctx.staff_language, "consent_declined")
        return None
    person = Person(created_at=ctx.now, consent_at=ctx.now, language=ctx.settings.default_language)
    account = Account(person=person, platform=incoming.platform, user_id=incoming.user_id,
                      chat_id=incoming.chat_id, display_name=incoming.user_name, state="",
                      window_count=0, created_at=ctx.now)
    ctx.session.add(account)
    ctx.session.flush()
    ask_district(ctx, account)
    return account


def ask_district(ctx: Context, account: Account) -> None:
    buttons = tuple((Button(d.name, f"district:{d.key}"),) for d in ctx.settings.districts)
    account.state = "district"
    ctx.reply(account.person.language, "choose_district", buttons)


def set_district(ctx: Context, account: Account, key: str) -> None:
    district = ctx.settings.district(key)
    if district is None:
        ctx.reply(account.person.language, "button_stale")
        return
    account.person.district_key = key
    account.state = ""
    ctx.reply(account.person.language, "district_set", district=district.name)


def ask_language(ctx: Context) -> None:
    names = {"vi": "Tiếng Việt", "en": "English"}
    buttons = (tuple(Button(names[code], f"lang:{code}") for code in ctx.settings.languages),)
    ctx.reply(ctx.staff_language, "choose_language", buttons)


def set_language(ctx: Context, account: Account, code: str) -> None:
    if code not in ctx.settings.languages:
        ctx.reply(account.person.language, "button_stale")
        return
    account.person.language = code
    ctx.reply(code, "language_set")


# --- asking --------------------------------------------------------------------------

def receive_message(ctx: Context, account: Account) -> None:
    """A message that is not a command: a new question, or media added to the one being written."""
    incoming = ctx.incoming
    language = account.person.language
    media = [a for a in incoming.attachments if a.kind in ACCEPTED_MEDIA]
    if incoming.attachments and not media and not incoming.text.strip():
        hidden = any(a.kind == MediaKind.HIDDEN for a in incoming.attachments)
        ctx.reply(language, "hidden_content" if hidden else "unsupported_content")
        return
    if account.person.district_key is None:
        ask_district(ctx, account)
        return
    draft = draft_of(ctx.session, account)
    if draft is not None:
        if media and not incoming.text.strip():
            attach(draft, incoming)
            suggest(ctx, account, draft)
        else:
            ctx.reply(language, "draft_pending")
        return
    if not _acceptable_length(ctx, language, incoming.text.strip(), allow_short=bool(media)):
        return
    if _over_question_limit(ctx, account):
        return
    draft = start_draft(ctx, account)
    suggest(ctx, account, draft)


def _acceptable_length(ctx: Context, language: str, text: str, allow_short: bool = False) -> bool:
    """Too short or too long is said plainly; a long text is never cut to fit."""
    limits = ctx.settings.limits
    if len(text) < limits.min_question_chars and not allow_short:
        ctx.reply(language, "too_short", length=len(text), minimum=limits.min_question_chars)
        return False
    if len(text) > limits.max_question_chars:
        ctx.reply(language, "too_long", length=len(text), maximum=limits.max_question_chars)
        return False
    return True


def _over_question_limit(ctx: Context, account: Account) -> bool:
    limit = ctx.settings.limits.questions_per_hour
    if accepted_since(ctx.session, account, ctx.now - timedelta(hours=1)) >= limit:
        ctx.reply(account.person.language, "rate_limited_questions", limit=limit)
        return True
    return False


def start_draft(ctx: Context, account: Account) -> Question:
    incoming = ctx.incoming
    text = incoming.text.strip()
    scores = ctx.services.suggester.suggest(text)
    draft = Question(
        campaign_id=ctx.campaign.id,
        account=account,
        source_message_id=incoming.message_id,
        district_key=account.person.district_key,
        suggested_category_key=scores[0].key,
        language=ctx.services.detector.detect(text) if text else account.person.language,
        text=text,
        status=QuestionStatus.DRAFT,
        created_at=ctx.now,
    )
    ctx.session.add(draft)
    attach(draft, incoming)
    ctx.session.flush()
    return draft


def attach(question: Question, incoming: Incoming) -> None:
    for attachment in incoming.attachments:
        if attachment.kind in ACCEPTED_MEDIA:
            question.attachments.append(QuestionAttachment(
                platform=incoming.platform, kind=attachment.kind, file_ref=attachment.file_ref,
                file_name=attachment.file_name, mime_type=attachment.mime_type, size=attachment.size,
            ))


def suggest(ctx: Context, account: Account, draft: Question) -> None:
    language = account.person.language
    texts = ctx.services.texts
    category = ctx.settings.category(draft.suggested_category_key or ctx.settings.fallback_category)
    assert category is not None
    shown = draft.text or f"📎 × {len(draft.attachments)}"
    buttons = (
        (Button(texts.plain(language, "confirm_category"), f"confirm:{draft.id}"),),
        (Button(texts.plain(language, "other_category"), f"categories:{draft.id}"),),
        (Button(texts.plain(language, "cancel_draft"), f"cancel:{draft.id}"),),
    )
    account.state = "category"
    offer, support_buttons = curation.support_offer(ctx, account, draft)
    html = ctx.text(language, "suggest_category", text=shown, category=category.name(language))
    ctx.send(ctx.incoming.chat, Html(html + offer), buttons + support_buttons)


def show_categories(ctx: Context, account: Account, draft: Question) -> None:
    language = account.person.language
    buttons = tuple((Button(c.name(language), f"category:{draft.id}:{c.key}"),) for c in ctx.settings.categories)
    ctx.reply(language, "choose_category", buttons)


def accept(ctx: Context, account: Account, draft: Question, category_key: str) -> None:
    """The moment a question is accepted: code, forward and receipt are one transaction."""
    draft.number, draft.code = allocate_code(ctx.session, ctx.campaign)
    draft.category_key = category_key
    draft.status = QuestionStatus.RECEIVED
    draft.accepted_at = ctx.now
    account.state = ""
    add_event(draft, "received", ctx.now, account.key, category=category_key)
    if ctx.settings.curation.approval_required:
        curation.hold_for_review(ctx, account, draft)
        return
    department = routing.forward(ctx, draft, actor="bot")
    category = ctx.settings.category(category_key)
    assert category is not None
    language = account.person.language
    ctx.tell_account(account, "receipt", question=draft, link_role="receipt",
                     code=draft.code, category=category.name(language), department=department.name)
    curation.flag_duplicates(ctx, draft)


def cancel(ctx: Context, account: Account, draft: Question | None) -> None:
    if draft is not None:
        ctx.session.delete(draft)
    account.state = ""
    ctx.reply(account.person.language, "draft_cancelled")


# --- edits, follow-ups, tracking --------------------------------------------------------

def receive_edit(ctx: Context, account: Account) -> None:
    """An edited message: honoured while the question is a draft, explained once it has gone."""
    question = question_from_message(ctx.session, account, ctx.incoming.message_id)
    if question is None:
        return
    language = account.person.language
    if question.status != QuestionStatus.DRAFT:
        ctx.reply(language, "edit_too_late", code=question.code)
        return
    if not _acceptable_length(ctx, language, ctx.incoming.text.strip()):
        return
    question.text = ctx.incoming.text.strip()
    ctx.reply(language, "draft_updated")


def receive_followup(ctx: Context, account: Account) -> bool:
    """A reply to a receipt or an answer goes back to the same department. False if not a follow-up."""
    incoming = ctx.incoming
    found = linked_question(ctx.session, incoming.platform, incoming.chat_id, incoming.reply_to_message_id)
    if found is None:
        return False
    question, _role = found
    language = account.person.language
    if question.status not in (QuestionStatus.FORWARDED, QuestionStatus.ANSWERED):
        ctx.reply(language, "followup_closed", code=question.code,
                  status=routing.status_name(ctx, language, question))
        return True
    if not _acceptable_length(ctx, language, incoming.text.strip()):
        return True
    department = routing.post_followup(ctx, question, incoming.text.strip(), actor=account.key)
    ctx.reply(language, "followup_received", code=question.code, department=department.name)
    return True


def list_questions(ctx: Context, account: Account) -> None:
    language = account.person.language
    questions = questions_of(ctx.session, account)
    items = [with_deadline(ctx.text(language, "my_item", code=q.code, status=routing.status_name(ctx, language, q),
                                    date=q.created_at.astimezone(ctx.settings.timezone).strftime("%d/%m/%Y"),
                                    text=preview(q.text)), ctx.deadline(language, q))
             for q in questions]
    items += curation.supported_items(ctx, account)
    if not items:
        ctx.reply(language, "my_empty")
        return
    ctx.send(ctx.incoming.chat, Html("\n\n".join([ctx.text(language, "my_header"), *items])))


def owned_draft(session: Session, account: Account, question_id: int) -> Question | None:
    """The account's own question with that id, if it is still a draft."""
    question = session.get(Question, question_id)
    if question is None or question.account_id != account.id or question.status != QuestionStatus.DRAFT:
        return None
    return question
