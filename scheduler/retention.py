"""The retention job: personal data older than `privacy.retention_days` is anonymised.

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
from storage.privacy import sweep_expired

log = logging.getLogger(__name__)


def anonymise_expired(sessions: sessionmaker[Session], privacy: PrivacySettings, clock: Clock) -> int:
    with transaction(sessions) as session:
        forgotten = sweep_expired(session, clock.now(), timedelta(days=privacy.retention_days))
    if forgotten:
        log.info("retention: anonymised %s people inactive for %s days", forgotten, privacy.retention_days)
    return forgotten
