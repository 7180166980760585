"""/learned: what the bot learned from the campaigns' decisions (docs/understanding.md); /learned reset forgets it."""

from __future__ import annotations

from actions.model import Actor, Args, Outcome, Status, done
from core.texts import Html
from handlers.context import Job, Writer
from storage import learning

SOURCE_KEYS = {learning.CONFIRMED: "learned_source_confirmed", learning.REASSIGNED: "learned_source_reassigned",
               learning.MERGED: "learned_source_merged"}


def reset(job: Job, actor: Actor, args: Args) -> Outcome:
    return done("learned_reset_done", count=learning.reset(job.session))


def show(job: Job, actor: Actor, args: Args) -> Outcome:
    language = job.staff_language
    summary = learning.summary(job.session)
    sources = {source: summary.by_source.get(source, 0) for source in SOURCE_KEYS}
    lines = [job.text(language, "learned_header", total=sum(summary.by_source.values()), **sources)]
    for key, count in sorted(summary.by_category.items(), key=lambda item: -item[1]):
        category = job.settings.category(key)
        lines.append(job.text(language, "learned_category_line", count=count,
                              category=category.name(language) if category else key))
    if summary.latest:
        lines.append(job.text(language, "learned_latest_header"))
        lines += [job.text(language, "learned_latest_item", code=code, label=_label(job, language, source, label))
                  for code, source, label in summary.latest]
    lines.append(job.text(language, "learned_reset_hint"))
    return Outcome(Status.DONE, "learned_header", html=Html("\n".join(lines)))


def _label(ctx: Writer, language: str, source: str, label: str) -> str:
    category = ctx.settings.category(label)
    what = category.name(language) if category else label
    return f"{what} ({ctx.services.texts.plain(language, SOURCE_KEYS[source])})"
