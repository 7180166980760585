"""The Official Account's tokens, as rows shared by every process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import ZaloOaToken


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime


def seed_tokens(session: Session, app_id: str, tokens: Tokens, now: datetime) -> None:
    """The tokens from the config, on first start only: later ones have replaced them since."""
    if session.get(ZaloOaToken, app_id) is None:
        session.add(ZaloOaToken(app_id=app_id, access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                                expires_at=tokens.expires_at, updated_at=now))


def current_tokens(session: Session, app_id: str) -> Tokens:
    row = session.get_one(ZaloOaToken, app_id)
    return Tokens(row.access_token, row.refresh_token, row.expires_at)


def replace_tokens(session: Session, app_id: str, used_refresh_token: str, new: Tokens, now: datetime) -> bool:
    """Store a refreshed pair unless another process stored one first (compare-and-swap on the
    refresh token that was spent). False when it lost: its pair is then the one to forget."""
    result = session.execute(
        update(ZaloOaToken)
        .where(ZaloOaToken.app_id == app_id, ZaloOaToken.refresh_token == used_refresh_token)
        .values(access_token=new.access_token, refresh_token=new.refresh_token, expires_at=new.expires_at,
                updated_at=now)
    )
    return result.rowcount == 1
