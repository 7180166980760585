"""Honouring exemplary youth (issue 17, item 4): nominations, the Youth Union's ordered shortlist.

`propose`, `place` and `withdraw` work on plain inputs (a district union's form on the console will call
`propose`); the actions below them are declared in actions/table.py. The chat flow lets a young person
propose someone. It asks first whether the nominee
agreed, and stores nothing about them before that answer is yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from actions.buttons import button
from actions.model import Actor, Args, Outcome, refused
from core.messages import ACCEPTED_MEDIA, Incoming
from core.texts import preview
from handlers.context import Context, Job, items_listing
from handlers.refused import Refused
from storage.curation import lock_agenda
from storage.models import Account, AccountState, Nomination, NominationStatus
from storage.nominations import draft_of, of_campaign, shortlist

DECLARED = "declared_by_proposer"  # consent_note of the chat flow: the proposer said the nominee agreed
FIELDS = ("nominee_name", "unit", "achievement")  # asked in this order
PROMPTS = {"nominee_name": "nominate_ask_name", "unit": "nominate_ask_unit", "achievement": "nominate_ask_achievement"}


def propose(session: Session, campaign_id: int, now: datetime, *, name: str, unit: str, achievement: str,
            evidence: Sequence[dict[str, Any]], consent_note: str, proposer: str) -> Nomination:
    """A complete nomination, its nominee's consent recorded (`consent_note` says how it was given)."""
    values = {"name": " ".join(name.split()), "unit": " ".join(unit.split()), "achievement": achievement.strip()}
    if not all(values.values()) or not consent_note:
        raise Refused("nomination_incomplete")
    nomination = Nomination(campaign_id=campaign_id, nominee_name=values["name"], unit=values["unit"],
                            achievement=values["achievement"], evidence=list(evidence), consent_at=now,
                            consent_note=consent_note, proposer=proposer, status=NominationStatus.PROPOSED,
                            created_at=now, decided_by="")
    session.add(nomination)
    session.flush()
    return nomination


def place(session: Session, campaign_id: int, now: datetime, number: int, position: int | None,
          actor: str) -> list[Nomination]:
    """Put a nomination on the shortlist at `position` (1-based; None: last), or move it there."""
    nomination = _nomination(session, campaign_id, number)
    lock_agenda(session, campaign_id)  # two admins ordering at once would draw the same rank
    ordered = [n for n in shortlist(session, campaign_id) if n.id != nomination.id]
    at = len(ordered) if position is None else position - 1
    if not 0 <= at <= len(ordered):
        raise Refused("shortlist_position_invalid", count=len(ordered) + 1)
    ordered.insert(at, nomination)
    nomination.status, nomination.decided_at, nomination.decided_by = NominationStatus.SHORTLISTED, now, actor
    _renumber(ordered)
    return ordered


def withdraw(session: Session, campaign_id: int, now: datetime, number: int, actor: str) -> Nomination:
    """Back off the shortlist; the nomination stays, proposed."""
    nomination = _nomination(session, campaign_id, number)
    lock_agenda(session, campaign_id)
    nomination.status, nomination.rank = NominationStatus.PROPOSED, None
    nomination.decided_at, nomination.decided_by = now, actor
    session.flush()
    _renumber(shortlist(session, campaign_id))
    return nomination


def _nomination(session: Session, campaign_id: int, number: int) -> Nomination:
    nomination = session.get(Nomination, number)
    if nomination is None or nomination.campaign_id != campaign_id or nomination.status == NominationStatus.DRAFT:
        raise Refused("nomination_unknown", number=number)
    return nomination


def _renumber(nominations: Sequence[Nomination]) -> None:
    for rank, nomination in enumerate(nominations, 1):
        nomination.rank = rank


def evidence_of(incoming: Incoming) -> list[dict[str, Any]]:
    """The files of a message as a nomination keeps them: the platform's ids, to be sent on or fetched."""
    return [{"platform": incoming.platform, "kind": str(a.kind), "file_ref": a.file_ref, "file_name": a.file_name,
             "mime_type": a.mime_type, "size": a.size} for a in incoming.attachments if a.kind in ACCEPTED_MEDIA]


# --- a young person's chat flow ---------------------------------------------------------------

def waiting(account: Account) -> bool:
    return account.state == AccountState.NOMINATE


