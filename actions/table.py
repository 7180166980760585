"""THE table: every command and button a person can use, declared once.

Dispatch (handlers/dispatch.py), the platforms' command menus (handlers/commands.py), each audience's
/help, the web console and the CLI all read it; actions/permissions.py decides with it who may use
what, where. docs/actions.md shows the policy as a table and how to add an action.
"""

from __future__ import annotations

from collections.abc import Iterable

from actions.model import Action, Argument, ChatHandler, Kind, Place, Role
from handlers import (
    admin,
    answers,
    audit_view,
    broadcasts,
    broadcasts_web,
    commitments,
    curation,
    deliveries,
    event_day,
    faq,
    help,
    learning,
    nominations,
    offline,
    reminders,
    reports,
    web_login,
    youth,
)

YOUTH = frozenset({Role.YOUTH})
PERSON = frozenset({Role.YOUTH, Role.ADMIN})  # buttons in a private chat: an admin may also be asking
OFFICERS = frozenset({Role.OFFICER})
COORDINATION = frozenset({Role.ADMIN, Role.COORDINATOR})
ADMINS = frozenset({Role.ADMIN})
EVERYONE = frozenset({Role.YOUTH, Role.OFFICER, Role.COORDINATOR, Role.ADMIN, Role.VIEWER})
LEADERS = frozenset({Role.VIEWER})  # read-only accounts of the web console: they may download the documents
CONSOLE_STAFF = EVERYONE - YOUTH  # whoever is on the web console's staff list

PRIVATE = frozenset({Place.PRIVATE})
DEPARTMENT = frozenset({Place.DEPARTMENT, Place.COORDINATOR, Place.WEB, Place.CLI})  # the coordinator chat
# may also be a department's (Home Affairs'): its officers work there as in any department chat
COORDINATING = frozenset({Place.PRIVATE, Place.COORDINATOR, Place.WEB, Place.CLI})
CURATING = COORDINATING | {Place.REVIEW}
CHATS = frozenset({Place.PRIVATE, Place.DEPARTMENT, Place.COORDINATOR, Place.REVIEW})
WEB = frozenset({Place.WEB})


