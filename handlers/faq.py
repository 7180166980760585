"""`/faq`: young people search the published answers before asking (`/faq e-commerce`, `/faq thue`)."""

from __future__ import annotations

from actions.model import Actor, Args, Outcome, done, invalid
from core.texts import Html, plain_text, preview
from handlers.context import Job
from reports.faq import faq_answer, published_entries, search

SHOWN = 5


def search_faq(job: Job, actor: Actor, args: Args) -> Outcome:
    """In the asker's language: a young person's own, staff's in staff chats."""
    language: str = args.get("language") or job.staff_language
    query: str = args["query"] or ""
    if not query.strip():
        return invalid("faq_usage")
    found = search(published_entries(job.session, job.settings), query, job.settings)
    if not found:
        return done("faq_empty", query=query)
    items = [job.text(language, "faq_item", code=e.code, question=preview(e.question, 200),
                      answer=preview(faq_answer(e, lambda key, **v: plain_text(job.text(language, key, **v))), 600))
             for e in found[:SHOWN]]
    return done("faq_results", count=len(found), shown=min(len(found), SHOWN), items=Html("\n\n".join(items)))
