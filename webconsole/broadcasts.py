"""Broadcasts from the console (/console/broadcasts): compose, preview with the audience size, send;
the list of broadcasts with their progress (a live fragment), and pause, resume, cancel.

Sending, pausing, resuming and cancelling are the action table's actions (`broadcast_start`,
`broadcast_pause`…), done through `actions.perform` as from chat; the preview only reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from actions.model import Outcome, Surface
from actions.perform import perform
from actions.permissions import allowed
from actions.table import action_named
from core.messages import ChatRef
from handlers.broadcasts_web import draft_from
from handlers.context import Writer
from storage import broadcasts as store
from storage.models import Broadcast, BroadcastKind, BroadcastStatus
from webconsole.acting import actor_of, outcome_text
from webconsole.auth import Forbidden, Staff, check_csrf, form_endpoint, signed_in
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import console_of

LISTED = 20
VERBS = {"pause": "broadcast_pause", "resume": "broadcast_resume", "cancel": "broadcast_cancel"}
OFFERED_IN = {  # the states each button is shown in; the action itself decides again
    "pause": (BroadcastStatus.SENDING,),
    "resume": (BroadcastStatus.PAUSED,),
    "cancel": (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.PAUSED),
}
FORM_FIELDS = ("text", "readers", "link_label", "link_url")
# The chat's answers name the next command ("Tiếp tục: /broadcast resume 1"); the page has buttons instead.
ON_THE_PAGE = {"broadcast_paused": "console_broadcast_paused", "broadcast_resumed": "console_broadcast_resumed",
               "broadcast_cancelled": "console_broadcast_cancelled", "broadcast_unknown": "console_broadcast_unknown"}


@dataclass(frozen=True)
class Progress:
    """A broadcast's line in the list: where its copies stand, of the audience counted when it started."""

    id: int
    status: BroadcastStatus
    status_label: Markup
    excerpt: str
    audience: Markup
    total: int
    sent: int
    failed: int
    waiting: int
    cancelled: int
    verbs: tuple[str, ...]

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.cancelled


def broadcasts_page(request: Request) -> Response:
    staff = _manager(request)
    return page(request, "broadcasts.html", staff, **_view(request, staff, {}))


def broadcasts_fragment(request: Request) -> Response:
    """The list alone, for live.js; 304 while no figure of it moved (the tallies are read either way:
    twenty grouped counts on the outbox's broadcast index)."""
    staff = _manager(request)
    view = _list_view(request, staff)
    tag = view["live_tag"]
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"etag": tag})
    response = page(request, "broadcasts_list.html", staff, **view)
    response.headers["etag"] = tag
    return response


@form_endpoint
def preview(request: Request, form: FormData) -> Response:
    """The message as a recipient's chat shows it and how many will receive it; nothing is stored or sent."""
    staff = _composer(request, form)
    console = console_of(request)
    values = _values(form)
    draft = draft_from(console.app.settings, values, console.now())
    if isinstance(draft, Outcome):
        return _answer(request, staff, draft, values)
    with console.transaction() as session:
        count = store.count_audience(session, draft)
    shown = store.message_for(draft, ChatRef("web", "preview"))
    return page(request, "broadcasts.html", staff, **_view(request, staff, values),
                preview={"html": Markup(shown.html), "buttons": [b.label for row in shown.buttons for b in row],
                         "count": count, "audience": _audience(request, draft)})


@form_endpoint
def send(request: Request, form: FormData) -> Response:
    staff = _composer(request, form)
    return _perform(request, staff, "broadcast_start", _values(form))


@form_endpoint
def control(request: Request, form: FormData) -> Response:
    """Pause, resume or cancel one broadcast (`/broadcast pause 3` in chat)."""
    staff = _manager(request)
    check_csrf(request, staff, form)
    verb = request.path_params["verb"]
    if verb not in VERBS:
        raise Forbidden
    return _perform(request, staff, VERBS[verb], {"id": str(request.path_params["id"])})


def _perform(request: Request, staff: Staff, name: str, args: dict[str, str]) -> Response:
    console = console_of(request)
    label = str(role_label(translator(request), console.app.settings, staff))
    with console.transaction() as session:
        outcome = perform(Writer(console.app.services, session, console.now()), console.campaign(session),
                          actor_of(staff, label), name, args, Surface.WEB)
    return _answer(request, staff, outcome, {} if outcome.ok else args)


