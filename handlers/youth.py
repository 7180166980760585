"""Young people's actions (declared in actions/table.py): chat-bound, each with the account it acts for.

Dispatch runs these only for someone who consented (`args["account"]`), except `consent` itself.
"""

from __future__ import annotations

from actions.model import Actor, Args
from handlers import curation, followups, intake, linking, nominations, privacy
from handlers import reminders as usefulness
from handlers.context import Context
from storage.models import Account, Question


def my(ctx: Context, actor: Actor, args: Args) -> None:
    intake.list_questions(ctx, args["account"])


def lang(ctx: Context, actor: Actor, args: Args) -> None:
    """`/lang en` sets it; `/lang` offers the choice."""
    if args["code"]:
        intake.set_language(ctx, args["account"], args["code"].lower())
    else:
        intake.ask_language(ctx)


def district(ctx: Context, actor: Actor, args: Args) -> None:
    intake.ask_district(ctx, args["account"])


def cancel(ctx: Context, actor: Actor, args: Args) -> None:
    """Drops what is being written: a nomination, else the question drafts."""
    if nominations.waiting(args["account"]):
        nominations.cancel(ctx, args["account"])
    else:
        intake.cancel(ctx, args["account"], None)


def stop(ctx: Context, actor: Actor, args: Args) -> None:
    subscribe_to(ctx, args["account"], wanted=False)


def subscribe(ctx: Context, actor: Actor, args: Args) -> None:
    subscribe_to(ctx, args["account"], wanted=True)


def subscribe_to(ctx: Context, account: Account, wanted: bool) -> None:
    """Everyone who started the bot gets the organisers' announcements unless they say no."""
    account.subscribed = wanted
    account.unsubscribed_at = None if wanted else ctx.now
    ctx.reply(account.person.language, "subscribed" if wanted else "unsubscribed")


def link(ctx: Context, actor: Actor, args: Args) -> None:
    """`/link` gives a code; `/link CODE` on the other platform joins the two accounts."""
    if args["code"]:
        linking.redeem(ctx, args["account"], args["code"])
    else:
        linking.issue(ctx, args["account"])


def mydata(ctx: Context, actor: Actor, args: Args) -> None:
    privacy.show_data(ctx, args["account"])


def forget(ctx: Context, actor: Actor, args: Args) -> None:
    privacy.ask_to_forget(ctx, args["account"])


# --- buttons ------------------------------------------------------------------------------------

def consent(ctx: Context, actor: Actor, args: Args) -> None:
    """Before an account exists, the welcome's buttons; after, a second press just invites the question."""
    account: Account | None = args.get("account")
    if account is None:
        intake.give_consent(ctx, args["answer"] or "", args["hint"] or "")
    else:
        ctx.reply(account.person.language, "ask_prompt")


def choose_district(ctx: Context, actor: Actor, args: Args) -> None:
    intake.set_district(ctx, args["account"], args["key"] or "")


def choose_language(ctx: Context, actor: Actor, args: Args) -> None:
    intake.set_language(ctx, args["account"], args["code"] or "")


def _draft(ctx: Context, args: Args) -> Question | None:
    account: Account = args["account"]
    draft_id = args["draft"] or ""
    draft = intake.owned_draft(ctx.session, account, int(draft_id)) if draft_id.isdigit() else None
    if draft is None:
        ctx.reply(account.person.language, "button_stale")
    return draft


def confirm(ctx: Context, actor: Actor, args: Args) -> None:
    if (draft := _draft(ctx, args)) is not None:
        intake.accept(ctx, args["account"], draft, draft.suggested_category_key or ctx.settings.fallback_category)


def categories(ctx: Context, actor: Actor, args: Args) -> None:
    if (draft := _draft(ctx, args)) is not None:
        intake.show_categories(ctx, args["account"], draft)


def category(ctx: Context, actor: Actor, args: Args) -> None:
    if (draft := _draft(ctx, args)) is None:
        return
    if ctx.settings.category(args["key"] or "") is None:
        ctx.reply(args["account"].person.language, "button_stale")
    else:
        intake.accept(ctx, args["account"], draft, args["key"])


def cancel_draft(ctx: Context, actor: Actor, args: Args) -> None:
    if (draft := _draft(ctx, args)) is not None:
        intake.cancel(ctx, args["account"], draft)


def replace_draft(ctx: Context, actor: Actor, args: Args) -> None:
    if (draft := _draft(ctx, args)) is not None:
        intake.replace_draft(ctx, args["account"], draft)


def append_draft(ctx: Context, actor: Actor, args: Args) -> None:
    if (draft := _draft(ctx, args)) is not None:
        intake.append_to_draft(ctx, args["account"], draft)


def useful(ctx: Context, actor: Actor, args: Args) -> None:
    usefulness.record_usefulness(ctx, args["account"], args["question"] or "", args["verdict"] or "")


def forget_confirm(ctx: Context, actor: Actor, args: Args) -> None:
    privacy.press_forget(ctx, args["account"], args["answer"] or "")


def support(ctx: Context, actor: Actor, args: Args) -> None:
    curation.support(ctx, args["account"], args["question"] or "", args["draft"] or "")


def followup(ctx: Context, actor: Actor, args: Args) -> None:
    followups.start(ctx, args["account"], args["question"] or "")


def ask(ctx: Context, actor: Actor, args: Args) -> None:
    followups.ask_new(ctx, args["account"])
