"""What the reminders would send at a given moment, computed and then rolled back.

Operators check a campaign's plan with it before the campaign runs (`youthbot reminders
--at 2023-03-03T08:00 --dry-run`); nothing is written, nothing is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.texts import plain_text
from handlers.context import Services
from scheduler.sweep import BATCH, SweepResult, sweep_batch
from storage.models import Campaign
from timing.planner import plan_reminders


def dry_run(sessions: sessionmaker[Session], services: Services, at: datetime) -> tuple[SweepResult, list[str]]:
    """The sweep's outcome at `at` and one line per message it would enqueue."""
    total = SweepResult()
    with sessions() as session:
        session.begin()
        try:
            campaign = session.scalars(select(Campaign).where(Campaign.key == services.settings.campaign.key)).one()
            plan_reminders(session, services.settings, campaign, at)
            while True:
                result = sweep_batch(session, services, at, "dry-run")
                total.add(result)
                if result.sent + result.skipped + result.failed < BATCH:
                    break
            lines = [f"{row.platform}:{row.chat_id}\t{plain_text(row.payload['html'])}" for row in total.enqueued]
        finally:
            session.rollback()
    return total, lines
