"""Digests: several questions in one message when a department's group gets a burst.

Telegram lets a bot post about 20 messages a minute in a group. When cards pile up for a
group, the digest pass withdraws the waiting ones and posts one message listing them all;
officers answer any of them by replying to it and starting with the question's code.
"""

from __future__ import annotations

from core.config import Department
from core.texts import Html
from handlers.context import Context, Writer
from handlers.routing import card_html
from storage.models import Question
from storage.questions import find_by_code


def post_digest(writer: Writer, department: Department, questions: list[Question]) -> None:
    language = writer.staff_language
    header = writer.text(language, "digest_header", count=len(questions), example=questions[0].code or "")
    body = "\n\n".join(card_html(writer, question) for question in questions)
    writer.send(department.primary_chat, Html(f"{header}\n\n{body}"), question=questions[0], link_role="digest")


def question_of_reply(ctx: Context, example: Question) -> tuple[Question | None, str]:
    """A reply to a digest names its question first: 'HY-0042 Trả lời ...' → (HY-0042, 'Trả lời ...')."""
    code, _, rest = ctx.incoming.text.strip().partition(" ")
    question = find_by_code(ctx.session, code.strip(":.,"), ctx.campaign.id) if code else None
    if question is None:
        ctx.reply(ctx.staff_language, "digest_needs_code", example=example.code or "")
    return question, rest.strip()
