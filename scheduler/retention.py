"""The retention job: personal data older than `privacy.retention_days` is anonymised or deleted.

The running bot calls it every hour (bot/runtime.py); it is idempotent, so several
processes on one database may run it at once without harm.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.config import PrivacySettings
from storage.db import transaction
from storage.privacy import Swept, sweep_expired

log = logging.getLogger(__name__)


def anonymise_expired(sessions: sessionmaker[Session], privacy: PrivacySettings, clock: Clock) -> Swept:
    with transaction(sessions) as session:
        swept = sweep_expired(session, clock.now(), timedelta(days=privacy.retention_days))
    if swept.people or swept.nominations:
        log.info("retention: anonymised %s people inactive and deleted %s nominations untouched for %s days",
                 swept.people, swept.nominations, privacy.retention_days)
    return swept