def _answer(request: Request, staff: Staff, outcome: Outcome, values: dict[str, str]) -> Response:
    outcome = replace(outcome, key=ON_THE_PAGE.get(outcome.key, outcome.key))
    flash = outcome_text(console_of(request).app.services, language_of(request), outcome)
    return page(request, "broadcasts.html", staff, status=200 if outcome.ok else 400,
                **_view(request, staff, values), flash=flash, flash_ok=outcome.ok)


def _manager(request: Request) -> Staff:
    """Who may see the page: whoever the table lets list broadcasts from the web (coordinators, admins)."""
    staff = signed_in(request)
    if not _may(staff, "broadcast_list"):
        raise Forbidden
    return staff


def _composer(request: Request, form: FormData) -> Staff:
    staff = _manager(request)
    check_csrf(request, staff, form)
    if not _may(staff, "broadcast_start"):
        raise Forbidden
    return staff


def _may(staff: Staff, name: str) -> bool:
    action = action_named(name)
    return action is not None and allowed(action, actor_of(staff, ""))


def _values(form: FormData) -> dict[str, str]:
    """The form as the action's arguments: the ticked districts joined as one word."""
    values = {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}
    values["districts"] = ",".join(str(key) for key in form.getlist("district"))
    return values


def _view(request: Request, staff: Staff, values: dict[str, str]) -> dict[str, Any]:
    settings = console_of(request).app.settings
    t = translator(request)
    return {
        **_list_view(request, staff), "form": values, "may_compose": _may(staff, "broadcast_start"),
        "chosen_districts": set(values.get("districts", "").split(",")),
        "districts": [(d.key, d.name) for d in settings.districts],
        "readers": [(code, t("broadcast_readers", language_name=t(f"language_{code}"))) for code in settings.languages],
    }


def _list_view(request: Request, staff: Staff) -> dict[str, Any]:
    console = console_of(request)
    with console.transaction() as session:
        listed = [b for b in store.recent(session, LISTED) if b.status != BroadcastStatus.DRAFT]
        progress = [_progress(request, session, staff, b) for b in listed]
    return {"broadcasts": progress, "live_tag": _tag(progress, staff, language_of(request))}


def _tag(progress: list[Progress], staff: Staff, language: str) -> str:
    """The list's ETag: the fragment answers 304 to it, and the page gives it to live.js (`data-etag`), so the
    first poll after loading costs no render either."""
    seed = repr([(p.id, p.status, p.sent, p.failed, p.waiting, p.cancelled, p.verbs) for p in progress])
    return '"' + hashlib.sha256(f"{seed}|{staff.role}|{language}".encode()).hexdigest()[:32] + '"'


def _progress(request: Request, session: Session, staff: Staff, broadcast: Broadcast) -> Progress:
    t = translator(request)
    tally = store.tally(session, broadcast.id)
    left = broadcast.planned - tally.delivered - tally.failed_total - tally.cancelled
    finished = broadcast.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)
    verbs = tuple(verb for verb, states in OFFERED_IN.items()
                  if broadcast.status in states and _may(staff, VERBS[verb]))
    excerpt = Markup(broadcast.html).striptags()
    if broadcast.kind != BroadcastKind.MESSAGE:
        excerpt = str(t(f"console_broadcast_kind_{broadcast.kind}", id=broadcast.corrects_id or ""))
    return Progress(broadcast.id, broadcast.status, t(f"status_broadcast_{broadcast.status}"),
                    excerpt[:120], _audience(request, broadcast), max(broadcast.planned, tally.delivered),
                    tally.delivered, tally.failed_total, 0 if finished else max(left, tally.waiting), tally.cancelled,
                    verbs)


def _audience(request: Request, broadcast: Broadcast) -> Markup:
    settings = console_of(request).app.settings
    t = translator(request)
    parts = []
    if broadcast.districts:
        names = ", ".join(d.name for d in settings.districts if d.key in broadcast.districts)
        parts.append(t("broadcast_audience_districts", names=names))
    if broadcast.language:
        parts.append(t("broadcast_readers", language_name=t(f"language_{broadcast.language}")))
    return Markup("; ").join(parts) if parts else t("broadcast_audience_all")
