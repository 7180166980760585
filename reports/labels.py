"""Report wording from the text catalogue, as plain text (documents are not Telegram HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.texts import Texts, plain_text


@dataclass(frozen=True)
class Labels:
    texts: Texts
    language: str
    timezone: ZoneInfo

    def __call__(self, key: str, **values: object) -> str:
        return plain_text(self.texts.render(self.language, key, **values))

    def date(self, moment: datetime | None) -> str:
        return moment.astimezone(self.timezone).strftime("%d/%m/%Y") if moment else ""

    def moment(self, moment: datetime | None) -> str:
        return moment.astimezone(self.timezone).strftime("%H:%M %d/%m/%Y") if moment else ""
