"""The Youth Union's curation: review before routing, clarify, decline, merge duplicates, "+1" support.

Admins act anywhere (typed commands) and on the cards the bot posts in the review chat
([curation] review_chat, else the coordinator chat), where anyone may act, as in the
coordinator chat. Supporters, "+1" or askers of a merged duplicate, receive the answer too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config import Settings
from core.messages import Button, ChatRef
from core.texts import Html, preview
from core.understanding.model import Match
from handlers import event_day, routing
from handlers.admin import may_administer
from handlers.context import Context, Services, question_language
from handlers.followers import send_existing_answer
from storage import learning
from storage.curation import (
    CLOSED,
    REVIEWABLE,
    add_support,
    in_review,
    move_followers,
    open_signatures,
    support_counts,
    supported_by,
)
from storage.models import Account, Question, QuestionStatus
from storage.questions import add_event, find_by_code, linked_question

COMMANDS = ("/review", "/approve", "/clarify", "/decline", "/merge")
BUTTON_PREFIX = "cur:"
PROMPTS = {"clarify": "clarify_prompt", "decline": "decline_prompt"}  # link role -> text admins reply to
Buttons = tuple[tuple[Button, ...], ...]


def review_chat(settings: Settings) -> ChatRef:
    return settings.curation.review_chat or settings.coordinator_chat


def may_curate(ctx: Context) -> bool:
    return may_administer(ctx) or ctx.incoming.chat == review_chat(ctx.settings)


def claims(ctx: Context, command: str) -> bool:
    """Curation's updates: its commands and buttons, and admins' replies to its prompts."""
    incoming = ctx.incoming
    if incoming.edited:
        return False
    if command in COMMANDS + event_day.COMMANDS or incoming.button_data.startswith(BUTTON_PREFIX):
        return True
    if not incoming.reply_to_message_id or not may_curate(ctx):
        return False
    found = linked_question(ctx.session, incoming.platform, incoming.chat_id, incoming.reply_to_message_id)
    return found is not None and found[1] in PROMPTS


def handle(ctx: Context, command: str, arguments: list[str]) -> None:
    if not may_curate(ctx):
        ctx.reply(ctx.staff_language, "not_admin")
    elif command in event_day.COMMANDS:
        event_day.run_command(ctx, command, arguments)
    elif command:
        run_command(ctx, command, arguments)
    elif ctx.incoming.button_data:
        press_button(ctx, ctx.incoming.button_data)
    else:
        receive_reply(ctx)


def run_command(ctx: Context, command: str, arguments: list[str]) -> None:
    language = ctx.staff_language
    if command == "/review":
        list_review(ctx)
        return
    needed = 2 if command in ("/clarify", "/decline", "/merge") else 1
    if len(arguments) < needed:
        ctx.reply(language, "curation_usage")
        return
    question = find_question(ctx, arguments[0])
    if question is None:
        return
    rest = " ".join(arguments[1:])
    if command == "/approve":
        approve(ctx, question)
    elif command == "/clarify":
        clarify(ctx, question, rest)
    elif command == "/decline":
        decline(ctx, question, rest)
    elif (target := find_question(ctx, arguments[1])) is not None:
        merge(ctx, question, target)


def find_question(ctx: Context, code: str) -> Question | None:
    question = find_by_code(ctx.session, code, ctx.campaign.id)
    if question is None:
        ctx.reply(ctx.staff_language, "code_unknown", code=code)
    return question


def press_button(ctx: Context, data: str) -> None:
    """cur:approve:ID, cur:clarify:ID, cur:decline:ID, cur:merge:ID:TARGET-ID."""
    _prefix, action, *ids = data.split(":")
    questions = [ctx.session.get(Question, int(i)) if i.isdigit() else None for i in ids]
    if not questions or None in questions or len(questions) != (2 if action == "merge" else 1):
        ctx.reply(ctx.staff_language, "button_stale")
        return
    question = questions[0]
    assert question is not None
    if action == "approve":
        approve(ctx, question)
    elif action in PROMPTS:
        prompt(ctx, question, action)
    elif action == "merge" and questions[1] is not None:
        merge(ctx, question, questions[1])
    else:
        ctx.reply(ctx.staff_language, "button_stale")


def prompt(ctx: Context, question: Question, action: str) -> None:
    if question.status not in REVIEWABLE:
        refuse_closed(ctx, question)
        return
    ctx.prompt(ctx.text(ctx.staff_language, PROMPTS[action], code=question.code), question=question,
               link_role=action)


def receive_reply(ctx: Context) -> None:
    incoming = ctx.incoming
    found = linked_question(ctx.session, incoming.platform, incoming.chat_id, incoming.reply_to_message_id)
    assert found is not None  # claims() checked it
    question, role = found
    text = incoming.text.strip()
    if not text:
        ctx.reply(ctx.staff_language, "curation_text_missing")
    elif role == "clarify":
        clarify(ctx, question, text)
    else:
        decline(ctx, question, text)


# --- review -------------------------------------------------------------------------------

def hold_for_review(ctx: Context, account: Account, question: Question) -> None:
    """With approval required, an accepted question waits for an admin instead of going to a department."""
    question.status = QuestionStatus.IN_REVIEW
    question.signature = ctx.services.understanding.model(ctx.session).signature(question.text)
    add_event(question, "in_review", ctx.now, "bot")
    post_review_card(ctx, question, duplicates_of(ctx, question), awaiting=True)
    category = ctx.settings.category(question.category_key or "")
    assert category is not None
    ctx.tell_account(account, "receipt_in_review", question=question, link_role="receipt",
                     code=question.code, category=category.name(question_language(ctx.settings, account, question)))


def flag_duplicates(ctx: Context, question: Question) -> None:
    """Without approval, admins still see a new question that looks like an open one, to merge it."""
    question.signature = ctx.services.understanding.model(ctx.session).signature(question.text)
    if duplicates := duplicates_of(ctx, question):
        post_review_card(ctx, question, duplicates, awaiting=False)


Duplicate = tuple[Question, Match]


def candidates(ctx: Context, statuses: tuple[QuestionStatus, ...] = REVIEWABLE,
               excluding_person: int | None = None) -> dict[int, list[str]]:
    return campaign_candidates(ctx.session, ctx.campaign.id, statuses, excluding_person)


def campaign_candidates(session: Session, campaign_id: int, statuses: tuple[QuestionStatus, ...] = REVIEWABLE,
                        excluding_person: int | None = None) -> dict[int, list[str]]:
    """Open questions' signatures, each with those of the duplicates merged into it (learned from merges)."""
    merged = learning.merged_signatures(session, campaign_id, statuses)
    return {key: [signature, *merged.get(key, ())]
            for key, signature in open_signatures(session, campaign_id, statuses, excluding_person).items()}


