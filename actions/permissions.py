"""The one place roles are decided: who a person is where they write, and what they may do there.

The policy itself (which role may use which action, where) is declared with each action in
actions/table.py and summed up in docs/actions.md.
"""

from __future__ import annotations

from actions.model import IGNORED, Action, Actor, Outcome, Place, Role, Surface, refused
from core.config import Department, Settings
from core.messages import ChatRef, Incoming
from storage.models import Question

STAFF = frozenset({Role.OFFICER, Role.COORDINATOR, Role.ADMIN})


def review_chat(settings: Settings) -> ChatRef:
    return settings.curation.review_chat or settings.coordinator_chat


def place_of(settings: Settings, incoming: Incoming) -> tuple[Place, Department | None]:
    """Where a message was written, and the department whose chat it is (Home Affairs' own chat may be
    the coordinator chat as well: it is then the coordinator's place, with its officers' department)."""
    if incoming.is_private:
        return Place.PRIVATE, None
    department = settings.department_for_chat(incoming.chat)
    if incoming.chat == settings.coordinator_chat:
        return Place.COORDINATOR, department
    if department is not None:
        return Place.DEPARTMENT, department
    if incoming.chat == review_chat(settings):
        return Place.REVIEW, None
    return Place.GROUP, None


def actor_for(settings: Settings, incoming: Incoming, surface: Surface = Surface.COMMAND) -> Actor:
    """Admins are admins wherever they write; in their private chat they are staff, not young people.
    Everyone in the coordinator chat is the coordinator, and the review chat's members review (the
    coordinator's role, in that chat only); in a department's chat its officers (its listed ones, if it
    lists them) are officers."""
    place, department = place_of(settings, incoming)
    key = incoming.account_key
    roles: set[Role] = {Role.ADMIN} if key in settings.admins else set()
    if place == Place.PRIVATE and not roles:
        roles.add(Role.YOUTH)
    if department is not None and (not department.officers or key in department.officers):
        roles.add(Role.OFFICER)
    if place in (Place.COORDINATOR, Place.REVIEW):
        roles.add(Role.COORDINATOR)
    name = incoming.user_name if place != Place.PRIVATE or roles != {Role.YOUTH} else ""
    label = f"{name} ({department.name})" if name and department else (department.name if department else name)
    return Actor(frozenset(roles), place, department.key if department else None, key, surface, label, name)


def allowed(action: Action, actor: Actor) -> bool:
    return bool(action.roles & actor.roles) and actor.place in action.places


def may_act_on(actor: Actor, question: Question) -> bool:
    """In a department's chat, only that department's questions; elsewhere staff act on any, but an officer
    who is nothing more (on the web console) still only on their department's."""
    if actor.place == Place.DEPARTMENT or not actor.roles & {Role.ADMIN, Role.COORDINATOR, Role.VIEWER}:
        return question.department_key == actor.department
    return bool(actor.roles & (STAFF | {Role.VIEWER}))


def may_act_for(actor: Actor, department_key: str) -> bool:
    """Work a department is responsible for (a commitment): in a department's chat, or as an officer who is
    nothing more, only that department's; admins and the coordinator any department's."""
    if actor.place == Place.DEPARTMENT or not actor.roles & {Role.ADMIN, Role.COORDINATOR}:
        return Role.OFFICER in actor.roles and department_key == actor.department
    return True


def department_in_scope(settings: Settings, actor: Actor, named: Department | None) -> Department | None:
    """The department a per-department document is for (`/transmittal`): coordinators and admins name one;
    an officer gets their own department's whatever they name. None when neither gives one."""
    if named is not None and actor.roles & {Role.ADMIN, Role.COORDINATOR}:
        return named
    return settings.department(actor.department or "") or named


def refusal(settings: Settings, action: Action, actor: Actor) -> Outcome:
    """What someone who may not use `action` here is told; silence in groups the bot does not serve."""
    if actor.place == Place.GROUP:
        return IGNORED
    if actor.place == Place.DEPARTMENT and Role.OFFICER not in actor.roles and not actor.roles:
        department = settings.department(actor.department or "")
        return refused("not_an_officer", department=department.name if department else actor.department)
    if Role.YOUTH in actor.roles and action.roles & STAFF and not action.roles & {Role.YOUTH}:
        return refused("staff_only")
    if action.roles & {Role.YOUTH} and not action.roles & actor.roles:
        return refused("youth_only")
    if action.roles & actor.roles:
        return refused(action.elsewhere_key or "not_here")
    return refused("not_admin")
