"""Bans: a person is banned by a question code (standing for its asker, who stays hidden) or by
`platform:user_id`; the question itself is untouched."""

from __future__ import annotations

from actions.model import Actor, Args, Outcome, done, refused
from handlers.context import Job
from storage.models import Account, Person
from storage.questions import find_account, find_by_code


def ban(job: Job, actor: Actor, args: Args) -> Outcome:
    target: str = args["target"]
    person = _person(job, target)
    if person is None:
        return refused("ban_unknown", target=target)
    person.banned_at = job.now
    person.ban_reason = args["reason"] or None
    return done("ban_done" if ":" in target else "ban_done_asker", target=target)


def unban(job: Job, actor: Actor, args: Args) -> Outcome:
    target: str = args["target"]
    person = _person(job, target)
    if person is None:
        return refused("ban_unknown", target=target)
    person.banned_at = None
    person.ban_reason = None
    return done("unban_done" if ":" in target else "unban_done_asker", target=target)


def _person(job: Job, target: str) -> Person | None:
    """`platform:user_id`, or a question code standing for its asker (whose identity stays hidden)."""
    platform, sep, user_id = target.partition(":")
    account: Account | None
    if sep:
        account = find_account(job.session, platform, user_id)
    else:
        question = find_by_code(job.session, target, job.campaign.id)
        account = question.account if question else None
    return account.person if account else None
