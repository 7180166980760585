"""Linking one person's accounts on two platforms (Zalo and Telegram) with a one-time code.

Until linked, a person on Zalo and on Telegram is two people. `/link` gives a code; `/link CODE`
on the other platform joins that account to the first one's person, who keeps one district,
language and ban across both. Questions stay with the account they were asked from.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import update

from handlers.context import Context
from storage.models import Account, AccountState, LinkCode, Person

CODE_LIFETIME = timedelta(minutes=15)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8


def issue(ctx: Context, account: Account) -> None:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    ctx.session.add(LinkCode(code=code, account_id=account.id, created_at=ctx.now,
                             expires_at=ctx.now + CODE_LIFETIME))
    ctx.reply(account.person.language, "link_code_issued", code=code,
              minutes=int(CODE_LIFETIME.total_seconds() // 60))


def redeem(ctx: Context, account: Account, typed: str) -> None:
    language = account.person.language
    link = ctx.session.get(LinkCode, typed.strip().upper())
    if link is None:
        ctx.reply(language, "link_code_unknown", code=typed)
        return
    owner = ctx.session.get_one(Account, link.account_id)
    if owner.platform == account.platform:
        ctx.reply(language, "link_same_platform")
    elif owner.person_id == account.person_id:
        ctx.reply(language, "link_already")
    elif not _claim(ctx, link.code, account):
        ctx.reply(language, "link_code_expired")
    else:
        join(ctx, account, owner.person)
        language = account.person.language
        ctx.reply(language, "link_done", platform=ctx.platform_name(language, owner.platform))
        ctx.tell_account(owner, "link_done", platform=ctx.platform_name(language, account.platform))


def _claim(ctx: Context, code: str, account: Account) -> bool:
    """Use the code once: two accounts typing it at the same moment cannot both link."""
    result = ctx.session.execute(
        update(LinkCode)
        .where(LinkCode.code == code, LinkCode.used_at.is_(None), LinkCode.expires_at > ctx.now)
        .values(used_at=ctx.now, used_by_account_id=account.id)
    )
    return result.rowcount == 1


def join(ctx: Context, account: Account, person: Person) -> None:
    """Move the account to `person`; a ban on either side stays, an empty profile is filled, and
    an account that was choosing its unit stops once the person has one."""
    former = account.person
    account.person = person
    if former.banned_at is not None and person.banned_at is None:
        person.banned_at, person.ban_reason = former.banned_at, former.ban_reason
    person.district_key = person.district_key or former.district_key
    ctx.session.flush()
    for linked in person.accounts:
        if linked.state == AccountState.DISTRICT and person.district_key:
            linked.state = AccountState.IDLE  # the person has a unit: the next message is a question, not a unit name
    if not former.accounts:
        ctx.session.delete(former)  # nothing else refers to a person: keep no personal data twice
