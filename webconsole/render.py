"""Pages from Jinja2 templates, every word from the text catalogue in the browser's chosen language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context as TemplateContext
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from storage.models import StaffRole
from webconsole.auth import Staff
from webconsole.navigation import links_for
from webconsole.state import console_of

FOLDER = Path(__file__).parent
LANGUAGE_COOKIE = "youthbot_lang"


def make_templates() -> Jinja2Templates:
    environment = Environment(loader=FileSystemLoader(FOLDER / "templates"), autoescape=select_autoescape(),
                              trim_blocks=True, lstrip_blocks=True)
    environment.globals["csrf_field"] = csrf_field
    return Jinja2Templates(env=environment)


@pass_context
def csrf_field(context: TemplateContext) -> Markup:
    """The hidden field every POST form carries (`{{ csrf_field() }}`)."""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(context["csrf"]))


def language_of(request: Request) -> str:
    languages = console_of(request).app.settings.languages
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in languages else languages[0]


def page(request: Request, template: str, staff: Staff | None, status: int = 200, csrf: str = "",
         **values: Any) -> Response:
    console = console_of(request)
    settings = console.app.settings
    language = language_of(request)
    t = translator(request)
    others = [code for code in settings.languages if code != language]
    context = {
        "t": t, "lang": language, "staff": staff, "csrf": staff.csrf if staff else csrf,
        "other_language": others[0] if others else "", "path": request.url.path,
        "role_label": role_label(t, settings, staff) if staff else "",
        "nav_links": links_for(StaffRole(staff.role)) if staff else [], **values,
    }
    return console.templates.TemplateResponse(request, template, context, status_code=status)


def translator(request: Request) -> Callable[..., Markup]:
    """`t(key, **values)`: a catalogue entry in the browser's language, as safe markup."""
    texts = console_of(request).app.services.texts
    language = language_of(request)

    def t(key: str, **values: object) -> Markup:
        return Markup(texts.render(language, key, **values))
    return t


def role_label(t: Any, settings: Any, staff: Staff) -> Markup:
    if staff.role == StaffRole.OFFICER:
        department = settings.department(staff.department_key or "")
        return t("console_role_officer", department=department.name if department else staff.department_key)
    return t(f"console_role_{staff.role}")
