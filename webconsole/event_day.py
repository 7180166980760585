"""The event day in the console: the agenda builder (/console/agenda), the hall's projector view
(/console/projector) and the secretariat's live page (/console/live).

Every change is an action of the table (pick, unpick, move, present, live) done through
`actions.perform` with Surface.WEB, so it is checked and audited as the same command in chat is;
the pages only read (handlers.event_day.suggestions, storage.curation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from actions.model import Outcome, Surface
from actions.perform import perform
from actions.permissions import allowed
from actions.table import action_named
from handlers.context import Writer
from handlers.event_day import suggestions
from storage.curation import agenda, current_question, live_answer, support_counts
from storage.models import Question, StaffRole
from storage.questions import find_by_code
from webconsole.acting import actor_of, outcome_text
from webconsole.auth import Staff, check_csrf, form_endpoint, signed_in
from webconsole.pages import NotFound
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import Console, console_of

READERS = (StaffRole.ADMIN, StaffRole.COORDINATOR, StaffRole.VIEWER)  # officers keep to their department
SIZES = (("short", 140), ("medium", 280), ("long", 520))  # the projector's type, by the question's length
AGENDA_ACTIONS = {"pick": "event_done_pick", "unpick": "event_done_unpick", "move": "event_done_move"}  # what each did


@dataclass(frozen=True)
class Item:
    """A question as the event's pages show it: staff words, no young person's data."""

    id: int
    code: str
    district: str
    category: str
    support: int
    text: str
    rank: int | None
    live: bool = False


def item(console: Console, session: Session, language: str, question: Question, support: int) -> Item:
    settings = console.app.settings
    district = settings.district(question.district_key)
    category = settings.category(question.category_key or "")
    return Item(question.id, question.code or "", district.name if district else question.district_key,
                category.name(language) if category else question.category_key or "", support, question.text,
                question.event_rank, live_answer(session, question.id) is not None)


def agenda_items(console: Console, session: Session, language: str) -> list[Item]:
    questions = agenda(session, console.app.processor.campaign_id)
    supports = support_counts(session, [q.id for q in questions])
    return [item(console, session, language, q, supports.get(q.id, 0)) for q in questions]


def may(staff: Staff, name: str) -> bool:
    """Whether the action table lets this member do `name` on the web (as `perform` will check)."""
    action = action_named(name)
    return action is not None and allowed(action, actor_of(staff, ""))


def do(request: Request, staff: Staff, name: str, args: Mapping[str, str]) -> Outcome:
    """One action through `perform`, in its own transaction."""
    console = console_of(request)
    label = str(role_label(translator(request), console.app.settings, staff))
    with console.transaction() as session:
        return perform(Writer(console.app.services, session, console.now()), console.campaign(session),
                       actor_of(staff, label), name, dict(args), Surface.WEB)


# --- the agenda builder ---------------------------------------------------------------------------

def agenda_page(request: Request) -> Response:
    staff = signed_in(request, *READERS)
    return page(request, "event_agenda.html", staff, **_agenda_view(request, staff))


@form_endpoint
def agenda_action(request: Request, form: FormData) -> Response:
    """Pick (ticked suggestions, or the one whose button was pressed), unpick, or move one question (the
    up and down buttons, and a drag, post the position it goes to)."""
    staff = signed_in(request, *READERS)
    check_csrf(request, staff, form)
    name = str(form.get("action", ""))
    if name not in AGENDA_ACTIONS:
        raise NotFound
    if name == "pick":
        codes = [str(form["one"])] if form.get("one") else [str(code) for code in form.getlist("codes")]
        outcome = do(request, staff, "pick", {"codes": " ".join(codes)})
        flash, ok = _picked(request, outcome, len(codes))
    else:
        outcome = do(request, staff, name, {"question": str(form.get("question", "")),
                                            "position": str(form.get("position", ""))})
        ok = outcome.ok
        flash = translator(request)(AGENDA_ACTIONS[name]) if ok else _said(request, outcome)
    return page(request, "event_agenda.html", staff, status=200 if ok else 400, **_agenda_view(request, staff),
                flash=flash, flash_ok=ok)


def _picked(request: Request, outcome: Outcome, asked: int) -> tuple[Markup, bool]:
    """The chat's answer to /pick is the whole list; the page says how many were picked instead."""
    if not outcome.ok:
        return _said(request, outcome), False
    picked = len(outcome.detail.get("picked", ()))
    if picked == asked and asked:
        return translator(request)(AGENDA_ACTIONS["pick"], count=picked), True
    return translator(request)("event_pick_partial", count=picked, asked=asked), False


def _said(request: Request, outcome: Outcome) -> Markup:
    return outcome_text(console_of(request).app.services, language_of(request), outcome)