def duplicates_of(ctx: Context, question: Question) -> list[Duplicate]:
    return likely_duplicates(ctx.session, ctx.services, question)


def likely_duplicates(session: Session, services: Services, question: Question) -> list[Duplicate]:
    """The open questions of its campaign that `question` likely repeats, best first (chat and web alike)."""
    found = campaign_candidates(session, question.campaign_id)
    found.pop(question.id, None)
    model = services.understanding.model(session)
    matches = model.likely_duplicates(question.signature or "", found, services.settings.curation.duplicate_threshold)
    return [(session.get_one(Question, m.key), m) for m in matches]


def post_review_card(ctx: Context, question: Question, duplicates: list[Duplicate], awaiting: bool) -> None:
    language = ctx.staff_language
    district = ctx.settings.district(question.district_key)
    category = ctx.settings.category(question.category_key or "")
    lines = [ctx.text(language, "review_card", code=question.code, text=question.text,
                      district=district.name if district else question.district_key,
                      category=category.name(language) if category else question.category_key)]
    model = ctx.services.understanding.model(ctx.session)
    if examples := model.nearest_examples(question.text, question.category_key or ""):
        lines[0] += "\n" + ctx.text(language, "why_category", examples=" · ".join(preview(e) for e in examples))
    buttons: Buttons = ()
    if awaiting:
        lines.append(ctx.text(language, "review_awaiting", code=question.code))
        buttons = ((Button(ctx.services.texts.plain(language, "approve_button"), f"cur:approve:{question.id}"),
                    Button(ctx.services.texts.plain(language, "clarify_button"), f"cur:clarify:{question.id}"),
                    Button(ctx.services.texts.plain(language, "decline_button"), f"cur:decline:{question.id}")),)
    if duplicates:
        lines.append(ctx.text(language, "review_duplicates_header"))
        lines += [ctx.text(language, "review_duplicate_item", code=other.code, score=round(match.score * 100),
                           status=routing.status_name(ctx, language, other), text=preview(other.text))
                  + "\n" + ctx.text(language, "why_duplicate",
                                    terms=", ".join(model.shown_terms(match.shared, question.text, other.text)))
                  for other, match in duplicates]
        buttons += tuple((Button(ctx.text(language, "merge_button", code=other.code),
                                 f"cur:merge:{question.id}:{other.id}"),) for other, _ in duplicates)
    ctx.send(review_chat(ctx.settings), Html("\n\n".join(lines)), buttons, question=question, link_role="review")


