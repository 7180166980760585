"""A question's actions from the web: each one through `actions.perform`, the same action as in chat,
with the same permission check and the same audit row; the page shows the Outcome's catalogue key."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from actions.model import Actor, Outcome, Place, Role, Surface, invalid
from actions.perform import perform
from handlers.context import Services, Writer
from storage.models import Campaign, Question
from storage.questions import find_by_code
from webconsole.auth import Staff

FIELDS: dict[str, tuple[str, ...]] = {
    "approve": (), "clarify": ("text",), "decline": ("reason",), "merge": ("target",),
    "reassign": ("department",), "reject": ("reason",), "answer": ("text",), "publish": (),
}
"""The web's actions and the form fields each takes, by the action's argument names."""


def actor_of(staff: Staff, label: str) -> Actor:
    """Staff on the web are audited by their chat account, so one person is one identity everywhere."""
    return Actor(frozenset({Role(str(staff.role))}), Place.WEB, staff.department_key, staff.account, Surface.WEB,
                 label)


def act(session: Session, services: Services, campaign: Campaign, now: datetime, staff: Staff, label: str,
        question: Question, name: str, form: FormData) -> Outcome:
    args = {"question": str(question.id)}
    for field in FIELDS[name]:
        value = str(form.get(field, "")).strip()
        if field == "target":  # typed or chosen as a code; the web names questions by id
            target = find_by_code(session, value, campaign.id) if value else None
            if target is None:
                return invalid("console_unknown_code", code=value)
            value = str(target.id)
        if value:
            args[field] = value
    return perform(Writer(services, session, now), campaign, actor_of(staff, label), name, args, Surface.WEB)


def outcome_text(services: Services, language: str, outcome: Outcome) -> Markup:
    if outcome.html is not None:
        return Markup(outcome.html)
    key = outcome.key or "console_action_done"
    return Markup(services.texts.render(language, key, **outcome.values))
