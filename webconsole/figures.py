"""The dashboard's figures, computed once per change rather than once per viewer.

`gather_stats` reads every question (about a second at 100,000 on the development machine); the
figures are kept until the campaign's change mark moves (any question added or changed) or the minute
turns (a deadline passing makes a question overdue without any write). So a coordinator's tab polling
every 15 s, or ten of them, costs one index lookup per poll, and one computation per change."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.config import Settings
from reports.dashboard import Dashboard, dashboard
from storage.board import change_mark


def minute_of(now: datetime) -> str:
    return now.replace(second=0, microsecond=0).isoformat()


@dataclass
class Figures:
    """One per console app; pages run in threads, so one lock guards the cached value."""

    _key: tuple[int, str, str] | None = None
    _value: Dashboard | None = None
    _charts: dict[str, bytes] = field(default_factory=dict)  # drawn (matplotlib: ~0.3 s each) once per version
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def version(self, session: Session, campaign_id: int, now: datetime) -> str:
        """What the figures depend on: the change mark and the minute (the pages' ETag uses it)."""
        return f"{change_mark(session, campaign_id)}/{minute_of(now)}"

    def get(self, session: Session, settings: Settings, campaign_id: int, now: datetime) -> Dashboard:
        key = (campaign_id, change_mark(session, campaign_id), minute_of(now))
        with self._lock:
            if key != self._key or self._value is None:
                self._value, self._key = dashboard(session, settings, campaign_id, now), key
                self._charts = {}
            return self._value

    def chart(self, session: Session, settings: Settings, campaign_id: int, now: datetime, name: str,
              draw: Callable[[Dashboard], bytes | None]) -> bytes | None:
        """A chart of the current figures (`name` says which, and in which language), drawn once."""
        figures = self.get(session, settings, campaign_id, now)
        with self._lock:
            if name not in self._charts:
                drawn = draw(figures)
                if drawn is None:
                    return None
                self._charts[name] = drawn
            return self._charts[name]

    def forget(self) -> None:
        with self._lock:
            self._key = self._value = None
            self._charts = {}
