"""Commitments made in answers, and the rule that makes one overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Campaign, Commitment, CommitmentStatus

OVERDUE = "overdue"  # shown, never stored: open past its date


def shown_status(commitment: Commitment, today: date) -> str:
    """pending, in_progress, done, or overdue (not done and past its date)."""
    if commitment.status != CommitmentStatus.DONE and commitment.due_on < today:
        return OVERDUE
    return str(commitment.status)


def of_campaigns_before(session: Session, campaign: Campaign) -> Sequence[Commitment]:
    """What earlier campaigns promised, oldest campaign first: what the new campaign reports on."""
    return session.scalars(
        select(Commitment).join(Campaign, Commitment.campaign_id == Campaign.id)
        .where(Commitment.campaign_id != campaign.id, Campaign.created_at <= campaign.created_at)
        .order_by(Campaign.created_at, Commitment.id)
    ).all()


def listed(session: Session, department_key: str | None = None) -> Sequence[Commitment]:
    """Every commitment (of one responsible department), newest campaign first."""
    statement = select(Commitment).join(Campaign, Commitment.campaign_id == Campaign.id)
    if department_key is not None:
        statement = statement.where(Commitment.department_key == department_key)
    return session.scalars(statement.order_by(Campaign.created_at.desc(), Commitment.id)).all()
