"""Youth Union admins and the coordinator chat: bans, deliveries, reminders and broadcasts."""

from __future__ import annotations

from handlers import broadcasts, deliveries, learning, reminders
from handlers.commands import ADMIN_MENU
from handlers.context import Context
from storage.models import Account, Person
from storage.questions import find_account, find_by_code

ADMIN_COMMANDS = ("/ban", "/unban", "/queue", "/failed", "/resend",
                  "/reminders", "/pause_reminders", "/resume_reminders", "/send_now", "/broadcast", "/learned")


def may_administer(ctx: Context) -> bool:
    """Admins anywhere, and anyone in the coordinator chat (Home Affairs staff)."""
    return ctx.incoming.account_key in ctx.settings.admins or ctx.incoming.chat == ctx.settings.coordinator_chat


def run_command(ctx: Context, command: str, arguments: list[str]) -> None:
    language = ctx.staff_language
    if not may_administer(ctx):
        ctx.reply(language, "not_admin")
    elif command == "/queue":
        deliveries.show_queue(ctx)
    elif command == "/failed":
        deliveries.show_failed(ctx)
    elif command == "/resend" and arguments:
        deliveries.resend(ctx, arguments[0])
    elif command == "/resend":
        ctx.reply(language, "admin_usage")
    elif command == "/reminders":
        reminders.list_upcoming(ctx)
    elif command in ("/pause_reminders", "/resume_reminders"):
        reminders.pause(ctx, paused=command == "/pause_reminders")
    elif command == "/send_now":
        reminders.send_now(ctx, arguments[0] if arguments else "")
    elif command == "/broadcast":
        broadcasts.run_command(ctx, arguments)
    elif command == "/learned":
        learning.run_command(ctx, arguments)
    else:
        ban_or_unban(ctx, command, arguments)


def show_help(ctx: Context) -> None:
    """The staff menu's commands with their descriptions, for chats whose /help is not the young people's."""
    language = ctx.staff_language
    lines = [ctx.text(language, "staff_help_header")]
    lines += [ctx.text(language, "staff_help_item", command=f"/{name}",
                       description=ctx.text(language, f"command_{name}"))
              for name in ADMIN_MENU if name != "help"]
    ctx.send(ctx.incoming.chat, "\n".join(lines))


def ban_or_unban(ctx: Context, command: str, arguments: list[str]) -> None:
    language = ctx.staff_language
    if not arguments:
        ctx.reply(language, "ban_usage")
        return
    target = arguments[0]
    person = _person(ctx, target)
    if person is None:
        ctx.reply(language, "ban_unknown", target=target)
        return
    by_code = ":" not in target  # a question code stands for its asker: say so, the question is untouched
    if command == "/ban":
        person.banned_at = ctx.now
        person.ban_reason = " ".join(arguments[1:]) or None
        ctx.reply(language, "ban_done_asker" if by_code else "ban_done", target=target)
    else:
        person.banned_at = None
        person.ban_reason = None
        ctx.reply(language, "unban_done_asker" if by_code else "unban_done", target=target)


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
