"""The audit log of staff actions: written by actions.perform, read by /audit, the web and the report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEntry


def record(session: Session, *, at: datetime, campaign_id: int | None, action: str, role: str, who: str,
           label: str, surface: str, place: str, status: str, question_id: int | None,
           detail: dict[str, Any]) -> AuditEntry:
    entry = AuditEntry(at=at, campaign_id=campaign_id, action=action, role=role, who=who, label=label,
                       surface=surface, place=place, status=status, question_id=question_id, detail=detail)
    session.add(entry)
    return entry


def history(session: Session, question_id: int) -> Sequence[AuditEntry]:
    """What staff did to one question, oldest first (the web's question page)."""
    return session.scalars(select(AuditEntry).where(AuditEntry.question_id == question_id)
                           .order_by(AuditEntry.id)).all()


def recent(session: Session, campaign_id: int, limit: int = 20) -> Sequence[AuditEntry]:
    """The campaign's latest entries, newest first."""
    return session.scalars(select(AuditEntry).where(AuditEntry.campaign_id == campaign_id)
                           .order_by(AuditEntry.id.desc()).limit(limit)).all()
