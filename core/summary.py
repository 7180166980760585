"""A few lines saying what a configuration sets up: `youthbot check` prints them, the bot logs them at start.

Staff and platforms only: no token, no secret, no chat id.
"""

from __future__ import annotations

from core.config import Settings


def summary(settings: Settings) -> list[str]:
    campaign, deadlines = settings.campaign, settings.deadlines
    return [
        f"platforms: {', '.join(settings.platforms) or 'none (the console chat)'}",
        f"database: {settings.database_url.partition(':')[0]}",
        f"campaign {campaign.key} ({campaign.level}, codes {campaign.code_prefix}-0001): questions by "
        f"{campaign.question_deadline}, answers by {campaign.answer_deadline}, "
        f"event {campaign.event_at:%Y-%m-%d %H:%M}",
        f"districts: {len(settings.districts)}",
        f"departments: {len(settings.departments)}",
        *(f"  {d.key} ({d.name}): {', '.join(d.categories) or 'no category'}" for d in settings.departments),
        f"deadlines: at least {deadlines.minimum_working_days} working days, {len(deadlines.holidays)} holidays",
        f"curation: {'every question is reviewed first' if settings.curation.approval_required else 'off'}",
        f"admins: {len(settings.admins)}",
    ]
