"""The console's read pages: a question's page (the board, the start page, is webconsole/board.py)."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storage.models import Question, QuestionStatus
from storage.questions import find_by_code
from webconsole.auth import Staff, signed_in
from webconsole.question import question_view
from webconsole.render import LANGUAGE_COOKIE, language_of, page
from webconsole.state import console_of


class NotFound(Exception):
    """No such page, or not one this staff member may see: both answer 404, so a URL tells nothing."""


def question_page(request: Request) -> Response:
    staff = signed_in(request)
    console = console_of(request)
    language = language_of(request)
    texts = console.app.services.texts

    def t(key: str, **values: object) -> Markup:
        return Markup(texts.render(language, key, **values))

    with console.transaction() as session:
        question = visible_question(session, console.app.processor.campaign_id, staff, request.path_params["code"])
        view = question_view(session, console.app.services, console.now(), staff, question, t, language)
    return page(request, "question.html", staff, q=view, done=request.query_params.get("done", ""))


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
