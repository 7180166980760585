"""`youthbot act NAME ARGS… --as admin`: a staff action from the server's shell, through `perform` like any
other surface (same permissions, same audit, Surface.CLI), its outcome printed as plain text."""

from __future__ import annotations

import getpass
from collections.abc import Sequence

from actions.model import Actor, Outcome, Place, Role, Surface
from actions.perform import perform
from bot.app import App
from core.texts import plain_text
from handlers.context import Writer
from storage.db import transaction

CLI_ROLES = {"admin": Role.ADMIN, "coordinator": Role.COORDINATOR}


def cli_actor(role: str, user: str | None = None) -> Actor:
    who = user or getpass.getuser()
    return Actor(frozenset({CLI_ROLES[role]}), Place.CLI, None, f"cli:{who}", Surface.CLI, label=f"{who} (CLI)")


def act(app: App, name: str, words: Sequence[str], role: str, user: str | None = None) -> tuple[Outcome, str]:
    """Perform `name` in one transaction; the outcome and what it says, in the staff language."""
    with transaction(app.sessions) as session:
        writer = Writer(app.services, session, app.clock.now())
        outcome = perform(writer, app.campaign(session), cli_actor(role, user), name, list(words), Surface.CLI)
        language = app.settings.default_language
        shown = outcome.html if outcome.html is not None else (
            app.services.texts.render(language, outcome.key, **outcome.values) if outcome.key else "")
    files = [attachment.path for attachment in outcome.attachments if attachment.path]
    return outcome, "\n".join([plain_text(shown), *files]).strip()
