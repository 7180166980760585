"""The dashboard (/console/dashboard): the campaign's progress, with the report's own figures
(reports/dashboard.py), its charts as SVG, a live fragment, and a nudge per department for the
coordinator and the admins."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from actions.model import Surface
from actions.perform import perform
from handlers.context import Writer
from reports.charts import chart_specs, chart_svg
from reports.dashboard import Dashboard
from reports.labels import Labels
from storage.models import StaffRole
from webconsole.acting import actor_of, outcome_text
from webconsole.auth import Staff, check_csrf, form_endpoint, signed_in
from webconsole.board import console_figures, fragment_tag, live_fragment
from webconsole.figures import Figures
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import console_of

NUDGERS = (StaffRole.ADMIN, StaffRole.COORDINATOR)
SCOPE = "dashboard"  # the fragment's ETag has no filter


def dashboard_page(request: Request) -> Response:
    staff = signed_in(request)
    return page(request, "dashboard.html", staff, live_tag=_tag(request, staff), **_view(request, staff))


def dashboard_fragment(request: Request) -> Response:
    """304 until the change mark, the minute or the figures shown move (a recomputation has finished)."""
    return live_fragment(request, "dashboard_body.html", SCOPE, _view, Figures.shown_version)


def _tag(request: Request, staff: Staff) -> str:
    return fragment_tag(request, staff, SCOPE, Figures.shown_version)


def chart(request: Request) -> Response:
    """One of the report's charts as SVG (`/console/dashboard/chart/by_district.svg`)."""
    signed_in(request)
    console = console_of(request)
    key, language = request.path_params["key"], language_of(request)
    labels = Labels(console.app.services.texts, language, console.app.settings.timezone)

    def draw(figures: Dashboard) -> bytes | None:
        spec = next((spec for spec in chart_specs(figures.stats, labels) if spec.key == key), None)
        return None if spec is None else chart_svg(spec)

    with console.transaction() as session:
        svg = console_figures(request).chart(session, console.app.settings, console.app.processor.campaign_id,
                                             console.now(), f"{language}:{key}", draw)
    return Response(status_code=404) if svg is None else Response(svg, media_type="image/svg+xml")


@form_endpoint
def nudge(request: Request, form: FormData) -> Response:
    """Send a department its unanswered questions now: the `nudge` action, as `/nudge KEY` in chat
    (same permission check, same audit row); the page says what came of it."""
    staff = signed_in(request, *NUDGERS)
    check_csrf(request, staff, form)
    console = console_of(request)
    label = str(role_label(translator(request), console.app.settings, staff))
    with console.transaction() as session:
        outcome = perform(Writer(console.app.services, session, console.now()), console.campaign(session),
                          actor_of(staff, label), "nudge", {"department": str(form.get("department", ""))},
                          Surface.WEB)
        flash = outcome_text(console.app.services, language_of(request), outcome)
    return page(request, "dashboard.html", staff, status=200 if outcome.ok else 400, live_tag=_tag(request, staff),
                **_view(request, staff), flash=flash, flash_ok=outcome.ok)


def _figures(request: Request) -> tuple[Dashboard, Labels]:
    console = console_of(request)
    with console.transaction() as session:
        figures = console_figures(request).get(session, console.app.settings, console.app.processor.campaign_id,
                                               console.now())
    settings = console.app.settings
    return figures, Labels(console.app.services.texts, language_of(request), settings.timezone)


def _view(request: Request, staff: Staff) -> dict[str, Any]:
    console = console_of(request)
    settings = console.app.settings
    figures, labels = _figures(request)
    timezone = settings.timezone

    def moment(value: Any, form: str = "%H:%M %d/%m/%Y") -> str:
        return value.astimezone(timezone).strftime(form) if value else ""

    texts = console.app.services.texts
    language = language_of(request)
    return {
        "figures": figures, "stats": figures.stats, "day": lambda value: moment(value, "%d/%m/%Y"),
        "status_label": lambda status: Markup(texts.render(language, f"status_{status}")),
        "charts": [(spec.key, spec.title) for spec in chart_specs(figures.stats, labels)],
        "may_nudge": staff.role in NUDGERS,
        "updated": moment(figures.at),
    }
