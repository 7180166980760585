"""A young person's own data: `/mydata` shows what is stored, `/forget` erases it after a confirmation."""

from __future__ import annotations

from actions.buttons import button
from core.texts import Html, preview
from handlers.context import Context
from handlers.routing import status_name
from storage.models import Account, Nomination
from storage.nominations import about
from storage.privacy import forget_person
from storage.questions import questions_of


def show_data(ctx: Context, account: Account) -> None:
    language = account.person.language
    person = account.person
    district = ctx.settings.district(person.district_key or "")
    accounts = "\n".join(ctx.text(language, "mydata_account", platform=ctx.platform_name(language, a.platform),
                                  user_id=a.user_id, name=a.display_name or "–") for a in person.accounts)
    questions = [ctx.text(language, "mydata_question", code=q.code or "–", status=status_name(ctx, language, q),
                          text=preview(q.text, 80)) for q in questions_of(ctx.session, account, limit=50)]
    ctx.send(ctx.incoming.chat, ctx.text(
        language, "mydata", accounts=Html(accounts), district=district.name if district else "–",
        language_name=language, consent=ctx.local(person.consent_at) if person.consent_at else "–",
        questions=Html("\n".join(questions) or "–"), nominations=_nominations(ctx, account),
    ))


def _nominations(ctx: Context, account: Account) -> Html:
    """What the nominations they confirmed hold about them (the chat's evidence is counted: it stays on its
    platform); nothing when there are none."""
    language = account.person.language
    held = about(ctx.session, [a.id for a in account.person.accounts])
    if not held:
        return Html("")
    return ctx.text(language, "mydata_nominations", items=Html("\n".join(_nomination(ctx, language, n) for n in held)))


def _nomination(ctx: Context, language: str, nomination: Nomination) -> Html:
    status = "mydata_nomination_shortlisted" if nomination.rank else "mydata_nomination_proposed"
    return ctx.text(language, "mydata_nomination", number=nomination.id, name=nomination.nominee_name,
                    unit=nomination.unit, achievement=preview(nomination.achievement, 120),
                    count=len(nomination.evidence), status=ctx.text(language, status),
                    confirmed=ctx.local(nomination.consent_confirmed_at) if nomination.consent_confirmed_at else "–")


def ask_to_forget(ctx: Context, account: Account) -> None:
    language = account.person.language
    buttons = ((button(ctx.session, ctx.text(language, "forget_yes"), "forget_confirm", "yes"),
                button(ctx.session, ctx.text(language, "forget_no"), "forget_confirm", "no")),)
    ctx.reply(language, "forget_confirm", buttons)


def press_forget(ctx: Context, account: Account, answer: str) -> None:
    language = account.person.language
    if answer != "yes":
        ctx.reply(language, "forget_cancelled")
        return
    forget_person(ctx.session, account.person, ctx.now)
    # Nothing kept can reach them now (their reply window's contact is erased too), so the confirmation
    # replies to the message that asked for it: that alone addresses it.
    ctx.send(ctx.incoming.chat, ctx.text(language, "forget_done"), reply_to=ctx.incoming.message_id)