def start(ctx: Context, actor: Actor, args: Args) -> None:
    """/nominate: consent first; nothing about the nominee is stored before it."""
    language = args["account"].person.language
    texts = ctx.services.texts
    ctx.reply(language, "nominate_consent", ((
        button(ctx.session, texts.plain(language, "nominate_consent_yes"), "nominate_button", "yes"),
        button(ctx.session, texts.plain(language, "nominate_consent_no"), "nominate_button", "no")),))


def press(ctx: Context, actor: Actor, args: Args) -> None:
    """The consent buttons (a fresh draft on yes) and Done (the draft becomes a nomination)."""
    account: Account = args["account"]
    language = account.person.language
    draft = draft_of(ctx.session, account)
    if args["answer"] == "no":
        ctx.reply(language, "nominate_needs_consent")
    elif args["answer"] == "yes":
        if draft is not None:
            ctx.session.delete(draft)  # a nomination left half-done: this one replaces it
        ctx.session.add(Nomination(campaign_id=ctx.campaign.id, account_id=account.id, proposer=account.key,
                                   consent_at=ctx.now, consent_note=DECLARED, status=NominationStatus.DRAFT,
                                   evidence=[], created_at=ctx.now, decided_by=""))
        account.state = AccountState.NOMINATE
        ctx.reply(language, PROMPTS[FIELDS[0]])
    elif args["answer"] == "done" and draft is not None and draft.achievement:
        draft.status = NominationStatus.PROPOSED
        account.state = AccountState.IDLE
        ctx.reply(language, "nominate_received", number=draft.id, name=draft.nominee_name, count=len(draft.evidence))
    else:
        ctx.reply(language, "button_stale")


def cancel(ctx: Context, account: Account) -> None:
    """/cancel while nominating: the draft and what it holds about the nominee are deleted."""
    if (draft := draft_of(ctx.session, account)) is not None:
        ctx.session.delete(draft)
    account.state = AccountState.IDLE
    ctx.reply(account.person.language, "nominate_cancelled")


def receive(ctx: Context, account: Account) -> None:
    """The next field, or evidence."""
    language = account.person.language
    draft = draft_of(ctx.session, account)
    if draft is None:
        cancel(ctx, account)
        return
    missing = next((name for name in FIELDS if not getattr(draft, name)), None)
    text = ctx.incoming.text.strip()
    if missing is not None:
        if not text:
            ctx.reply(language, PROMPTS[missing])
            return
        setattr(draft, missing, text)
        following = next((name for name in FIELDS if not getattr(draft, name)), None)
        if following is not None:
            ctx.reply(language, PROMPTS[following])
            return
    else:
        draft.evidence = [*draft.evidence, *evidence_of(ctx.incoming)]
    done_button = button(ctx.session, ctx.services.texts.plain(language, "nominate_done_button"), "nominate_button",
                         "done")
    ctx.reply(language, "nominate_ask_evidence", ((done_button,),), count=len(draft.evidence))


# --- the Youth Union's shortlist (actions) ----------------------------------------------------------

def show(job: Job, actor: Actor, args: Args) -> Outcome:
    """/nominations: the shortlist in order, then the others as they came."""
    language = job.staff_language
    return items_listing(job, [
        job.text(language, "nominations_item", number=n.id, name=n.nominee_name, unit=n.unit,
                 achievement=preview(n.achievement, 100), files=len(n.evidence),
                 place=job.text(language, "nominations_place", rank=n.rank) if n.rank else "")
        for n in of_campaign(job.session, job.campaign.id)], "nominations_header", "nominations_none")


def shortlist_one(job: Job, actor: Actor, args: Args) -> Outcome:
    """/shortlist N [POSITION]."""
    try:
        place(job.session, job.campaign.id, job.now, args["number"], args["position"], actor.who)
    except Refused as refusal:
        return refused(refusal.key, **refusal.values)
    job.session.flush()
    return show(job, actor, args)


def unshortlist_one(job: Job, actor: Actor, args: Args) -> Outcome:
    """/unshortlist N."""
    try:
        withdraw(job.session, job.campaign.id, job.now, args["number"], actor.who)
    except Refused as refusal:
        return refused(refusal.key, **refusal.values)
    return show(job, actor, args)
