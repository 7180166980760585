"""Honouring exemplary youth (issue 17, item 4): nominations, the Youth Union's ordered shortlist.

`propose`, `place` and `withdraw` work on plain inputs (a district union's form on the console calls
`propose` through the action `nomination_add`); the actions below them are declared in actions/table.py.
The chat flow lets a young person propose someone. It asks first whether the nominee agreed, and stores
nothing about them before that answer is yes; the nominee then confirms it themselves with the one-time
code the proposer hands on (`/consent CODE`, then a button). Until then the nomination cannot be
shortlisted; if the nominee says no, it is deleted.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from actions.buttons import button
from actions.model import Actor, Args, Outcome, done, refused
from core.messages import ACCEPTED_MEDIA, Incoming
from core.texts import preview
from handlers.context import Context, Job, items_listing
from handlers.evidence import Evidence, Upload, checked
from handlers.refused import Refused
from storage.curation import lock_agenda
from storage.models import Account, AccountState, Nomination, NominationFile, NominationStatus
from storage.nominations import by_consent_code, close_gaps, delete_nomination, draft_of, of_campaign, shortlist

# consent_note: how the nominee's consent was given
DECLARED = "declared_by_proposer"  # the chat flow: the proposer said the nominee agreed (to be confirmed)
CONFIRMED = "confirmed_by_nominee"  # the nominee confirmed it in their own chat, with the code
UNIT_DECLARED = "declared_by_unit"  # the console: the unit entering it declared the nominee's consent
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand
CODE_LENGTH = 8
FIELDS = ("nominee_name", "unit", "achievement")  # asked in this order
PROMPTS = {"nominee_name": "nominate_ask_name", "unit": "nominate_ask_unit", "achievement": "nominate_ask_achievement"}


def propose(session: Session, campaign_id: int, now: datetime, *, name: str, unit: str, achievement: str,
            files: Sequence[Evidence], unit_declared_consent: bool, proposer: str) -> Nomination:
    """A unit's complete nomination with its evidence files; the unit declares the nominee's consent, which
    is then recorded as confirmed (there is no chat of the nominee's to confirm it in)."""
    values = {"name": " ".join(name.split()), "unit": " ".join(unit.split()), "achievement": achievement.strip()}
    if not all(values.values()):
        raise Refused("nomination_incomplete")
    if not unit_declared_consent:
        raise Refused("nomination_consent_required")
    nomination = Nomination(campaign_id=campaign_id, nominee_name=values["name"], unit=values["unit"],
                            achievement=values["achievement"], evidence=[], consent_at=now,
                            consent_confirmed_at=now, consent_note=UNIT_DECLARED, proposer=proposer,
                            status=NominationStatus.PROPOSED, created_at=now, decided_by="")
    session.add(nomination)
    session.flush()
    stored = [NominationFile(nomination_id=nomination.id, file_name=f.file_name, mime_type=f.mime_type,
                             size=len(f.data), data=f.data, created_at=now) for f in files]
    session.add_all(stored)
    session.flush()
    nomination.evidence = [{"platform": "web", "kind": f.kind, "file_ref": str(row.id), "file_name": row.file_name,
                            "mime_type": row.mime_type, "size": row.size} for f, row in zip(files, stored, strict=True)]
    return nomination


def place(session: Session, campaign_id: int, now: datetime, number: int, position: int | None,
          actor: str) -> list[Nomination]:
    """Put a nomination on the shortlist at `position` (1-based; None: last), or move it there."""
    nomination = _nomination(session, campaign_id, number)
    if nomination.consent_confirmed_at is None:
        raise Refused("nomination_consent_pending", number=number)
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
    close_gaps(session, campaign_id)
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
        draft.status, draft.consent_code = NominationStatus.PROPOSED, new_code()
        account.state = AccountState.IDLE
        ctx.reply(language, "nominate_received", number=draft.id, name=draft.nominee_name, count=len(draft.evidence))
        ctx.reply(language, "nominate_consent_code", name=draft.nominee_name, code=draft.consent_code)
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


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def typed_code(text: str) -> str:
    """A code as typed: any case, spaces or dashes."""
    return "".join(c for c in text.upper() if c.isalnum())


# --- the nominee's own consent in the chat ----------------------------------------------------------

def ask_consent(ctx: Context, actor: Actor, args: Args) -> None:
    """/consent CODE: the nominee reads what was written about them and says yes or no with a button."""
    account: Account = args["account"]
    language = account.person.language
    code = typed_code(args["code"])
    nomination = _awaiting(ctx, account, code)
    if nomination is None:
        return
    texts = ctx.services.texts
    ctx.reply(language, "nominee_consent_ask", ((
        button(ctx.session, texts.plain(language, "nominee_consent_yes"), "nominee_consent_button", "yes", code),
        button(ctx.session, texts.plain(language, "nominee_consent_no"), "nominee_consent_button", "no", code)),),
        name=nomination.nominee_name, unit=nomination.unit, achievement=preview(nomination.achievement, 300),
        count=len(nomination.evidence))


def consent_press(ctx: Context, actor: Actor, args: Args) -> None:
    """Yes: confirmed from this account (their /mydata lists it, their /forget erases it), the code spent.
    No: the nomination and what it says about them are deleted."""
    account: Account = args["account"]
    language = account.person.language
    nomination = _awaiting(ctx, account, typed_code(args["code"] or ""))
    if nomination is None:
        return
    number, name = nomination.id, nomination.nominee_name
    proposer = ctx.session.get(Account, nomination.account_id) if nomination.account_id and nomination.proposer \
        else None  # not one who asked to be forgotten
    if args["answer"] == "yes":
        nomination.consent_confirmed_at, nomination.consent_note = ctx.now, CONFIRMED
        nomination.consent_code, nomination.nominee_account_id = None, account.id
        ctx.reply(language, "nominee_consent_confirmed", name=name)
    else:
        delete_nomination(ctx.session, nomination)
        ctx.reply(language, "nominee_consent_declined")
    if proposer is not None:
        ctx.tell_account(proposer, "nominate_nominee_agreed" if args["answer"] == "yes" else
                         "nominate_nominee_declined", number=number, name=name)


def _awaiting(ctx: Context, account: Account, code: str) -> Nomination | None:
    """The nomination waiting for this code's confirmation, unless the code is spent or the proposer's own."""
    nomination = by_consent_code(ctx.session, code) if code else None
    language = account.person.language
    if nomination is None:
        ctx.reply(language, "nominee_consent_code_unknown")
        return None
    if nomination.account_id == account.id:
        ctx.reply(language, "nominee_consent_not_yourself")
        return None
    return nomination


# --- a unit's nomination on the console (action nomination_add) -------------------------------------

def add(job: Job, actor: Actor, args: Args) -> Outcome:
    """The console's form: the fields, the unit's declaration of consent, the uploaded files (`given`)."""
    uploads: list[Upload] = list(args.get("files") or [])
    try:
        files = checked(uploads)
        nomination = propose(job.session, job.campaign.id, job.now, name=args["name"] or "", unit=args["unit"] or "",
                             achievement=args["achievement"] or "", files=files,
                             unit_declared_consent=args["consent"] == "yes", proposer=actor.who)
    except Refused as refusal:
        return refused(refusal.key, **refusal.values)
    return replace(done("nomination_added", number=nomination.id, name=nomination.nominee_name, count=len(files)),
                   detail={"nomination": nomination.id})


# --- the Youth Union's shortlist (actions) ----------------------------------------------------------

def show(job: Job, actor: Actor, args: Args) -> Outcome:
    """/nominations: the shortlist in order, then the others as they came."""
    language = job.staff_language
    return items_listing(job, [
        job.text(language, "nominations_item", number=n.id, name=n.nominee_name, unit=n.unit,
                 achievement=preview(n.achievement, 100), files=len(n.evidence),
                 place=_place(job, language, n))
        for n in of_campaign(job.session, job.campaign.id)], "nominations_header", "nominations_none")


def _place(job: Job, language: str, nomination: Nomination) -> str:
    """Its place on the list, or that it waits for the nominee's own consent (and cannot be shortlisted)."""
    if nomination.rank:
        return job.text(language, "nominations_place", rank=nomination.rank)
    return job.text(language, "nominations_waiting") if nomination.consent_confirmed_at is None else ""


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
