"""Follow-ups where a reply cannot be told from a new message (Zalo's updates carry no reply
reference): the answer offers a numbered choice (`handlers.followers.tell_answer`), and after
"follow up" the next message goes to the question's department instead of becoming a new question."""

from __future__ import annotations

from handlers import intake
from handlers.context import Context
from storage.curation import supporters
from storage.models import Account, AccountState, Question


def start(ctx: Context, account: Account, question_id: str) -> None:
    """"Follow up on HY-0001" was chosen: the next message is that follow-up."""
    question = ctx.session.get(Question, int(question_id)) if question_id.isdigit() else None
    if question is None or account.id not in {question.account_id, *followers_of(ctx, question)}:
        ctx.reply(account.person.language, "button_stale")
        return
    account.state = f"{AccountState.FOLLOWUP}:{question.id}"
    ctx.reply(account.person.language, "followup_prompt", code=question.code)


def followers_of(ctx: Context, question: Question) -> set[int]:
    """The accounts that received its answer besides the asker's: they may follow up too."""
    return {support.account_id for support in supporters(ctx.session, question.id)}


def ask_new(ctx: Context, account: Account) -> None:
    account.state = AccountState.IDLE
    ctx.reply(account.person.language, "ask_prompt")


def waiting(account: Account) -> bool:
    return account.state.partition(":")[0] == AccountState.FOLLOWUP


def receive(ctx: Context, account: Account) -> None:
    """The follow-up itself, once; a closed question is said so, as for a reply."""
    question_id = account.state.partition(":")[2]
    account.state = AccountState.IDLE
    question = ctx.session.get(Question, int(question_id)) if question_id.isdigit() else None
    if question is None:
        intake.receive_message(ctx, account)
        return
    intake.send_followup(ctx, account, question)
