"""/login: a staff member asks the bot, in a private chat, for a one-time link into the web console."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.orm import Session

from actions.model import Actor, Args, Outcome, Role, done, refused
from handlers.context import Job
from storage.staff import find_staff, issue_login_token


def staff_actor(session: Session, actor: Actor) -> Actor:
    """In a private chat the configuration knows only admins; the console's staff list knows the
    coordinators, officers and viewers too (admins manage it in the console)."""
    member = find_staff(session, actor.who)
    return replace(actor, roles=actor.roles | {Role(str(member.role))}) if member else actor


def send_login_link(job: Job, actor: Actor, _args: Args) -> Outcome:
    """Declared for private chats only (elsewhere: `login_private_only`): a link posted in a group could
    be opened by anyone there."""
    member = find_staff(job.session, actor.who)
    if member is None:
        return refused("login_not_staff")
    web = job.settings.web
    token = issue_login_token(job.session, member, job.now, timedelta(minutes=web.login_minutes))
    return done("login_link", url=f"{web.console_url}/login/{token}", minutes=web.login_minutes)
