"""Youth Union admins: ban and unban accounts that abuse the bot."""

from __future__ import annotations

from handlers.context import Context
from storage.models import Account, Person
from storage.questions import find_account, find_by_code


def is_admin(ctx: Context) -> bool:
    return ctx.incoming.account_key in ctx.settings.admins


def run_command(ctx: Context, command: str, arguments: list[str]) -> None:
    language = ctx.staff_language
    if not is_admin(ctx):
        ctx.reply(language, "not_admin")
        return
    if not arguments:
        ctx.reply(language, "ban_usage")
        return
    target = arguments[0]
    person = _person(ctx, target)
    if person is None:
        ctx.reply(language, "ban_unknown", target=target)
        return
    if command == "/ban":
        person.banned_at = ctx.now
        person.ban_reason = " ".join(arguments[1:]) or None
        ctx.reply(language, "ban_done", target=target)
    else:
        person.banned_at = None
        person.ban_reason = None
        ctx.reply(language, "unban_done", target=target)


def _person(ctx: Context, target: str) -> Person | None:
    """`platform:user_id`, or a question code standing for its asker (whose identity stays hidden)."""
    platform, sep, user_id = target.partition(":")
    account: Account | None
    if sep:
        account = find_account(ctx.session, platform, user_id)
    else:
        question = find_by_code(ctx.session, target, ctx.campaign.id)
        account = question.account if question else None
    return account.person if account else None
