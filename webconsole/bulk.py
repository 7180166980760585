"""The board's bulk actions: approve, assign, reassign, pick the ticked questions, each through the same
action as in chat (`actions.perform` by way of `webconsole.acting`, Surface.WEB: the same permission
check and audit row), one transaction per question so that one refusal does not undo the others."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from actions.model import Status, Surface
from actions.perform import perform
from handlers.context import Writer
from storage.board import PAGE_SIZE
from storage.models import QuestionStatus
from webconsole.acting import act, actor_of
from webconsole.auth import Forbidden, Staff, check_csrf, form_endpoint, signed_in
from webconsole.pages import NotFound, visible_question
from webconsole.render import role_label, translator
from webconsole.state import Console, console_of

BULK = ("approve", "assign", "reassign", "pick")


@form_endpoint
def bulk(request: Request, form: FormData) -> Response:
    staff = signed_in(request)
    check_csrf(request, staff, form)
    if staff.read_only:
        raise Forbidden
    name = str(form.get("action", ""))
    if name not in BULK:
        raise NotFound
    codes = [str(code) for code in form.getlist("code")][:PAGE_SIZE]
    label = str(role_label(translator(request), console_of(request).app.settings, staff))
    done = _pick(request, staff, label, codes) if name == "pick" else sum(
        _one(request, staff, label, code, name, form) for code in codes)
    back = dict(parse_qsl(str(form.get("back", ""))))
    back.pop("after", None)
    result = {"done": str(done), "refused": str(len(codes) - done)} if codes else {"none": "1"}
    return RedirectResponse("/console/?" + urlencode({**back, **{f"bulk_{k}": v for k, v in result.items()}}),
                            status_code=303)


def _one(request: Request, staff: Staff, label: str, code: str, name: str, form: FormData) -> bool:
    """Approve, reassign, or assign (approve if it waits for review, then pass it to the chosen department)."""
    console = console_of(request)
    with console.transaction() as session:
        try:
            question = visible_question(session, console.app.processor.campaign_id, staff, code)
        except NotFound:
            return False
        steps = {"approve": ["approve"], "reassign": ["reassign"],
                 "assign": (["approve"] if question.status == QuestionStatus.IN_REVIEW else []) + ["reassign"]}[name]
        ok = True
        for step in steps:
            if step == "reassign" and name == "assign" and question.department_key == form.get("department"):
                continue  # approving already sent it to that department
            outcome = act(session, console.app.services, console.campaign(session), console.now(), staff, label,
                          question, step, form)
            ok = ok and outcome.status is Status.DONE
        return ok


def _pick(request: Request, staff: Staff, label: str, codes: list[str]) -> int:
    """The event's list takes the codes in the order ticked, as `/pick HY-1 HY-2` does."""
    console: Console = console_of(request)
    with console.transaction() as session:
        campaign = console.campaign(session)
        visible = [code for code in codes if _visible(session, console, staff, code)]
        if not visible:
            return 0
        outcome = perform(Writer(console.app.services, session, console.now()), campaign, actor_of(staff, label),
                          "pick", {"codes": " ".join(visible)}, Surface.WEB)
    return len(visible) if outcome.status is Status.DONE else 0


def _visible(session, console: Console, staff: Staff, code: str) -> bool:  # noqa: ANN001 - a Session
    try:
        visible_question(session, console.app.processor.campaign_id, staff, code)
    except NotFound:
        return False
    return True
