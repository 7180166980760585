"""Honouring exemplary youth (issue 17, item 4): nominations, the Youth Union's ordered shortlist.

`propose`, `place` and `withdraw` work on plain inputs (a district union's form on the console will call
`propose`); the chat flow below lets a young person propose someone. It asks first whether the nominee
agreed, and stores nothing about them before that answer is yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.messages import ACCEPTED_MEDIA, Button, Incoming
from core.texts import preview
from handlers.admin import may_administer
from handlers.context import Context
from handlers.refused import Refused
from storage.curation import lock_agenda
from storage.models import Account, Nomination, NominationStatus
from storage.nominations import draft_of, of_campaign, shortlist

STATE = "nominate"  # the account's state while it fills a nomination in
STAFF_COMMANDS = ("/nominations", "/shortlist", "/unshortlist")
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
    return account.state == STATE


def start(ctx: Context, account: Account) -> None:
    """/nominate: consent first; nothing about the nominee is stored before it."""
    language = account.person.language
    texts = ctx.services.texts
    ctx.reply(language, "nominate_consent", ((Button(texts.plain(language, "nominate_consent_yes"), "nominate:yes"),
                                              Button(texts.plain(language, "nominate_consent_no"), "nominate:no")),))


def press(ctx: Context, account: Account, argument: str) -> None:
    language = account.person.language
    if argument == "no":
        ctx.reply(language, "nominate_needs_consent")
    elif argument == "yes" and draft_of(ctx.session, account) is None:
        ctx.session.add(Nomination(campaign_id=ctx.campaign.id, account_id=account.id, proposer=account.key,
                                   consent_at=ctx.now, consent_note=DECLARED, status=NominationStatus.DRAFT,
                                   evidence=[], created_at=ctx.now, decided_by=""))
        account.state = STATE
        ctx.reply(language, PROMPTS[FIELDS[0]])
    elif argument == "done" and (draft := draft_of(ctx.session, account)) is not None and draft.achievement:
        draft.status = NominationStatus.PROPOSED
        account.state = ""
        ctx.reply(language, "nominate_received", number=draft.id, name=draft.nominee_name,
                  count=len(draft.evidence))
    else:
        ctx.reply(language, "button_stale")


def receive(ctx: Context, account: Account, command: str) -> None:
    """The next field, or evidence; /cancel drops the draft."""
    language = account.person.language
    draft = draft_of(ctx.session, account)
    if draft is None or command == "/cancel":
        if draft is not None:
            ctx.session.delete(draft)
        account.state = ""
        ctx.reply(language, "nominate_cancelled")
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
    done = ((Button(ctx.services.texts.plain(language, "nominate_done_button"), "nominate:done"),),)
    ctx.reply(language, "nominate_ask_evidence", done, count=len(draft.evidence))


# --- the Youth Union's shortlist ------------------------------------------------------------------

def claims(ctx: Context, command: str) -> bool:
    return command in STAFF_COMMANDS and not ctx.incoming.edited and may_administer(ctx)


def run_command(ctx: Context, command: str, arguments: list[str]) -> None:
    """/nominations; /shortlist N [POSITION]; /unshortlist N."""
    language = ctx.staff_language
    numbers = [int(a.lstrip("#")) for a in arguments if a.lstrip("#").isdigit()]
    try:
        if command == "/shortlist" and numbers:
            place(ctx.session, ctx.campaign.id, ctx.now, numbers[0], numbers[1] if len(numbers) > 1 else None,
                  ctx.incoming.account_key)
        elif command == "/unshortlist" and numbers:
            withdraw(ctx.session, ctx.campaign.id, ctx.now, numbers[0], ctx.incoming.account_key)
        elif command != "/nominations":
            raise Refused("nominations_usage")
    except Refused as refused:
        ctx.reply(language, refused.key, **refused.values)
        return
    ctx.session.flush()
    show(ctx)


def show(ctx: Context) -> None:
    language = ctx.staff_language
    ctx.reply_items([ctx.text(language, "nominations_item", number=n.id, name=n.nominee_name, unit=n.unit,
                              achievement=preview(n.achievement, 100), files=len(n.evidence),
                              place=ctx.text(language, "nominations_place", rank=n.rank) if n.rank else "")
                     for n in of_campaign(ctx.session, ctx.campaign.id)], "nominations_header", "nominations_none")