def list_review(ctx: Context) -> None:
    ctx.list_questions(in_review(ctx.session, ctx.campaign.id), header="review_header", empty="review_empty")


def approve(ctx: Context, question: Question) -> None:
    language = ctx.staff_language
    if question.status != QuestionStatus.IN_REVIEW:
        ctx.reply(language, "not_in_review", code=question.code, status=routing.status_name(ctx, language, question))
        return
    department = routing.forward(ctx, question, actor=ctx.incoming.account_key)
    ctx.tell_account(question.account, "approved_notice", question=question, link_role="notice",
                     code=question.code, department=department.name)
    ctx.reply(language, "approved_done", code=question.code, department=department.name)


def clarify(ctx: Context, question: Question, text: str) -> None:
    """The clarified text is what departments see (and answer); the asker's words stay in original_text."""
    language = ctx.staff_language
    if question.status not in REVIEWABLE:
        refuse_closed(ctx, question)
        return
    if len(text) > ctx.settings.limits.max_question_chars:
        ctx.reply(language, "too_long", length=len(text), maximum=ctx.settings.limits.max_question_chars)
        return
    add_event(question, "clarified", ctx.now, ctx.incoming.account_key, previous=question.text)
    question.original_text = question.original_text or question.text
    question.text = text
    question.signature = ctx.services.understanding.model(ctx.session).signature(text)
    if question.status == QuestionStatus.FORWARDED:
        department = ctx.settings.department(question.department_key or "")
        assert department is not None
        lead = ctx.text(language, "clarified_lead", code=question.code)
        routing.post_card(ctx, question, department, lead=Html(lead + "\n\n"))
    ctx.tell_account(question.account, "clarified_notice", question=question, link_role="notice",
                     code=question.code, text=text)
    ctx.reply(language, "clarified_done", code=question.code)


def decline(ctx: Context, question: Question, reason: str) -> None:
    if question.status not in REVIEWABLE:
        refuse_closed(ctx, question)
        return
    department = ctx.settings.department(question.department_key or "")
    if question.status == QuestionStatus.FORWARDED and department is not None:
        ctx.send(department.primary_chat, ctx.text(ctx.staff_language, "withdrawn_for_department",
                                                   code=question.code, reason=reason))
    routing.reject(ctx, question, reason, actor=ctx.incoming.account_key)
    event_day.unpick(ctx, question)
    ctx.reply(ctx.staff_language, "declined_done", code=question.code)


def refuse_closed(ctx: Context, question: Question) -> None:
    language = ctx.staff_language
    ctx.reply(language, "not_open", code=question.code, status=routing.status_name(ctx, language, question))


# --- duplicates and support ---------------------------------------------------------------

