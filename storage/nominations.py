"""Nominations for honouring at the dialogue: the shortlist and its order, consent codes, evidence files, and
what privacy needs of them (the nominee's own, erasing them)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from storage.curation import lock_agenda
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


def close_gaps(session: Session, campaign_id: int) -> None:
    """Number the shortlist 1, 2, … again in its order, after one left it."""
    for rank, nomination in enumerate(shortlist(session, campaign_id), 1):
        nomination.rank = rank


def about(session: Session, account_ids: Collection[int]) -> Sequence[Nomination]:
    """The nominations whose nominee confirmed them from one of these accounts."""
    return session.scalars(select(Nomination).where(Nomination.nominee_account_id.in_(account_ids))
                           .order_by(Nomination.id)).all()


def untouched_since(session: Session, cutoff: datetime, limit: int) -> Sequence[Nomination]:
    """Nominations (drafts too) not made, confirmed or decided on since `cutoff`: the retention sweep's."""
    return session.scalars(select(Nomination).where(
        Nomination.created_at < cutoff,
        or_(Nomination.consent_confirmed_at.is_(None), Nomination.consent_confirmed_at < cutoff),
        or_(Nomination.decided_at.is_(None), Nomination.decided_at < cutoff),
    ).order_by(Nomination.id).limit(limit)).all()


def erase(session: Session, nominations: Sequence[Nomination]) -> None:
    """Delete them with their evidence files; the shortlists they leave are numbered again without gaps.

    By statement, not row by row: a second sweep deleting the same rows at the same time finds them gone
    and carries on."""
    if not nominations:
        return
    ids = [n.id for n in nominations]
    shortlisted = sorted({n.campaign_id for n in nominations if n.status == NominationStatus.SHORTLISTED})
    for campaign_id in shortlisted:
        lock_agenda(session, campaign_id)  # an admin reordering at the same moment would draw the same rank
    session.execute(delete(NominationFile).where(NominationFile.nomination_id.in_(ids)))
    session.execute(delete(Nomination).where(Nomination.id.in_(ids)))
    for campaign_id in shortlisted:
        close_gaps(session, campaign_id)
