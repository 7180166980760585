"""Digests: several questions in one message when a department's group gets a burst.

Telegram lets a bot post about 20 messages a minute in a group. When cards pile up for a
group, the digest pass withdraws the waiting ones at the group's next slot and posts one message
with as many as fit; officers answer any of them by replying to it and starting with the
question's code, which the digest's header says once.
"""

from __future__ import annotations

from core.config import Department
from core.texts import Html
from core.textsplit import utf16_length
from handlers.context import Context, Writer
from handlers.repeats import repeat_note
from handlers.routing import card_html
from storage.models import LinkRole, Question
from storage.questions import find_by_code

SEPARATOR = "\n\n"


def post_digest(writer: Writer, department: Department, questions: list[Question]) -> list[Question]:
    """Post the oldest questions that fit in one message; returns them (the others wait for the next)."""
    language = writer.staff_language
    chat = department.primary_chat
    # room for the note a resend after a crash puts on top (handlers/repeats.py)
    limit = writer.services.outbox.text_limit(chat.platform) - utf16_length(repeat_note(writer.services) + "\n")
    longest_header = writer.text(language, "digest_header", count=len(questions), example=questions[0].code or "")
    entries: list[Html] = []
    used = utf16_length(longest_header)
    for question in questions:
        entry = card_html(writer, question, "digest_entry")
        used += utf16_length(SEPARATOR + entry)
        if entries and used > limit:
            break
        entries.append(entry)
    header = writer.text(language, "digest_header", count=len(entries), example=questions[0].code or "")
    writer.send(chat, Html(header + SEPARATOR + SEPARATOR.join(entries)), question=questions[0],
                link_role=LinkRole.DIGEST)
    return questions[:len(entries)]


def question_of_reply(ctx: Context, example: Question) -> tuple[Question | None, str]:
    """A reply to a digest names its question first: 'HY-0042 Trả lời ...' → (HY-0042, 'Trả lời ...')."""
    code, _, rest = ctx.incoming.text.strip().partition(" ")
    question = find_by_code(ctx.session, code.strip(":.,"), ctx.campaign.id) if code else None
    if question is None:
        ctx.reply(ctx.staff_language, "digest_needs_code", example=example.code or "")
    return question, rest.strip()
