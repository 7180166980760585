"""Staff of the web console, their one-time sign-in links and their browser sessions.

Tokens and session ids are random; only their SHA-256 is stored, so the database alone opens
nothing. Every check is against the database, so ending a session takes effect at once in
every process."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.config import Settings
from storage.models import StaffMember, StaffRole, WebLoginToken, WebSession


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- who is staff ---------------------------------------------------------------------------

def configured_staff(settings: Settings) -> Iterator[tuple[str, StaffRole, str | None]]:
    """(account, role, department) as the configuration names them; an admin named twice stays admin."""
    seen: set[str] = set()
    named = [(settings.admins, StaffRole.ADMIN), (settings.coordinators, StaffRole.COORDINATOR),
             (settings.viewers, StaffRole.VIEWER)]
    for accounts, role in named:
        for account in sorted(accounts - seen):
            seen.add(account)
            yield account, role, None
    for department in settings.departments:
        for account in department.officers:
            if account not in seen:
                seen.add(account)
                yield account, StaffRole.OFFICER, department.key


def seed_staff(session: Session, settings: Settings, now: datetime) -> None:
    """Add the configuration's staff who have no row yet; rows already there (changed or removed
    in the console) are the admins' word and stay as they are."""
    known = set(session.scalars(select(StaffMember.account)))
    for account, role, department in configured_staff(settings):
        if account not in known:
            session.add(StaffMember(account=account, role=role, department_key=department, created_at=now,
                                    added_by="config"))
    session.flush()


def find_staff(session: Session, account: str) -> StaffMember | None:
    return session.scalar(select(StaffMember).where(StaffMember.account == account,
                                                    StaffMember.removed_at.is_(None)))


def active_staff(session: Session) -> list[StaffMember]:
    return list(session.scalars(select(StaffMember).where(StaffMember.removed_at.is_(None))
                                .order_by(StaffMember.role, StaffMember.account)))


def set_staff(session: Session, account: str, role: StaffRole, department: str | None, by: str,
              now: datetime) -> StaffMember:
    """Add a member or change one's role (a removed member comes back)."""
    member = session.scalar(select(StaffMember).where(StaffMember.account == account))
    if member is None:
        member = StaffMember(account=account, created_at=now, added_by=by)
        session.add(member)
    member.role, member.removed_at = role, None
    member.department_key = department if role == StaffRole.OFFICER else None
    session.flush()
    end_sessions(session, member.id, now)  # a changed role is taken up at the next sign-in
    return member


def remove_staff(session: Session, member: StaffMember, now: datetime) -> None:
    member.removed_at = now
    end_sessions(session, member.id, now)


# --- sign-in links ----------------------------------------------------------------------------

def issue_login_token(session: Session, member: StaffMember, now: datetime, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    session.add(WebLoginToken(token_hash=digest(token), staff_id=member.id, created_at=now,
                              expires_at=now + lifetime))
    return token


def redeem_login_token(session: Session, token: str, now: datetime) -> StaffMember | None:
    """The member the link signs in, once: a compare-and-set on `used_at`, so two browsers racing
    with one link cannot both get in. None for an unknown, used or expired link or a removed member."""
    hashed = digest(token)
    used = session.execute(update(WebLoginToken)
                           .where(WebLoginToken.token_hash == hashed, WebLoginToken.used_at.is_(None),
                                  WebLoginToken.expires_at > now)
                           .values(used_at=now))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return None
    member = session.get_one(StaffMember, session.get_one(WebLoginToken, hashed).staff_id)
    return member if member.removed_at is None else None


def login_token_usable(session: Session, token: str, now: datetime) -> bool:
    row = session.get(WebLoginToken, digest(token))
    return row is not None and row.used_at is None and row.expires_at > now


# --- sessions ---------------------------------------------------------------------------------

def open_session(session: Session, member: StaffMember, now: datetime, lifetime: timedelta) -> str:
    """A new session id (for the cookie, signed; never stored as such), whatever the browser had
    before: no session fixation."""
    session_id = secrets.token_urlsafe(32)
    session.add(WebSession(id_hash=digest(session_id), staff_id=member.id, created_at=now, expires_at=now + lifetime))
    return session_id


def live_session(session: Session, session_id: str, now: datetime) -> WebSession | None:
    row = session.get(WebSession, digest(session_id))
    if row is None or row.ended_at is not None or row.expires_at <= now or row.staff.removed_at is not None:
        return None
    return row


def end_session(session: Session, session_id: str, now: datetime) -> None:
    session.execute(update(WebSession).where(WebSession.id_hash == digest(session_id),
                                             WebSession.ended_at.is_(None)).values(ended_at=now))


def end_sessions(session: Session, staff_id: int, now: datetime) -> int:
    """Sign a member out everywhere (an admin's action, or their role changed)."""
    result = session.execute(update(WebSession).where(WebSession.staff_id == staff_id,
                                                      WebSession.ended_at.is_(None)).values(ended_at=now))
    return result.rowcount  # type: ignore[attr-defined]


def live_session_counts(session: Session, now: datetime) -> dict[int, int]:
    rows = session.execute(select(WebSession.staff_id).where(WebSession.ended_at.is_(None),
                                                             WebSession.expires_at > now))
    counts: dict[int, int] = {}
    for (staff_id,) in rows:
        counts[staff_id] = counts.get(staff_id, 0) + 1
    return counts
