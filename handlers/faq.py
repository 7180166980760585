"""`/faq`: young people search the published answers before asking (`/faq e-commerce`, `/faq thue`)."""

from __future__ import annotations

from core.texts import Html, plain_text, preview
from handlers.context import Context
from reports.faq import faq_answer, published_entries, search
from storage.models import Account

SHOWN = 5


def search_faq(ctx: Context, account: Account, query: str) -> None:
    language = account.person.language
    if not query.strip():
        ctx.reply(language, "faq_usage")
        return
    found = search(published_entries(ctx.session, ctx.settings), query, ctx.settings)
    if not found:
        ctx.reply(language, "faq_empty", query=query)
        return
    items = [ctx.text(language, "faq_item", code=e.code, question=preview(e.question, 200),
                      answer=preview(faq_answer(e, lambda key, **v: plain_text(ctx.text(language, key, **v))), 600))
             for e in found[:SHOWN]]
    ctx.send(ctx.incoming.chat, ctx.text(language, "faq_results", count=len(found), shown=min(len(found), SHOWN),
                                         items=Html("\n\n".join(items))))
