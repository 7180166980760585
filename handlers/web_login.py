"""/login: a staff member asks the bot, in a private chat, for a one-time link into the web console."""

from __future__ import annotations

from datetime import timedelta

from handlers.context import Context
from storage.staff import find_staff, issue_login_token


def send_login_link(ctx: Context) -> None:
    """Only in a private chat: a link posted in a group could be opened by anyone there."""
    language = ctx.staff_language
    if not ctx.incoming.is_private:
        ctx.reply(language, "login_private_only")
        return
    member = find_staff(ctx.session, ctx.incoming.account_key)
    if member is None:
        ctx.reply(language, "login_not_staff")
        return
    web = ctx.settings.web
    token = issue_login_token(ctx.session, member, ctx.now, timedelta(minutes=web.login_minutes))
    ctx.reply(language, "login_link", url=f"{web.console_url}/login/{token}", minutes=web.login_minutes)
