"""The console's read pages: a question's page (the board, the start page, is webconsole/board.py)."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storage.models import Question, QuestionStatus
from storage.questions import find_by_code
from webconsole.acting import PAGE_ACTIONS, act, outcome_text
from webconsole.auth import Forbidden, Staff, check_csrf, form_endpoint, signed_in
from webconsole.question import question_view
from webconsole.render import LANGUAGE_COOKIE, language_of, page, role_label, translator
from webconsole.state import console_of


class NotFound(Exception):
    """No such page, or not one this staff member may see: both answer 404, so a URL tells nothing."""


def question_page(request: Request) -> Response:
    return question_response(request, signed_in(request), request.path_params["code"])


@form_endpoint
def question_action(request: Request, form: FormData) -> Response:
    """One of the page's forms: checked (session, CSRF, the question visible to this member, a role that
    changes things), done through `actions.perform`, then the page again with what came of it."""
    staff = signed_in(request)
    check_csrf(request, staff, form)
    name = str(form.get("action", ""))
    if staff.read_only:
        raise Forbidden
    if name not in PAGE_ACTIONS:
        raise NotFound
    console = console_of(request)
    language = language_of(request)
    settings = console.app.settings
    code = request.path_params["code"]
    with console.transaction() as session:
        question = visible_question(session, console.app.processor.campaign_id, staff, code)
        label = str(role_label(translator(request), settings, staff))
        outcome = act(session, console.app.services, console.campaign(session), console.now(), staff, label,
                      question, name, form)
        flash = outcome_text(console.app.services, language, outcome)
    return question_response(request, staff, code, flash, outcome.ok)


def question_response(request: Request, staff: Staff, code: str, flash: Markup | None = None,
                      ok: bool = True) -> Response:
    console = console_of(request)
    with console.transaction() as session:
        question = visible_question(session, console.app.processor.campaign_id, staff, code)
        view = question_view(session, console.app.services, console.now(), staff, question, translator(request),
                             language_of(request))
    return page(request, "question.html", staff, status=200 if ok else 400, q=view, flash=flash, flash_ok=ok)


def visible_question(session: Session, campaign_id: int, staff: Staff, code: str) -> Question:
    question = find_by_code(session, code, campaign_id)
    if question is None or question.code is None or question.status == QuestionStatus.DRAFT \
            or not staff.may_see(question):
        raise NotFound
    return question


def switch_language(request: Request) -> Response:
    """A link, not a form: it changes only how pages read. `next` must be a console path."""
    console = console_of(request)
    wanted = request.query_params.get("to", "")
    target = request.query_params.get("next", "/console/")
    if not target.startswith("/console") or "//" in target or "\\" in target:
        target = "/console/"
    response = RedirectResponse(target, status_code=303)
    if wanted in console.app.settings.languages:
        response.set_cookie(LANGUAGE_COOKIE, wanted, max_age=365 * 86400, path="/console", httponly=True,
                            samesite="lax", secure=console.secure)
    return response
