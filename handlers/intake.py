"""A young person's private chat: consent, district, asking, tracking, language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session, joinedload

from actions.buttons import button
from core.config import District
from core.messages import ACCEPTED_MEDIA, Button, Incoming, MediaKind
from core.smalltalk import is_small_talk
from core.texts import Html, preview
from handlers import curation, routing
from handlers.context import Context, question_language, with_deadline
from storage import learning
from storage.models import Account, AccountState, LinkRole, Person, Question, QuestionAttachment, QuestionStatus
from storage.questions import (
    accepted_since,
    add_event,
    allocate_code,
    draft_of,
    drafts_of,
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
    language = starting_language(ctx)  # kept in the buttons: nothing is stored before consent
    buttons = ((button(ctx.session, texts.plain(ctx.staff_language, "consent_yes"), "consent", "yes", language),
                button(ctx.session, texts.plain(ctx.staff_language, "consent_no"), "consent", "no", language)),)
    ctx.send(ctx.incoming.chat, html, buttons)


def starting_language(ctx: Context) -> str:
    """What the first message is plainly written in, else the platform's language for the person, else the default."""
    detector = ctx.services.detector
    return (detector.clearly(ctx.incoming.text) or detector.configured(ctx.incoming.language_code)
            or ctx.settings.default_language)


def give_consent(ctx: Context, answer: str, hint: str) -> Account | None:
    """`answer` is "yes" or "no", `hint` the language guessed at the welcome."""
    incoming = ctx.incoming
    language = hint if hint in ctx.settings.languages else starting_language(ctx)
    if answer != "yes":
        ctx.reply(language, "consent_declined")
        return None
    person = Person(created_at=ctx.now, consent_at=ctx.now, language=language)
    account = Account(person=person, platform=incoming.platform, user_id=incoming.user_id,
                      chat_id=incoming.chat_id, display_name=incoming.user_name, state=AccountState.IDLE,
                      window_count=0, created_at=ctx.now)
    ctx.session.add(account)
    ctx.session.flush()
    ask_district(ctx, account)
    return account


def ask_district(ctx: Context, account: Account, fitting: Sequence[District] = ()) -> None:
    """All units, or the few that fit what was typed (then the person says which one)."""
    shown = fitting if len(fitting) > 1 else ctx.settings.districts
    buttons = tuple((button(ctx.session, d.name, "choose_district", d.key),) for d in shown)
    account.state = AccountState.DISTRICT
    ctx.reply(account.person.language, "choose_district_among" if len(fitting) > 1 else "choose_district", buttons)


def set_district(ctx: Context, account: Account, key: str) -> None:
    district = ctx.settings.district(key)
    if district is None:
        ctx.reply(account.person.language, "button_stale")
        return
    account.person.district_key = key
    account.state = AccountState.IDLE
    language = account.person.language
    ctx.reply(language, "district_set", district=district.name,
              sendable=ctx.sendable(language, account.platform))


def ask_language(ctx: Context) -> None:
    names = {"vi": "Tiếng Việt", "en": "English"}
    buttons = (tuple(button(ctx.session, names[code], "choose_language", code) for code in ctx.settings.languages),)
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
    text = incoming.text.strip()
    media = [a for a in incoming.attachments if a.kind in ACCEPTED_MEDIA]
    if incoming.attachments and not media and not text:
        hidden = any(a.kind == MediaKind.HIDDEN for a in incoming.attachments)
        ctx.reply(language, "hidden_content" if hidden else "unsupported_content",
                  sendable=ctx.sendable(language, account.platform))
        return
    if account.person.district_key is None:
        ask_district(ctx, account)
        return
    draft = draft_of(ctx.session, account)
    if draft is not None and media and not text:
        attach(draft, incoming)
        suggest(ctx, account, draft)
        return
    if not media and _not_a_question(ctx, account, text, draft):
        return
    if not _acceptable_length(ctx, language, text, allow_short=bool(media)):
        return
    if _over_question_limit(ctx, account):
        return
    new = start_draft(ctx, account)
    if draft is None:
        suggest(ctx, account, new)
    else:
        offer_draft_choice(ctx, account, draft, new)


def _not_a_question(ctx: Context, account: Account, text: str, draft: Question | None) -> bool:
    """A greeting or a few words is answered with what to do next, and never becomes a draft."""
    if len(text) > ctx.settings.limits.max_question_chars:
        return False  # said to be too long, whatever it is
    short = len(text) < ctx.settings.limits.min_question_chars
    if draft is not None and (short or is_small_talk(text)):
        ctx.reply(account.person.language, "draft_pending")
        return True
    if not short and is_small_talk(text):
        ctx.reply(account.person.language, "ask_question")
        return True
    return False


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
    scores = ctx.services.understanding.model(ctx.session).suggest(text)
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
    language = question_language(ctx.settings, account, draft)
    texts = ctx.services.texts
    category = ctx.settings.category(draft.suggested_category_key or ctx.settings.fallback_category)
    assert category is not None
    shown = draft.text or f"📎 × {len(draft.attachments)}"
    buttons = (
        (button(ctx.session, texts.plain(language, "confirm_category"), "confirm", draft.id),),
        (button(ctx.session, texts.plain(language, "other_category"), "categories", draft.id),),
        (button(ctx.session, texts.plain(language, "cancel_draft"), "cancel_draft", draft.id),),
    )
    account.state = AccountState.IDLE
    offer, support_buttons = curation.support_offer(ctx, account, draft)
    html = ctx.text(language, "suggest_category", text=shown, category=category.name(language))
    ctx.send(ctx.incoming.chat, Html(html + offer), buttons + support_buttons)


