"""The entry point of the product's logic: one `Incoming`, decided on plain data.

Private chats belong to young people (and admins); group chats to departments. A typed
number stands for the button of that number in the chat's newest menu, so platforms
without buttons run the same flows.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from core.channels import sendable
from core.config import Department
from core.messages import Incoming
from core.naming import districts_named
from handlers import (
    admin,
    answers,
    broadcasts,
    commitments,
    curation,
    faq,
    followups,
    intake,
    linking,
    nominations,
    privacy,
    reminders,
    reports,
    zalo_window,
)
from handlers.commands import OFFICER_COMMANDS
from handlers.context import Context
from handlers.limits import count_message
from storage.models import Account, ChatMenu, Question
from storage.questions import find_account

log = logging.getLogger(__name__)

def handle(ctx: Context) -> None:
    ctx.incoming = resolve_menu(ctx, ctx.incoming)
    command, arguments = parse_command(ctx.incoming.text)
    if ctx.incoming.button_data.startswith("bc:"):
        broadcasts.press(ctx)
    elif command in admin.ADMIN_COMMANDS and not ctx.incoming.edited:
        admin.run_command(ctx, command, arguments)
    elif command in reports.REPORT_COMMANDS and not ctx.incoming.edited:
        reports.run_command(ctx, command, arguments)
    elif commitments.claims(ctx, command):
        commitments.run_command(ctx, command, arguments)
    elif nominations.claims(ctx, command):
        nominations.run_command(ctx, command, arguments)
    elif curation.claims(ctx, command):
        curation.handle(ctx, command, arguments)
    elif ctx.incoming.is_private and broadcasts.wants_input(ctx):
        broadcasts.receive_input(ctx)
    elif ctx.incoming.is_private:
        handle_private(ctx, command)
    else:
        handle_group(ctx, command, arguments)


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


# --- private chats ------------------------------------------------------------------

def handle_private(ctx: Context, command: str) -> None:
    incoming = ctx.incoming
    account = find_account(ctx.session, incoming.platform, incoming.user_id)
    if account is None:
        if incoming.button_data.startswith("consent:"):
            intake.give_consent(ctx, incoming.button_data.partition(":")[2])
        else:
            intake.welcome(ctx)
        return
    if account.person.banned_at is not None:
        ctx.reply(account.person.language, "banned")
        return
    account.blocked_at = None  # writing to the bot undoes a block
    zalo_window.release_held(ctx, account)
    verdict = count_message(account, ctx.now, ctx.settings.limits.messages_per_minute)
    if verdict != "ok":
        if verdict == "warn":
            ctx.reply(account.person.language, "rate_limited_messages")
        return
    if incoming.edited:
        intake.receive_edit(ctx, account)
    elif incoming.button_data:
        press_youth_button(ctx, account, incoming.button_data)
    elif nominations.waiting(account) and command in ("", "/cancel"):
        nominations.receive(ctx, account, command)
    elif command:
        run_youth_command(ctx, account, command)
    elif incoming.reply_to_message_id and intake.receive_followup(ctx, account):
        return
    elif followups.waiting(account):
        followups.receive(ctx, account)
    elif account.state == "district" and not incoming.attachments:
        choose_district_by_name(ctx, account, incoming.text)
    else:
        intake.receive_message(ctx, account)


def run_youth_command(ctx: Context, account: Account, command: str) -> None:
    language = account.person.language
    if command in ("/start", "/help"):
        ctx.reply(language, "help", sendable=sendable(ctx.services.texts, language, account.platform))
    elif command == "/my":
        intake.list_questions(ctx, account)
    elif command in ("/lang", "/language"):
        intake.ask_language(ctx)
    elif command == "/district":
        intake.ask_district(ctx, account)
    elif command == "/cancel":
        intake.cancel(ctx, account, None)
    elif command == "/faq":
        faq.search_faq(ctx, account, ctx.incoming.text.partition(" ")[2])
    elif command == "/mydata":
        privacy.show_data(ctx, account)
    elif command == "/forget":
        privacy.ask_to_forget(ctx, account)
    elif command in ("/stop", "/unsubscribe", "/subscribe"):
        subscribe(ctx, account, command == "/subscribe")
    elif command == "/nominate":
        nominations.start(ctx, account)
    elif command == "/link":
        linking.run_command(ctx, account, parse_command(ctx.incoming.text)[1])
    else:
        ctx.reply(language, "unknown_command", command=command)


def subscribe(ctx: Context, account: Account, wanted: bool) -> None:
    """Everyone who started the bot gets the organisers' announcements unless they say no."""
    account.subscribed = wanted
    account.unsubscribed_at = None if wanted else ctx.now
    ctx.reply(account.person.language, "subscribed" if wanted else "unsubscribed")


