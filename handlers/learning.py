"""/learned: what the bot learned from the campaigns' decisions (docs/understanding.md); /learned reset forgets it."""

from __future__ import annotations

from handlers.context import Context
from storage import learning

SOURCE_KEYS = {learning.CONFIRMED: "learned_source_confirmed", learning.REASSIGNED: "learned_source_reassigned",
               learning.MERGED: "learned_source_merged"}


def run_command(ctx: Context, arguments: list[str]) -> None:
    language = ctx.staff_language
    if arguments[:1] == ["reset"]:
        ctx.reply(language, "learned_reset_done", count=learning.reset(ctx.session))
        return
    summary = learning.summary(ctx.session)
    sources = {source: summary.by_source.get(source, 0) for source in SOURCE_KEYS}
    lines = [ctx.text(language, "learned_header", total=sum(summary.by_source.values()), **sources)]
    for key, count in sorted(summary.by_category.items(), key=lambda item: -item[1]):
        category = ctx.settings.category(key)
        lines.append(ctx.text(language, "learned_category_line", count=count,
                              category=category.name(language) if category else key))
    if summary.latest:
        lines.append(ctx.text(language, "learned_latest_header"))
        lines += [ctx.text(language, "learned_latest_item", code=code, label=_label(ctx, language, source, label))
                  for code, source, label in summary.latest]
    lines.append(ctx.text(language, "learned_reset_hint"))
    ctx.send(ctx.incoming.chat, "\n".join(lines))


def _label(ctx: Context, language: str, source: str, label: str) -> str:
    category = ctx.settings.category(label)
    what = category.name(language) if category else label
    return f"{what} ({ctx.services.texts.plain(language, SOURCE_KEYS[source])})"
