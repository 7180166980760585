"""A question's actions from the web: each one through `actions.perform`, the same action as in chat,
with the same permission check and the same audit row; the page shows the Outcome's catalogue key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from actions.model import Actor, Outcome, Place, Role, Surface, invalid
from actions.perform import perform
from actions.permissions import allowed
from actions.table import action_named
from handlers.context import Services, Writer
from storage.models import Campaign, Question
from storage.models import QuestionStatus as S
from storage.questions import find_by_code
from webconsole.auth import Staff


@dataclass(frozen=True)
class PageAction:
    """An action of a question's page: the form fields it takes (by the action's argument names) and the
    question's states in which it is offered. Who may use it is the action table's word."""

    fields: tuple[str, ...]
    states: frozenset[S]


_WAITING = frozenset({S.IN_REVIEW, S.RECEIVED, S.FORWARDED})
PAGE_ACTIONS: dict[str, PageAction] = {
    "approve": PageAction((), frozenset({S.IN_REVIEW})),
    "clarify": PageAction(("text",), _WAITING),
    "decline": PageAction(("reason",), frozenset({S.IN_REVIEW})),
    "merge": PageAction(("target",), _WAITING),
    "reassign": PageAction(("department",), frozenset({S.FORWARDED})),
    "reject": PageAction(("reason",), frozenset({S.FORWARDED})),
    "answer": PageAction(("text",), frozenset({S.FORWARDED})),
    "publish": PageAction((), frozenset({S.ANSWERED})),
    "commit": PageAction(("due", "department", "what"), frozenset({S.ANSWERED})),
}


def offered_actions(staff: Staff, question: Question) -> list[str]:
    """The page's actions this member may use (actions/permissions.py, as `perform` will check) and that
    fit the question's state."""
    actor = actor_of(staff, "")
    return [name for name, page_action in PAGE_ACTIONS.items()
            if question.status in page_action.states and (action := action_named(name)) is not None
            and allowed(action, actor) and not (name == "publish" and question.published_at is not None)]


def actor_of(staff: Staff, label: str) -> Actor:
    """Staff on the web are audited by their chat account, so one person is one identity everywhere."""
    return Actor(frozenset({Role(str(staff.role))}), Place.WEB, staff.department_key, staff.account, Surface.WEB,
                 label)


def act(session: Session, services: Services, campaign: Campaign, now: datetime, staff: Staff, label: str,
        question: Question, name: str, form: FormData) -> Outcome:
    args = {"question": str(question.id)}
    for field in PAGE_ACTIONS[name].fields:
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
