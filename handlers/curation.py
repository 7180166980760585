"""The Youth Union's curation: review before routing, clarify, decline, merge duplicates, "+1" support.

Who may curate, and where, is declared in actions/table.py; review cards go to the review chat
([curation] review_chat, else the coordinator chat). Supporters, "+1" or askers of a merged
duplicate, receive the answer too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from actions.buttons import button
from actions.model import Actor, Args, Outcome, Status, done, refused
from actions.permissions import review_chat
from core.messages import Button
from core.texts import Html, preview
from core.understanding.model import Match, TermLookup
from handlers import event_day, routing
from handlers.context import Context, Job, Services, Writer, question_language, questions_listing
from handlers.followers import send_existing_answer
from storage import learning, question_terms
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
from storage.models import Account, AccountState, LinkRole, Question, QuestionStatus
from storage.questions import add_event

Buttons = tuple[tuple[Button, ...], ...]


# --- review -------------------------------------------------------------------------------

def hold_for_review(ctx: Job, account: Account, question: Question) -> None:
    """With approval required, an accepted question waits for an admin instead of going to a department."""
    question.status = QuestionStatus.IN_REVIEW
    sign(ctx.session, ctx.services, question, question.text)
    add_event(question, "in_review", ctx.now, "bot")
    post_review_card(ctx, question, duplicates_of(ctx, question), awaiting=True)
    category = ctx.settings.category(question.category_key or "")
    assert category is not None
    ctx.tell_account(account, "receipt_in_review", question=question, link_role=LinkRole.RECEIPT,
                     code=question.code, category=category.name(question_language(ctx.settings, account, question)))


def flag_duplicates(ctx: Job, question: Question) -> None:
    """Without approval, admins still see a new question that looks like an open one, to merge it."""
    sign(ctx.session, ctx.services, question, question.text)
    if duplicates := duplicates_of(ctx, question):
        post_review_card(ctx, question, duplicates, awaiting=False)


Duplicate = tuple[Question, Match]


def sign(session: Session, services: Services, question: Question, text: str) -> None:
    """The signature `question` is compared on, written with its rows in the term index."""
    understanding = services.understanding
    signature = understanding.model(session).signature(text)
    question_terms.sign(session, question, signature, understanding.index_terms(signature))


def campaign_candidates(session: Session, campaign_id: int, statuses: tuple[QuestionStatus, ...] = REVIEWABLE,
                        excluding_person: int | None = None, like: TermLookup | None = None) -> dict[int, list[str]]:
    """Open questions' signatures, each with those of the duplicates merged into it (learned from merges): of
    those the term index finds for `like`, or all of them."""
    found = question_terms.candidates(like) if like is not None else None
    merged = learning.merged_signatures(session, campaign_id, statuses, found.merged_into if found else None)
    return {key: [signature, *merged.get(key, ())] for key, signature in open_signatures(
        session, campaign_id, statuses, excluding_person, found.ids if found else None).items()}


def lookup(session: Session, services: Services, signature: str) -> TermLookup:
    """What the term index is searched by for `signature` (the most frequent terms read for heavy ones only)."""
    counts = services.understanding.term_counts
    return services.understanding.scoring(session).lookup_terms(
        signature, services.settings.curation.duplicate_threshold, lambda term: counts.of(session, term))


def duplicates_of(ctx: Job, question: Question) -> list[Duplicate]:
    return likely_duplicates(ctx.session, ctx.services, question)


def likely_duplicates(session: Session, services: Services, question: Question) -> list[Duplicate]:
    """The open questions of its campaign that `question` likely repeats, best first (chat and web alike)."""
    model = services.understanding.scoring(session)
    threshold = services.settings.curation.duplicate_threshold
    signature = question.signature or ""
    found = campaign_candidates(session, question.campaign_id, like=lookup(session, services, signature))
    found.pop(question.id, None)
    matches = model.likely_duplicates(signature, found, threshold)
    return [(session.get_one(Question, m.key), m) for m in matches]


def post_review_card(ctx: Job, question: Question, duplicates: list[Duplicate], awaiting: bool) -> None:
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
        plain = ctx.services.texts.plain
        buttons = (tuple(button(ctx.session, plain(language, f"{name}_button"), name, question.id)
                         for name in ("approve", "clarify", "decline")),)
    if duplicates:
        lines.append(ctx.text(language, "review_duplicates_header"))
        lines += [ctx.text(language, "review_duplicate_item", code=other.code, score=round(match.score * 100),
                           status=routing.status_name(ctx, language, other), text=preview(other.text))
                  + "\n" + ctx.text(language, "why_duplicate",
                                    terms=", ".join(model.shown_terms(match.shared, question.text, other.text)))
                  for other, match in duplicates]
        buttons += tuple((button(ctx.session, ctx.text(language, "merge_button", code=other.code), "merge",
                                 question.id, other.id),) for other, _ in duplicates)
    ctx.send(review_chat(ctx.settings), Html("\n\n".join(lines)), buttons, question=question, link_role=LinkRole.REVIEW)


def list_review(job: Job, actor: Actor, args: Args) -> Outcome:
    return questions_listing(job, in_review(job.session, job.campaign.id), header="review_header",
                             empty="review_empty")


def approve(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question = args["question"]
    language = job.staff_language
    if question.status != QuestionStatus.IN_REVIEW:
        return refused("not_in_review", question.id, code=question.code,
                       status=routing.status_name(job, language, question))
    department = routing.forward(job, question, actor=actor.who)
    job.tell_account(question.account, "approved_notice", question=question, link_role=LinkRole.NOTICE,
                     code=question.code, department=department.name)
    return done("approved_done", question.id, code=question.code, department=department.name)


def clarify(job: Job, actor: Actor, args: Args) -> Outcome:
    """The clarified text is what departments see (and answer); the asker's words stay in original_text.
    Without the text (a button, or the bare command) the outcome asks for it."""
    question: Question = args["question"]
    text: str | None = args["text"]
    if question.status not in REVIEWABLE:
        return refuse_closed(job, question)
    if not text:
        return awaiting(question, LinkRole.CLARIFY)
    maximum = job.settings.limits.max_question_chars
    if len(text) > maximum:
        return refused("too_long", question.id, length=len(text), maximum=maximum)
    add_event(question, "clarified", job.now, actor.who, previous=question.text)
    question.original_text = question.original_text or question.text
    question.text = text
    sign(job.session, job.services, question, text)
    if question.status == QuestionStatus.FORWARDED:
        department = job.settings.department(question.department_key or "")
        assert department is not None
        lead = job.text(job.staff_language, "clarified_lead", code=question.code)
        routing.post_card(job, question, department, lead=Html(lead + "\n\n"))
    job.tell_account(question.account, "clarified_notice", question=question, link_role=LinkRole.NOTICE,
                     code=question.code, text=text)
    return done("clarified_done", question.id, code=question.code)


def decline(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question = args["question"]
    reason: str | None = args["reason"]
    if question.status not in REVIEWABLE:
        return refuse_closed(job, question)
    if not reason:
        return awaiting(question, LinkRole.DECLINE)
    department = job.settings.department(question.department_key or "")
    if question.status == QuestionStatus.FORWARDED and department is not None:
        job.send(department.primary_chat, job.text(job.staff_language, "withdrawn_for_department",
                                                   code=question.code, reason=reason))
    routing.reject(job, question, reason, actor=actor.who)
    event_day.unpick(job, question, actor.who)
    return done("declined_done", question.id, code=question.code)


PROMPTS = {LinkRole.CLARIFY: "clarify_prompt", LinkRole.DECLINE: "decline_prompt"}  # link role -> the prompt


def awaiting(question: Question, role: LinkRole) -> Outcome:
    """Ask for the text of a clarification or the reason of a decline, as a reply linked to the question."""
    return Outcome(Status.DONE, PROMPTS[role], {"code": question.code}, question.id, awaits=role)


def refuse_closed(writer: Writer, question: Question) -> Outcome:
    language = writer.staff_language
    return refused("not_open", question.id, code=question.code, status=routing.status_name(writer, language, question))


# --- duplicates and support ---------------------------------------------------------------

def merge(job: Job, actor: Actor, args: Args) -> Outcome:
    """`source` asks what `target` asks: its asker and supporters follow `target` and get its answer."""
    source: Question = args["question"]
    target: Question = args["target"]
    language = job.staff_language
    if source.id == target.id:
        return refused("merge_refused_same", source.id, code=source.code)
    if source.status not in REVIEWABLE:
        return refuse_closed(job, source)
    if target.status in CLOSED:
        return refused("merge_refused_target", source.id, code=target.code,
                       status=routing.status_name(job, language, target))
    department = job.settings.department(source.department_key or "")
    if source.status == QuestionStatus.FORWARDED and department is not None:
        job.send(department.primary_chat, job.text(language, "merged_for_department",
                                                   code=source.code, target=target.code))
    source.status = QuestionStatus.MERGED
    source.merged_into_id = target.id
    add_event(source, "merged", job.now, actor.who, into=target.code)
    add_event(target, "merged_in", job.now, actor.who, source=source.code)
    learning.record_merge(job.session, source, target, job.now)
    event_day.unpick(job, source, actor.who)
    add_support(job.session, target, source.account, job.now, merged=source)
    move_followers(job.session, source, target, job.now)
    job.tell_account(source.account, "merged_notice", question=target, link_role=LinkRole.NOTICE,
                     code=source.code, target=target.code, text=preview(target.text))
    send_existing_answer(job, target, source.account)
    outcome = done("merged_done", source.id, code=source.code, target=target.code)
    return Outcome(outcome.status, outcome.key, outcome.values, source.id, detail={"target": target.id})


def support_offer(ctx: Context, account: Account, draft: Question) -> tuple[Html, Buttons]:
    """For a young person about to ask: open questions of others that look the same, each with a 👍 button."""
    if not draft.text:
        return Html(""), ()
    language = account.person.language
    # Questions still in review are not shown: the Youth Union has not seen them yet.
    model = ctx.services.understanding.scoring(ctx.session)
    signature = model.signature(draft.text)
    threshold = ctx.settings.curation.duplicate_threshold
    found = campaign_candidates(ctx.session, ctx.campaign.id, (QuestionStatus.FORWARDED,), account.person_id,
                                lookup(ctx.session, ctx.services, signature))
    matches = model.likely_duplicates(signature, found, threshold)
    if not matches:
        return Html(""), ()
    similar = [ctx.session.get_one(Question, m.key) for m in matches]
    items = "\n".join(ctx.text(language, "similar_item", code=q.code, text=preview(q.text)) for q in similar)
    buttons = tuple((button(ctx.session, ctx.text(language, "support_button", code=q.code), "support", q.id,
                            draft.id),) for q in similar)
    return ctx.text(language, "similar_offer", items=Html(items)), buttons


def supported_items(ctx: Context, account: Account) -> list[Html]:
    """For /my: the questions a young person follows without having asked them (or whose duplicate was merged)."""
    language = account.person.language
    return [ctx.text(language, "my_supported_item", code=q.code, status=routing.status_name(ctx, language, q),
                     text=preview(q.text))
            for q in supported_by(ctx.session, account.person_id)]


def support(ctx: Context, account: Account, target_id: str, draft_id: str) -> None:
    """A "+1" instead of a new question: the draft is dropped, the person follows the question."""
    language = account.person.language
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
        account.state = AccountState.IDLE
    if not add_support(ctx.session, target, account, ctx.now):
        ctx.reply(language, "support_already", code=target.code)
        return
    add_event(target, "supported", ctx.now, account.key)
    count = support_counts(ctx.session, [target.id]).get(target.id, 0)
    ctx.reply(language, "support_done", code=target.code, count=count)
    send_existing_answer(ctx, target, account)