def _agenda_view(request: Request, staff: Staff) -> dict[str, Any]:
    console = console_of(request)
    settings = console.app.settings
    language = language_of(request)
    size_given = request.query_params.get("size", "")
    size = int(size_given) if size_given.isdigit() and 0 < int(size_given) <= 100 else settings.curation.agenda_size
    wanted = request.query_params.get("filter", "").strip()
    with console.transaction() as session:
        found = suggestions(session, settings, console.app.processor.campaign_id, size, wanted)
        current = current_question(session, console.app.processor.campaign_id)
        return {
            "items": agenda_items(console, session, language),
            "suggested": [item(console, session, language, q, support) for q, support in found or []],
            "filter_unknown": found is None, "size": size, "wanted": wanted,
            "current_id": current.id if current else None,
            "may_pick": may(staff, "pick"), "may_move": may(staff, "move"), "may_unpick": may(staff, "unpick"),
        }


# --- the projector view ---------------------------------------------------------------------------

def projector_page(request: Request) -> Response:
    """The current question alone, in very large type, for the hall's screen; static/projector.js reloads
    it when `projector_mark` changes."""
    signed_in(request, *READERS)
    console = console_of(request)
    with console.transaction() as session:
        question = current_question(session, console.app.processor.campaign_id)
        shown = item(console, session, language_of(request), question, 0) if question else None
        mark = _mark(session, console)
    return page(request, "event_projector.html", None, shown=shown, mark=mark,
                size=_size_class(shown.text) if shown else "")


def projector_mark(request: Request) -> Response:
    """What the projector polls: changes when another question is shown or the shown one is edited."""
    signed_in(request, *READERS)
    console = console_of(request)
    with console.transaction() as session:
        return PlainTextResponse(_mark(session, console))


def _mark(session: Session, console: Console) -> str:
    question = current_question(session, console.app.processor.campaign_id)
    if question is None:
        return "none"
    return f"{question.id}:{question.changed_at.timestamp() if question.changed_at else 0}"


def _size_class(text: str) -> str:
    """Long questions get smaller type, so each fits the screen without scrolling (up to about 900
    characters at 1920×1080; longer ones are for the Youth Union to shorten with /clarify first)."""
    return next((size for size, most in SIZES if len(text) <= most), "xlong")


# --- the live page ------------------------------------------------------------------------------

def live_page(request: Request) -> Response:
    staff = signed_in(request, *READERS)
    return page(request, "event_live.html", staff, **_live_view(request, staff, request.query_params.get("q", "")))


@form_endpoint
def live_present(request: Request, form: FormData) -> Response:
    """Show the next, the previous or a chosen question in the hall (the `present` action)."""
    staff = signed_in(request, *READERS)
    check_csrf(request, staff, form)
    args = {key: str(form.get(key, "")) for key in ("question", "step")}
    outcome = do(request, staff, "present", args)
    flash = translator(request)("event_presented", code=outcome.values.get("code", "")) if outcome.ok \
        else _said(request, outcome)
    return page(request, "event_live.html", staff, status=200 if outcome.ok else 400,
                **_live_view(request, staff, ""), flash=flash, flash_ok=outcome.ok)


@form_endpoint
def live_record(request: Request, form: FormData) -> Response:
    """The leader's answer, summarised by the secretariat: the `live` action, as /live in chat, credited to
    the host chosen (or the name typed) and delivered to the asker and the supporters."""
    staff = signed_in(request, *READERS)
    check_csrf(request, staff, form)
    question_id = str(form.get("question", ""))
    speaker = str(form.get("speaker_other", "")).strip() or str(form.get("speaker", "")).strip()
    summary = str(form.get("summary", "")).strip()
    if not speaker:
        outcome = None
        flash = translator(request)("event_live_speaker_missing")
    else:
        outcome = do(request, staff, "live", {"question": question_id, "summary": summary, "speaker": speaker})
        flash = _said(request, outcome)
    ok = outcome is not None and outcome.ok
    return page(request, "event_live.html", staff, status=200 if ok else 400,
                **_live_view(request, staff, "", int(question_id) if question_id.isdigit() else None),
                flash=flash, flash_ok=ok, summary="" if ok else summary)


def _live_view(request: Request, staff: Staff, code: str, question_id: int | None = None) -> dict[str, Any]:
    """The question chosen (by code in the URL, or the one just answered), else the one in the hall."""
    console = console_of(request)
    language = language_of(request)
    campaign_id = console.app.processor.campaign_id
    with console.transaction() as session:
        current = current_question(session, campaign_id)
        chosen = find_by_code(session, code, campaign_id) if code else None
        chosen = chosen or (session.get(Question, question_id) if question_id else None) or current
        if chosen is not None and chosen.event_rank is None:
            chosen = current
        answer = live_answer(session, chosen.id) if chosen else None
        support = support_counts(session, [chosen.id]).get(chosen.id, 0) if chosen else 0
        return {
            "items": agenda_items(console, session, language),
            "chosen": item(console, session, language, chosen, support) if chosen else None,
            "current_id": current.id if current else None,
            "answer_text": answer.text if answer else "", "answer_speaker": answer.speaker if answer else "",
            "hosts": console.app.settings.campaign.hosts,
            "may_present": may(staff, "present"), "may_record": may(staff, "live"),
        }
