"""Nominations for honouring at the dialogue: the shortlist and its order, consent codes, evidence files."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Account, Nomination, NominationFile, NominationStatus


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


def by_consent_code(session: Session, code: str) -> Nomination | None:
    """The complete nomination waiting for its nominee to confirm with `code`."""
    return session.scalar(select(Nomination).where(
        Nomination.consent_code == code, Nomination.status == NominationStatus.PROPOSED,
        Nomination.consent_confirmed_at.is_(None)))


def evidence_file(session: Session, nomination_id: int, file_id: int) -> NominationFile | None:
    return session.scalar(select(NominationFile).where(
        NominationFile.id == file_id, NominationFile.nomination_id == nomination_id))


def delete_nomination(session: Session, nomination: Nomination) -> None:
    """The nomination and its files: nothing is left of what it said about the nominee."""
    session.execute(delete(NominationFile).where(NominationFile.nomination_id == nomination.id))
    session.delete(nomination)
    session.flush()