def press_youth_button(ctx: Context, account: Account, data: str) -> None:
    action, _, argument = data.partition(":")
    if action == "district":
        intake.set_district(ctx, account, argument)
    elif action == "lang":
        intake.set_language(ctx, account, argument)
    elif action == "consent":
        ctx.reply(account.person.language, "ask_prompt")
    elif action in ("confirm", "categories", "category", "cancel", "replace", "append"):
        press_draft_button(ctx, account, action, argument)
    elif action == "useful":
        reminders.record_usefulness(ctx, account, argument)
    elif action == "forget":
        privacy.press_forget(ctx, account, argument)
    elif action == "support":
        curation.support(ctx, account, argument)
    elif action == "followup":
        followups.start(ctx, account, argument)
    elif action == "ask":
        followups.ask_new(ctx, account)
    elif action == "nominate":
        nominations.press(ctx, account, argument)
    else:
        ctx.reply(account.person.language, "button_stale")


def press_draft_button(ctx: Context, account: Account, action: str, argument: str) -> None:
    question_id, _, category_key = argument.partition(":")
    draft = intake.owned_draft(ctx.session, account, int(question_id)) if question_id.isdigit() else None
    if draft is None:
        ctx.reply(account.person.language, "button_stale")
    elif action == "confirm":
        intake.accept(ctx, account, draft, draft.suggested_category_key or ctx.settings.fallback_category)
    elif action == "categories":
        intake.show_categories(ctx, account, draft)
    elif action == "cancel":
        intake.cancel(ctx, account, draft)
    elif action == "replace":
        intake.replace_draft(ctx, account, draft)
    elif action == "append":
        intake.append_to_draft(ctx, account, draft)
    elif ctx.settings.category(category_key) is not None:
        intake.accept(ctx, account, draft, category_key)
    else:
        ctx.reply(account.person.language, "button_stale")


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


# --- group chats -----------------------------------------------------------------------

def handle_group(ctx: Context, command: str, arguments: list[str]) -> None:
    incoming = ctx.incoming
    department = ctx.settings.department_for_chat(incoming.chat)
    if department is None:
        if incoming.chat != ctx.settings.coordinator_chat:
            log.info("message in group %s, which is no department's chat (put it in the config?)", incoming.chat)
        elif command == "/help":  # the coordinator chat's menu offers it
            admin.show_help(ctx)
        return
    if incoming.edited:
        answers.receive_answer_edit(ctx, department)
    elif incoming.button_data:
        press_officer_button(ctx, department, incoming.button_data)
    elif command.lstrip("/") in OFFICER_COMMANDS:
        answers.run_command(ctx, department, command, arguments)
    elif incoming.reply_to_message_id:
        answers.receive_reply(ctx, department)


def press_officer_button(ctx: Context, department: Department, data: str) -> None:
    action, _, rest = data.partition(":")
    question_id, _, argument = rest.partition(":")
    question = ctx.session.get(Question, int(question_id)) if question_id.isdigit() else None
    if question is None or action not in ("reassign", "reassign_to", "reject"):
        ctx.reply(ctx.staff_language, "button_stale")
        return
    answers.press_button(ctx, department, action, question, argument)