def merge(ctx: Context, source: Question, target: Question) -> None:
    """`source` asks what `target` asks: its asker and supporters follow `target` and get its answer."""
    language = ctx.staff_language
    if source.id == target.id:
        ctx.reply(language, "merge_refused_same", code=source.code)
        return
    if source.status not in REVIEWABLE:
        refuse_closed(ctx, source)
        return
    if target.status in CLOSED:
        ctx.reply(language, "merge_refused_target", code=target.code,
                  status=routing.status_name(ctx, language, target))
        return
    department = ctx.settings.department(source.department_key or "")
    if source.status == QuestionStatus.FORWARDED and department is not None:
        ctx.send(department.primary_chat, ctx.text(language, "merged_for_department",
                                                   code=source.code, target=target.code))
    actor = ctx.incoming.account_key
    source.status = QuestionStatus.MERGED
    source.merged_into_id = target.id
    add_event(source, "merged", ctx.now, actor, into=target.code)
    add_event(target, "merged_in", ctx.now, actor, source=source.code)
    learning.record_merge(ctx.session, source, target, ctx.now)
    event_day.unpick(ctx, source)
    add_support(ctx.session, target, source.account, ctx.now, merged=source)
    move_followers(ctx.session, source, target, ctx.now)
    ctx.tell_account(source.account, "merged_notice", question=target, link_role="notice",
                     code=source.code, target=target.code, text=preview(target.text))
    send_existing_answer(ctx, target, source.account)
    ctx.reply(language, "merged_done", code=source.code, target=target.code)


def support_offer(ctx: Context, account: Account, draft: Question) -> tuple[Html, Buttons]:
    """For a young person about to ask: open questions of others that look the same, each with a 👍 button."""
    if not draft.text:
        return Html(""), ()
    language = account.person.language
    # Questions still in review are not shown: the Youth Union has not seen them yet.
    model = ctx.services.understanding.model(ctx.session)
    found = candidates(ctx, (QuestionStatus.FORWARDED,), account.person_id)
    matches = model.likely_duplicates(model.signature(draft.text), found, ctx.settings.curation.duplicate_threshold)
    if not matches:
        return Html(""), ()
    similar = [ctx.session.get_one(Question, m.key) for m in matches]
    items = "\n".join(ctx.text(language, "similar_item", code=q.code, text=preview(q.text)) for q in similar)
    buttons = tuple((Button(ctx.text(language, "support_button", code=q.code), f"support:{q.id}:{draft.id}"),)
                    for q in similar)
    return ctx.text(language, "similar_offer", items=Html(items)), buttons


def supported_items(ctx: Context, account: Account) -> list[Html]:
    """For /my: the questions a young person follows without having asked them (or whose duplicate was merged)."""
    language = account.person.language
    return [ctx.text(language, "my_supported_item", code=q.code, status=routing.status_name(ctx, language, q),
                     text=preview(q.text))
            for q in supported_by(ctx.session, account.person_id)]


def support(ctx: Context, account: Account, argument: str) -> None:
    """A "+1" instead of a new question: the draft is dropped, the person follows the question."""
    language = account.person.language
    target_id, _, draft_id = argument.partition(":")
    target = ctx.session.get(Question, int(target_id)) if target_id.isdigit() else None
    if target is None:
        ctx.reply(language, "button_stale")
        return
    if target.status in CLOSED:
        ctx.reply(language, "support_closed", code=target.code, status=routing.status_name(ctx, language, target))
        return
    draft = ctx.session.get(Question, int(draft_id)) if draft_id.isdigit() else None
    if draft is not None and draft.account_id == account.id and draft.status == QuestionStatus.DRAFT:
        ctx.session.delete(draft)
        account.state = ""
    if not add_support(ctx.session, target, account, ctx.now):
        ctx.reply(language, "support_already", code=target.code)
        return
    add_event(target, "supported", ctx.now, account.key)
    count = support_counts(ctx.session, [target.id]).get(target.id, 0)
    ctx.reply(language, "support_done", code=target.code, count=count)
    send_existing_answer(ctx, target, account)
