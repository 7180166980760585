"""The dashboard's figures, computed once per change rather than once per viewer, and off the request.

`gather_stats` reads every question (about a second at 100,000 on the development machine). The figures
are current until the campaign's change mark moves (any question added or changed) or the minute turns
(a deadline passing makes a question overdue without any write). A view after that is served the last
figures at once, with their "as of" time, and claims their recomputation in a background thread: one at
a time per process, so ten tabs polling after a change cost one computation, not ten. The live refresh
then picks the new figures up (the fragment's ETag names the figures shown). Only the process's first
view, or a view of another campaign, has nothing to show and computes them itself."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.config import Settings
from reports.dashboard import Dashboard, dashboard
from storage.board import change_mark

log = logging.getLogger(__name__)

Key = tuple[int, str, str]  # campaign id, change mark, minute


def minute_of(now: datetime) -> str:
    return now.replace(second=0, microsecond=0).isoformat()


@dataclass
class Figures:
    """One per console app; pages run in threads, so one lock guards the cached value and the claim."""

    transaction: Callable[[], AbstractContextManager[Session]]  # the background computation's own session
    _key: Key | None = None
    _value: Dashboard | None = None
    _charts: dict[str, bytes] = field(default_factory=dict)  # drawn (matplotlib: ~0.3 s each) once per version
    _worker: threading.Thread | None = None  # the recomputation under way, if any (the claim)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def version(self, session: Session, campaign_id: int, now: datetime) -> str:
        """What the figures depend on: the change mark and the minute (the pages' ETag uses it)."""
        return f"{change_mark(session, campaign_id)}/{minute_of(now)}"

    def shown_version(self, session: Session, campaign_id: int, now: datetime) -> str:
        """The version and which figures a view gets now (the dashboard fragment's ETag): a tab served
        the last figures gets the new ones on its next poll once they are computed."""
        key = self._current(session, campaign_id, now)
        with self._lock:
            shown = key if self._nothing_for(campaign_id) else self._key
        return f"{key}/{shown}"

    def get(self, session: Session, settings: Settings, campaign_id: int, now: datetime) -> Dashboard:
        key = self._current(session, campaign_id, now)
        with self._lock:
            if self._nothing_for(campaign_id):
                self._store(key, dashboard(session, settings, campaign_id, now))  # nothing to show yet
            elif key != self._key and self._worker is None:
                self._worker = threading.Thread(target=self._recompute, args=(settings, key, now),
                                                name="dashboard-figures", daemon=True)
                self._worker.start()
            return self._value

    def chart(self, session: Session, settings: Settings, campaign_id: int, now: datetime, name: str,
              draw: Callable[[Dashboard], bytes | None]) -> bytes | None:
        """A chart of the figures shown (`name` says which, and in which language), drawn once."""
        figures = self.get(session, settings, campaign_id, now)
        with self._lock:
            if figures is not self._value:
                return draw(figures)  # replaced meanwhile: drawn for this view, not kept
            if name not in self._charts:
                drawn = draw(figures)
                if drawn is None:
                    return None
                self._charts[name] = drawn
            return self._charts[name]

    def settle(self) -> None:
        """Wait for the recomputation under way, if any: the deterministic hook for tests and the bench."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.join()

    def forget(self) -> None:
        self.settle()
        with self._lock:
            self._key = self._value = None
            self._charts = {}

    def _recompute(self, settings: Settings, key: Key, now: datetime) -> None:
        try:
            with self.transaction() as session:
                value = dashboard(session, settings, key[0], now)
            with self._lock:
                if self._key is None or self._key[0] == key[0]:
                    self._store(key, value)
        except Exception:  # the last figures stay shown; the next view claims the work again
            log.exception("dashboard figures not recomputed")
        finally:
            with self._lock:
                self._worker = None

    @staticmethod
    def _current(session: Session, campaign_id: int, now: datetime) -> Key:
        return campaign_id, change_mark(session, campaign_id), minute_of(now)

    def _nothing_for(self, campaign_id: int) -> bool:
        """Nothing to show this campaign (under the lock): the view computes the figures itself."""
        return self._value is None or self._key is None or self._key[0] != campaign_id

    def _store(self, key: Key, value: Dashboard) -> None:
        self._key, self._value, self._charts = key, value, {}
