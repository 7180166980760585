"""Nominations for honouring at the dialogue: the shortlist and its order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Account, Nomination, NominationStatus


def draft_of(session: Session, account: Account) -> Nomination | None:
    return session.scalar(select(Nomination).where(
        Nomination.account_id == account.id, Nomination.status == NominationStatus.DRAFT).order_by(Nomination.id))


def of_campaign(session: Session, campaign_id: int) -> Sequence[Nomination]:
    """Complete nominations: the shortlist in its order first, then the others as they came."""
    return session.scalars(select(Nomination).where(
        Nomination.campaign_id == campaign_id, Nomination.status != NominationStatus.DRAFT,
    ).order_by(Nomination.rank.is_(None), Nomination.rank, Nomination.id)).all()


def shortlist(session: Session, campaign_id: int) -> Sequence[Nomination]:
    return session.scalars(select(Nomination).where(
        Nomination.campaign_id == campaign_id, Nomination.status == NominationStatus.SHORTLISTED,
    ).order_by(Nomination.rank)).all()