def show_categories(ctx: Context, account: Account, draft: Question) -> None:
    language = question_language(ctx.settings, account, draft)
    buttons = tuple((button(ctx.session, c.name(language), "category", draft.id, c.key),)
                    for c in ctx.settings.categories)
    ctx.reply(language, "choose_category", buttons)


def accept(ctx: Context, account: Account, draft: Question, category_key: str) -> None:
    """The moment a question is accepted: code, forward and receipt are one transaction."""
    # Statements first (each flushes what is pending), then the draft's changes: those and forward's
    # go in one UPDATE at the next flush, not three.
    learning.record_category(ctx.session, draft, category_key, learning.CONFIRMED, ctx.now)
    draft.number, draft.code = allocate_code(ctx.session, ctx.campaign)
    draft.category_key = category_key
    draft.status = QuestionStatus.RECEIVED
    draft.accepted_at = ctx.now
    account.state = AccountState.IDLE
    add_event(draft, "received", ctx.now, account.key, category=category_key)
    if ctx.settings.curation.approval_required:
        curation.hold_for_review(ctx, account, draft)
    else:
        _forward(ctx, account, draft, category_key)
    if (waiting := draft_of(ctx.session, account)) is not None:  # the other of two drafts: send it too?
        suggest(ctx, account, waiting)


def _forward(ctx: Context, account: Account, draft: Question, category_key: str) -> None:
    department = routing.forward(ctx, draft, actor="bot")
    category = ctx.settings.category(category_key)
    assert category is not None
    language = question_language(ctx.settings, account, draft)
    ctx.tell_account(account, "receipt", question=draft, link_role=LinkRole.RECEIPT,
                     code=draft.code, category=category.name(language), department=department.name)
    curation.flag_duplicates(ctx, draft)


def cancel(ctx: Context, account: Account, draft: Question | None) -> None:
    """One draft (its Cancel button), or with None every draft of the account (/cancel)."""
    for question in [draft] if draft is not None else drafts_of(ctx.session, account):
        discard(ctx.session, question)
    account.state = AccountState.IDLE
    ctx.reply(account.person.language, "draft_cancelled")


def discard(session: Session, draft: Question) -> None:
    for attachment in draft.attachments:
        session.delete(attachment)
    session.delete(draft)


def offer_draft_choice(ctx: Context, account: Account, draft: Question, new: Question) -> None:
    """A new question while one waits for its field: replace the waiting one, or add to it.

    At most two drafts exist: an unanswered earlier offer is replaced by this one.
    """
    for other in drafts_of(ctx.session, account):
        if other.id not in (draft.id, new.id):
            discard(ctx.session, other)
    language = account.person.language
    texts = ctx.services.texts
    buttons = ((button(ctx.session, texts.plain(language, "draft_replace"), "replace_draft", new.id),),
               (button(ctx.session, texts.plain(language, "draft_append"), "append_draft", new.id),))
    account.state = AccountState.IDLE
    ctx.reply(language, "draft_choice", buttons, draft=preview(draft.text or "📎"), text=preview(new.text or "📎"))


def replace_draft(ctx: Context, account: Account, new: Question) -> None:
    for other in drafts_of(ctx.session, account):
        if other.id != new.id:
            discard(ctx.session, other)
    suggest(ctx, account, new)


def append_to_draft(ctx: Context, account: Account, new: Question) -> None:
    """The new message joins the earlier draft: one question, its field suggested again from all of it."""
    earlier = next((d for d in drafts_of(ctx.session, account) if d.id != new.id), None)
    if earlier is None:
        suggest(ctx, account, new)
        return
    text = "\n".join(part for part in (earlier.text, new.text) if part)
    if not _acceptable_length(ctx, account.person.language, text, allow_short=True):
        return
    earlier.text = text
    earlier.suggested_category_key = ctx.services.understanding.model(ctx.session).suggest(text)[0].key
    for attachment in new.attachments:
        earlier.attachments.append(QuestionAttachment(
            platform=attachment.platform, kind=attachment.kind, file_ref=attachment.file_ref,
            file_name=attachment.file_name, mime_type=attachment.mime_type, size=attachment.size))
    discard(ctx.session, new)
    ctx.session.flush()
    suggest(ctx, account, earlier)


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
    send_followup(ctx, account, found[0])
    return True


def send_followup(ctx: Context, account: Account, question: Question) -> None:
    """The message is a follow-up to `question`: to its department, while the question is open."""
    text = ctx.incoming.text.strip()
    language = account.person.language
    if question.status not in (QuestionStatus.FORWARDED, QuestionStatus.ANSWERED):
        ctx.reply(language, "followup_closed", code=question.code,
                  status=routing.status_name(ctx, language, question))
        return
    if not _acceptable_length(ctx, language, text):
        return
    department = routing.post_followup(ctx, question, text, actor=account.key)
    ctx.reply(language, "followup_received", code=question.code, department=department.name)


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
    """The account's own question with that id, if it is still a draft; with its attachments, which
    its card or its discarding reads (in the same query, not a second one)."""
    question = session.get(Question, question_id, options=[joinedload(Question.attachments)])
    if question is None or question.account_id != account.id or question.status != QuestionStatus.DRAFT:
        return None
    return question
