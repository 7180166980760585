"""Zalo shows plain text and has no inline buttons: messages lose their tags, links are written
out, and choices are listed as numbers, which `handlers.dispatch.resolve_menu` reads back as
button presses."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.messages import Outgoing
from core.texts import Texts, plain_text
from storage.models import Account, Person


def render(message: Outgoing, choose_hint: str, limit: int) -> list[str]:
    """The texts to send for one message: usually one; two when links and choices would not fit
    with it. The outbox has already split long texts to `limit`, counting tags that are dropped
    here, so the text alone always fits."""
    text = plain_text(message.html).strip()
    extras = [f"{link.label}: {link.url}" for link in message.links]
    extras += [f"{number}. {button.label}" for number, button in enumerate(message.choices, 1)]
    extras += [choose_hint] if message.choices else []
    if not extras:
        return [text] if text else []
    menu = "\n".join(extras)
    together = f"{text}\n\n{menu}" if text else menu
    return [together] if len(together) <= limit else [text, menu]


def without_choices(message: Outgoing) -> Outgoing:
    """The message with its links but not its choices, for when its numbers would mislead."""
    links = tuple(row for row in (tuple(b for b in row if b.url) for row in message.buttons) if row)
    return replace(message, buttons=links)


@dataclass(frozen=True)
class ChooseHints:
    """"Type the number to choose" in the reader's language: the person's once known, every
    configured language (Vietnamese first) before they consented, the staff's in groups."""

    texts: Texts
    sessions: sessionmaker[Session]

    def for_chat(self, platform: str, chat_id: str, group: bool) -> str:
        languages = self.texts.languages
        if group:
            return self.texts.plain(languages[0], "zalo_choose_by_number")
        with self.sessions() as session:
            language = session.scalar(select(Person.language).join(Account, Account.person_id == Person.id)
                                      .where(Account.platform == platform, Account.chat_id == chat_id).limit(1))
        if language in languages:
            return self.texts.plain(language, "zalo_choose_by_number")
        return " / ".join(self.texts.plain(code, "zalo_choose_by_number") for code in languages)