def names(*words: str, vi: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Command names in each language (without "/"): the same words, and Vietnamese aliases."""
    return {"vi": (*words, *vi), "en": words}


def question(name: str = "question", required: bool = True) -> Argument:
    return Argument(name, Kind.QUESTION, required)


def published() -> Argument:
    return Argument("question", Kind.QUESTION, True, "publish_unknown")


def text(name: str, required: bool = False, error_key: str = "") -> Argument:
    return Argument(name, Kind.TEXT, required, error_key)


def word(name: str, required: bool = False, error_key: str = "") -> Argument:
    return Argument(name, Kind.WORD, required, error_key)


def person_button(name: str, code: str, chat: ChatHandler, *arguments: str) -> Action:
    """A button of a young person's conversation (an admin may be asking too); not staff work, so not audited."""
    return Action(name, PERSON, PRIVATE, arguments=tuple(word(a) for a in arguments), chat=chat, code=code,
                  audited=False)


ACTIONS: tuple[Action, ...] = (
    # --- everyone ---------------------------------------------------------------------------
    Action("help", EVERYONE, CHATS, names("help", "start", vi=("huongdan",)), handler=help.show, menu=True,
           audited=False),
    # --- staff: the web console's sign-in link (roles from the console's staff list: handlers/web_login.py)
    Action("login", CONSOLE_STAFF, PRIVATE, names("login", vi=("dangnhap",)), handler=web_login.send_login_link,
           elsewhere_key="login_private_only", menu=True, audited=False),
    # --- young people: commands -----------------------------------------------------------------
    Action("my", YOUTH, PRIVATE, names("my"), chat=youth.my, menu=True),
    Action("faq", YOUTH | COORDINATION, PRIVATE | {Place.COORDINATOR}, names("faq"), (text("query"),),
           handler=faq.search_faq, menu=True, audited=False),
    Action("district", YOUTH, PRIVATE, names("district"), chat=youth.district, menu=True),
    Action("lang", YOUTH, PRIVATE, names("lang", "language"), (word("code"),), chat=youth.lang, menu=True),
    Action("cancel", YOUTH, PRIVATE, names("cancel", vi=("huy",)), chat=youth.cancel, menu=True),
    Action("stop", YOUTH, PRIVATE, names("stop", "unsubscribe"), chat=youth.stop, menu=True),
    Action("subscribe", YOUTH, PRIVATE, names("subscribe"), chat=youth.subscribe, menu=True),
    Action("link", YOUTH, PRIVATE, names("link"), (word("code"),), chat=youth.link, menu=True),
    Action("nominate", YOUTH, PRIVATE, names("nominate", vi=("decu",)), chat=nominations.start, menu=True),
    Action("nominee_consent", YOUTH, PRIVATE, names("agree", vi=("dongy",)),
           (word("code", True, "nominee_consent_usage"),), chat=nominations.ask_consent),
    Action("mydata", YOUTH, PRIVATE, names("mydata"), chat=youth.mydata, menu=True),
    Action("forget", YOUTH, PRIVATE, names("forget"), chat=youth.forget, menu=True),
    # --- young people: buttons ------------------------------------------------------------------
    person_button("consent", "cs", youth.consent, "answer", "hint"),
    person_button("choose_district", "di", youth.choose_district, "key"),
    person_button("choose_language", "la", youth.choose_language, "code"),
    person_button("confirm", "ok", youth.confirm, "draft"),
    person_button("categories", "ca", youth.categories, "draft"),
    person_button("category", "cg", youth.category, "draft", "key"),
    person_button("cancel_draft", "cd", youth.cancel_draft, "draft"),
    person_button("replace_draft", "rd", youth.replace_draft, "draft"),
    person_button("append_draft", "ad", youth.append_draft, "draft"),
    person_button("useful", "us", youth.useful, "question", "verdict"),
    person_button("forget_confirm", "fg", youth.forget_confirm, "answer"),
    person_button("support", "sp", youth.support, "question", "draft"),
    person_button("followup", "fu", youth.followup, "question"),
    person_button("ask", "as", youth.ask),
    person_button("nominate_button", "nm", nominations.press, "answer"),
    person_button("nominee_consent_button", "nc", nominations.consent_press, "answer", "code"),
    # --- officers (an admin or the coordinator also, from the web) --------------------------------
    Action("pending", OFFICERS, DEPARTMENT, names("pending"), handler=answers.list_pending, menu=True,
           audited=False),
    Action("reassign", OFFICERS | COORDINATION, DEPARTMENT | COORDINATING, names("reassign"),
           (question(), Argument("department", Kind.DEPARTMENT, required=False)), handler=answers.reassign,
           usage_key="officer_usage", code="ra", menu=True),
    Action("reject", OFFICERS | COORDINATION, DEPARTMENT | COORDINATING, names("reject"),
           (question(), text("reason")), handler=answers.reject, usage_key="officer_usage", code="rj", menu=True),
    Action("answer", OFFICERS | COORDINATION, DEPARTMENT | COORDINATING,
           arguments=(question(), text("text", required=True, error_key="answer_empty")), handler=answers.answer),
    Action("transmittal", OFFICERS | COORDINATION | LEADERS, DEPARTMENT | COORDINATING, names("transmittal"),
           (Argument("department", Kind.DEPARTMENT, required=False, error_key="transmittal_usage"),),
           handler=reports.transmittal, menu=True),
    # --- commitments made in answers, followed up by the responsible department (docs/offline.md) ----
    Action("commit", COORDINATION, COORDINATING, names("commit"),
           (question(), word("due", True), text("what", True),  # the web names the department; the chat
            Argument("department", Kind.DEPARTMENT, False, "commitment_department_unknown")),  # in `what`
           handler=commitments.commit,
           usage_key="commitment_usage"),
    Action("commitments", OFFICERS | COORDINATION, DEPARTMENT | COORDINATING, names("commitments"),
           handler=commitments.show, menu=True, audited=False),
    Action("commitment", OFFICERS | COORDINATION, DEPARTMENT | COORDINATING, names("commitment"),
           (Argument("number", Kind.NUMBER, True, "commitment_status_usage"), word("status", True), text("note")),
           handler=commitments.change, usage_key="commitment_status_usage"),
    # --- curation: the Youth Union, the coordinator, the review chat -------------------------------
    Action("review", COORDINATION, CURATING, names("review"), handler=curation.list_review, menu=True,
           audited=False),
    Action("approve", COORDINATION, CURATING, names("approve"), (question(),), handler=curation.approve,
           usage_key="curation_usage", code="ap"),
    Action("clarify", COORDINATION, CURATING, names("clarify"), (question(), text("text")),
           handler=curation.clarify, usage_key="curation_usage", code="cl"),
    Action("decline", COORDINATION, CURATING, names("decline"), (question(), text("reason")),
           handler=curation.decline, usage_key="curation_usage", code="dc"),
    Action("merge", COORDINATION, CURATING, names("merge"), (question(), question("target")),
           handler=curation.merge, usage_key="curation_usage", code="mg"),
    # --- the dialogue day -------------------------------------------------------------------------
    Action("suggest", COORDINATION, CURATING, names("suggest"), (text("filter"),), handler=event_day.suggest,
           menu=True, audited=False),
    Action("agenda", COORDINATION, CURATING, names("agenda"), handler=event_day.show_agenda, menu=True,
           audited=False),
    Action("pick", COORDINATION, CURATING, names("pick"), (text("codes", required=True),), handler=event_day.pick,
           usage_key="curation_usage"),
    Action("unpick", COORDINATION, CURATING, names("unpick"), (question(),), handler=event_day.unpick_action,
           usage_key="curation_usage"),
    Action("move", COORDINATION, CURATING, names("move"), (question(), word("position", required=True)),
           handler=event_day.move, usage_key="curation_usage"),
    Action("live", COORDINATION, CURATING, names("live"),
           (question(), text("summary", required=True), text("speaker")),  # speaker: the web's form only
           handler=event_day.record_live, usage_key="curation_usage"),
    Action("present", COORDINATION, CURATING,  # the console's projector view (webconsole/event_day.py)
           arguments=(question(required=False), Argument("step", Kind.CHOICE, False, choices=("next", "previous"))),
           handler=event_day.present),
    # --- deliveries, reminders, bans, learning, reports ----------------------------------------------
    Action("queue", COORDINATION, COORDINATING, names("queue"), handler=deliveries.show_queue, menu=True,
           audited=False),
    Action("failed", COORDINATION, COORDINATING, names("failed"), handler=deliveries.show_failed, menu=True,
           audited=False),
    Action("resend", COORDINATION, COORDINATING, names("resend"), (word("id", required=True,
                                                                        error_key="admin_usage"),),
           handler=deliveries.resend),
    Action("reminders", COORDINATION, COORDINATING, names("reminders"), handler=reminders.list_upcoming,
           menu=True, audited=False),
    Action("pause_reminders", COORDINATION, COORDINATING, names("pause_reminders"), handler=reminders.pause),
    Action("resume_reminders", COORDINATION, COORDINATING, names("resume_reminders"), handler=reminders.resume),
    Action("send_now", COORDINATION, COORDINATING, names("send_now"), (word("id"),), handler=reminders.send_now),
    Action("nudge", COORDINATION, COORDINATING, names("nudge", vi=("nhac",)),
           (Argument("department", Kind.DEPARTMENT, error_key="nudge_usage"),), handler=reminders.nudge),
    Action("ban", COORDINATION, COORDINATING, names("ban"), (word("target", True, "ban_usage"), text("reason")),
           handler=admin.ban),
    Action("unban", COORDINATION, COORDINATING, names("unban"), (word("target", True, "ban_usage"),),
           handler=admin.unban),
    Action("learned", COORDINATION, COORDINATING, names("learned"), handler=learning.show, menu=True,
           audited=False),
    Action("learned_reset", COORDINATION, COORDINATING, names("learned reset"), handler=learning.reset),
    Action("report", COORDINATION | LEADERS, COORDINATING, names("report"), (word("format"),), handler=reports.report),
    Action("stats", COORDINATION, COORDINATING, names("stats"), handler=reports.stats, audited=False),
    Action("publish", COORDINATION, COORDINATING, names("publish"), (published(),), handler=reports.publish,
           usage_key="publish_usage"),
    Action("unpublish", COORDINATION, COORDINATING, names("unpublish"), (published(),), handler=reports.unpublish,
           usage_key="publish_usage"),
    Action("programme", COORDINATION | LEADERS, COORDINATING, names("programme"), handler=reports.programme, menu=True),
    Action("import_questions", COORDINATION, frozenset({Place.WEB, Place.CLI}), handler=offline.import_questions),
    # --- exemplary youth: units nominate, the Youth Union's admins decide the shortlist (docs/console.md) --
    Action("nominations", COORDINATION, COORDINATING, names("nominations"), handler=nominations.show, menu=True,
           audited=False),
    Action("nomination_add", COORDINATION, frozenset({Place.WEB}),
           arguments=(text("name"), text("unit"), text("achievement"), word("consent")), handler=nominations.add),
    Action("shortlist", ADMINS, COORDINATING, names("shortlist"),
           (Argument("number", Kind.NUMBER, True, "nominations_usage"),
            Argument("position", Kind.NUMBER, False, "shortlist_position_invalid")),
           handler=nominations.shortlist_one, usage_key="nominations_usage"),
    Action("unshortlist", ADMINS, COORDINATING, names("unshortlist"),
           (Argument("number", Kind.NUMBER, True, "nominations_usage"),), handler=nominations.unshortlist_one,
           usage_key="nominations_usage"),
    Action("audit", COORDINATION, COORDINATING, names("audit"), (question(required=False),), handler=audit_view.show,
           menu=True, audited=False),
    # --- broadcasts: admins compose in their private chat; managing one is coordination ---------------
    Action("broadcast", ADMINS, PRIVATE, names("broadcast"), (text("unknown"),), chat=broadcasts.compose, menu=True,
           elsewhere_key="broadcast_private_only"),
    Action("broadcast_start", ADMINS, WEB, arguments=(text("text", True, "console_broadcast_empty"), word("districts"),
           word("readers"), text("link_label"), word("link_url")), handler=broadcasts_web.start),
    Action("broadcast_list", COORDINATION, COORDINATING, names("broadcast list"), handler=broadcasts.show_list,
           audited=False),
    Action("broadcast_status", COORDINATION, COORDINATING, names("broadcast status"),
           (word("id", True, "broadcast_usage"),), handler=broadcasts.show_status, audited=False),
    Action("broadcast_pause", COORDINATION, COORDINATING, names("broadcast pause"),
           (word("id", True, "broadcast_usage"),), handler=broadcasts.pause),
    Action("broadcast_resume", COORDINATION, COORDINATING, names("broadcast resume"),
           (word("id", True, "broadcast_usage"),), handler=broadcasts.resume),
    Action("broadcast_cancel", COORDINATION, COORDINATING, names("broadcast cancel"),
           (word("id", True, "broadcast_usage"),), handler=broadcasts.cancel),
    Action("broadcast_edit", ADMINS, PRIVATE, names("broadcast edit"),
           (word("id", True, "broadcast_usage"),), chat=broadcasts.edit),
    Action("broadcast_delete", ADMINS, COORDINATING, names("broadcast delete"),
           (word("id", True, "broadcast_usage"),), chat=broadcasts.delete),
    *(Action(f"broadcast_{step}", ADMINS, PRIVATE | {Place.COORDINATOR}, arguments=(word("id"), word("argument")),
             chat=handler, code=code, audited=audited)
      for step, handler, code, audited in (
          ("everyone", broadcasts.to_everyone, "ba", False), ("language", broadcasts.toggle_language, "bl", False),
          ("district", broadcasts.toggle_district, "bd", False), ("next", broadcasts.next_step, "bn", False),
          ("link", broadcasts.ask_link, "bk", False), ("schedule", broadcasts.ask_time, "bs", False),
          ("send", broadcasts.send, "bg", True), ("drop", broadcasts.drop, "bx", False))),
)

_BY_NAME = {action.name: action for action in ACTIONS}
_BY_CODE = {action.code: action for action in ACTIONS if action.code}
_BY_COMMAND = {name: action for action in ACTIONS for name in action.names()}
assert len(_BY_NAME) == len(ACTIONS) and len(_BY_CODE) == sum(1 for a in ACTIONS if a.code)


def action_named(name: str) -> Action | None:
    return _BY_NAME.get(name)


def action_by_code(code: str) -> Action | None:
    return _BY_CODE.get(code)


def action_by_command(command: str, words: list[str]) -> tuple[Action, list[str]] | None:
    """The action a typed command names (in any language), two-word names first ("/broadcast list 3")."""
    name = command.lstrip("/").lower()
    if words and (action := _BY_COMMAND.get(f"{name} {words[0].lower()}")) is not None:
        return action, words[1:]
    action = _BY_COMMAND.get(name)
    return (action, words) if action is not None else None


def menu_actions() -> Iterable[Action]:
    return (action for action in ACTIONS if action.menu)
