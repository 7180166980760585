"""The entry point of the product's logic: one `Incoming`, decided on plain data.

A typed number stands for the button of that number in the chat's newest menu; a command (in any
language) or a button names an action of actions/table.py, which `perform` runs for the actor the
chat makes of the sender. What is not an action — a question's text, a reply to a card, the answer
to a prompt — is conversation, routed by the state it answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from actions import codec
from actions.buttons import rows
from actions.model import Action, Actor, Outcome, Place, Role, Status, Surface
from actions.perform import perform
from actions.permissions import actor_for
from actions.table import action_by_code, action_by_command, action_named
from core.messages import Incoming
from core.naming import districts_named
from handlers import answers, broadcasts, digests, followups, intake, nominations, reply_window, web_login
from handlers.answers import ANSWERED_BY_REPLY, Source
from handlers.context import Context
from handlers.limits import Verdict, count_message
from storage.models import Account, AccountState, ChatMenu, LinkRole, Question
from storage.questions import find_account, linked_question

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Request:
    """An action asked for by a command or a button, with its raw words."""

    action: Action | None  # None: a button the codec did not sign, or an unknown command
    words: list[str] = field(default_factory=list)
    command: str = ""


def handle(ctx: Context) -> None:
    typed = ctx.incoming
    ctx.incoming = resolve_menu(ctx, typed)
    surface = surface_of(typed, ctx.incoming)
    actor = actor_for(ctx.settings, ctx.incoming, surface)
    request = requested(ctx)
    # an admin's draft awaits typed input (only admins compose: no lookup for the others)
    drafting = ctx.incoming.is_private and Role.ADMIN in actor.roles and broadcasts.wants_input(ctx)
    if drafting and request is None:
        broadcasts.receive_input(ctx)
    elif drafting and request is not None and request.action is action_named("cancel"):
        broadcasts.abandon(ctx)
    elif request is not None and request.action is action_named("login") and not ctx.incoming.edited:
        run(ctx, web_login.staff_actor(ctx.session, actor), request)  # staff need no account to sign in
    elif actor.place == Place.GROUP:
        log.info("message in group %s, which is no department's chat (put it in the config?)", ctx.incoming.chat)
    elif ctx.incoming.is_private and (Role.YOUTH in actor.roles or personal(request)):
        handle_youth(ctx, actor, request)
    elif request is not None and not ctx.incoming.edited:
        run(ctx, actor, request)
    else:
        converse(ctx, actor)


def personal(request: Request | None) -> bool:
    """A button of a young person's conversation, pressed by an admin who is asking too: it needs their
    account (an admin's typed commands are staff's: /help, /faq and the others answer as staff)."""
    action = request.action if request is not None else None
    return action is not None and action.buttons and Role.YOUTH in action.roles


def surface_of(typed: Incoming, incoming: Incoming) -> Surface:
    if incoming.button_data:
        return Surface.NUMBER if not typed.button_data else Surface.BUTTON
    return Surface.REPLY if incoming.reply_to_message_id and not incoming.text.startswith("/") else Surface.COMMAND


def resolve_menu(ctx: Context, incoming: Incoming) -> Incoming:
    text = incoming.text.strip()
    if incoming.button_data or incoming.edited or incoming.reply_to_message_id or not text.isdigit():
        return incoming
    menu = ctx.session.get(ChatMenu, (incoming.platform, incoming.chat_id))
    index = int(text) - 1
    if menu is None or not 0 <= index < len(menu.options):
        return incoming
    return replace(incoming, text="", button_data=menu.options[index])


def parse_command(text: str) -> tuple[str, list[str]]:
    """'/Reject@youthbot HY-1 lý do' → ('/reject', ['HY-1', 'lý', 'do']); ('', []) for plain text."""
    if not text.startswith("/"):
        return "", []
    head, *arguments = text.split()
    return head.split("@", 1)[0].lower(), arguments


def requested(ctx: Context) -> Request | None:
    """The action a button or a command asks for; None for conversation."""
    incoming = ctx.incoming
    if incoming.button_data:
        decoded = codec.decode(ctx.session, incoming.button_data)
        if decoded is None:
            return Request(None)
        return Request(action_by_code(decoded[0]), list(decoded[1]))
    command, arguments = parse_command(incoming.text)
    if not command:
        return None
    found = action_by_command(command, arguments)
    return Request(found[0], found[1], command) if found else Request(None, arguments, command)


def run(ctx: Context, actor: Actor, request: Request, language: str = "", **given: Any) -> None:
    """Perform the requested action and show its outcome in the chat."""
    if request.action is None:
        stale = ctx.incoming.button_data and actor.place != Place.GROUP
        if stale or ctx.incoming.is_private:
            ctx.reply(language or ctx.staff_language, "button_stale" if stale else "unknown_command",
                      command=request.command)
        return
    source = Source(ctx.incoming.platform, ctx.incoming.chat_id, ctx.incoming.message_id)
    outcome = perform(ctx, ctx.campaign, actor, request.action.name, request.words,
                      given={"source": source, "language": language or ctx.staff_language, **given})
    render(ctx, outcome, language or ctx.staff_language)


def render(ctx: Context, outcome: Outcome, language: str) -> None:
    """The outcome as the reply in the chat the action came from; a prompt when it awaits typed text."""
    if outcome.status == Status.IGNORED or (outcome.quiet and outcome.ok) or not (outcome.key or outcome.html):
        return
    html = outcome.html if outcome.html is not None else ctx.text(language, outcome.key, **outcome.values)
    buttons = rows(ctx.session, outcome.choices)
    if outcome.awaits:
        question = ctx.session.get(Question, outcome.question_id) if outcome.question_id else None
        ctx.prompt(html, buttons, question=question, link_role=outcome.awaits)
        return
    quote = "" if ctx.incoming.is_private else ctx.incoming.message_id
    ctx.send(ctx.incoming.chat, html, buttons, reply_to=quote, attachments=outcome.attachments)


# --- young people -----------------------------------------------------------------------------

def handle_youth(ctx: Context, actor: Actor, request: Request | None) -> None:
    incoming = ctx.incoming
    account = find_account(ctx.session, incoming.platform, incoming.user_id)
    if account is None:
        if request is not None and request.action is not None and request.action.name == "consent":
            run(ctx, actor, request, intake.starting_language(ctx), account=None)
        else:
            intake.welcome(ctx)
        return
    language = account.person.language
    if account.person.banned_at is not None:
        ctx.reply(language, "banned")
        return
    account.blocked_at = None  # writing to the bot undoes a block
    reply_window.release_held(ctx, account)
    verdict = count_message(account, ctx.now, ctx.settings.limits.messages_per_minute)
    if verdict != Verdict.OK:
        if verdict == Verdict.WARN:
            ctx.reply(language, "rate_limited_messages")
        return
    if incoming.edited:
        intake.receive_edit(ctx, account)
    elif request is not None:
        run(ctx, actor, request, language, account=account)
    else:
        converse_youth(ctx, account)


def converse_youth(ctx: Context, account: Account) -> None:
    incoming = ctx.incoming
    if incoming.reply_to_message_id and intake.receive_followup(ctx, account):
        return
    if followups.waiting(account):
        followups.receive(ctx, account)
    elif nominations.waiting(account):
        nominations.receive(ctx, account)
    elif account.state == AccountState.DISTRICT and not incoming.attachments:
        choose_district_by_name(ctx, account, incoming.text)
    else:
        intake.receive_message(ctx, account)


def choose_district_by_name(ctx: Context, account: Account, text: str) -> None:
    """While choosing a district, a typed name ("van giang") works as well as the button.

    Typed words must be whole words of one district's name (diacritics ignored): "an" is not
    in "Thành phố", and "Văn" fits Văn Lâm and Văn Giang alike, so then those two are offered.
    """
    fitting = districts_named(ctx.settings.districts, text)
    if len(fitting) == 1:
        intake.set_district(ctx, account, fitting[0].key)
    else:
        intake.ask_district(ctx, account, fitting)


# --- staff conversation -------------------------------------------------------------------------

def converse(ctx: Context, actor: Actor) -> None:
    """Staff's words that are no command: edits of answers, replies to the bot's messages (answers,
    reasons, clarifications), an admin's broadcast draft, and an admin's own messages as a person."""
    incoming = ctx.incoming
    department = ctx.settings.department_for_chat(incoming.chat)
    if incoming.edited:
        if department is not None:
            answers.receive_answer_edit(ctx, department)
        return
    if incoming.reply_to_message_id and reply_to_bot(ctx, actor):
        return
    if incoming.is_private:
        handle_youth(ctx, replace(actor, roles=actor.roles | {Role.YOUTH}), None)


# A prompt's link role → the action its reply performs, and the argument the reply's text is.
PROMPTED = {LinkRole.CLARIFY: ("clarify", "text"), LinkRole.DECLINE: ("decline", "reason"),
            LinkRole.REJECT: ("reject", "reason"), LinkRole.REASSIGN: ("reassign", "department")}


def reply_to_bot(ctx: Context, actor: Actor) -> bool:
    """A reply to one of the bot's messages about a question is the action that message asked for;
    False when it is about none (officers talking among themselves)."""
    incoming = ctx.incoming
    found = linked_question(ctx.session, incoming.platform, incoming.chat_id, incoming.reply_to_message_id)
    if found is None:
        return False
    question, role = found
    text = incoming.text.strip()
    if role in PROMPTED:
        name, argument = PROMPTED[LinkRole(role)]
    elif actor.department is None:
        return False
    else:
        if role in (LinkRole.DIGEST, LinkRole.NOTICES):
            named, text = digests.question_of_reply(ctx, question)
            if named is None:
                return True
            question = named
        name, argument = "answer", "text"
        addition = not (role in ANSWERED_BY_REPLY or not question.answers)
        return _reply(ctx, actor, name, {"question": question, "addition": addition}, {argument: text})
    return _reply(ctx, actor, name, {"question": question}, {argument: text})


def _reply(ctx: Context, actor: Actor, name: str, given: dict[str, Any], typed: dict[str, str]) -> bool:
    if not next(iter(typed.values())):
        key = "answer_empty" if name == "answer" else "curation_text_missing"
        ctx.reply(ctx.staff_language, key)
        return True
    source = Source(ctx.incoming.platform, ctx.incoming.chat_id, ctx.incoming.message_id)
    outcome = perform(ctx, ctx.campaign, actor, name, typed, Surface.REPLY, given={"source": source, **given})
    render(ctx, outcome, ctx.staff_language)
    return True
