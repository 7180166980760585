"""What every console request works with: the bot's `App`, the templates and the keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import Signer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from bot.app import App
from storage.db import transaction
from storage.models import Campaign, Secret

SECRET_NAME = "console_key"  # made by migration 0022


@dataclass(frozen=True)
class Console:
    app: App
    templates: Jinja2Templates
    signer: Signer  # signs the session cookie
    key: bytes      # CSRF tokens

    @property
    def secure(self) -> bool:
        return self.app.settings.web.secure

    def now(self) -> datetime:
        return self.app.clock.now()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.app.sessions) as session:
            yield session

    def campaign(self, session: Session) -> Campaign:
        return self.app.campaign(session)


def console_key(app: App) -> bytes:
    """`[web] secret`, else the random key made once in the database (shared by every process)."""
    secret = app.settings.web.secret
    if not secret:
        with transaction(app.sessions) as session:
            secret = session.get_one(Secret, SECRET_NAME).value
    return hashlib.sha256(b"youthbot-console:" + secret.encode()).digest()


def make_console(app: App, templates: Jinja2Templates) -> Console:
    key = console_key(app)
    return Console(app, templates, Signer(key, salt="session"), hashlib.sha256(b"csrf:" + key).digest())


def console_of(request: Request) -> Console:
    return request.app.state.console
