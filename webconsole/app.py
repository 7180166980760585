"""The console as one starlette application, mounted at /console on the bot's one web server.

Every route is listed here, in one place; pages are sync functions (database work runs in
starlette's thread pool). Every response passes `SecurityHeaders`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.app import App
from webconsole import (board, broadcasts, bulk, commitments, dashboard, event_day, importpage, nominations, pages,
                        reports, signin, staffpage)
from webconsole.auth import CsrfRefused, Forbidden, NotSignedIn
from webconsole.figures import Figures
from webconsole.pages import NotFound
from webconsole.render import FOLDER, make_templates, page
from webconsole.security import SecurityHeaders
from webconsole.state import make_console

PREFIX = "/console"


def console_routes() -> list[BaseRoute]:
    return [
        Route("/", board.board),
        Route("/board/fragment", board.board_fragment),
        Route("/board/export/{format}", board.board_export),
        Route("/board/bulk", bulk.bulk, methods=["POST"]),
        Route("/dashboard", dashboard.dashboard_page),
        Route("/dashboard/fragment", dashboard.dashboard_fragment),
        Route("/dashboard/chart/{key}.svg", dashboard.chart),
        Route("/dashboard/nudge", dashboard.nudge, methods=["POST"]),
        # the event day (webconsole/event_day.py)
        Route("/agenda", event_day.agenda_page, methods=["GET"]),
        Route("/agenda/act", event_day.agenda_action, methods=["POST"]),
        Route("/projector", event_day.projector_page),
        Route("/projector/mark", event_day.projector_mark),
        Route("/live", event_day.live_page, methods=["GET"]),
        Route("/live", event_day.live_record, methods=["POST"]),
        Route("/live/present", event_day.live_present, methods=["POST"]),
        Route("/login/{token}", signin.show_signin, methods=["GET"]),
        Route("/login/{token}", signin.sign_in, methods=["POST"]),
        Route("/logout", signin.sign_out, methods=["POST"]),
        Route("/lang", pages.switch_language),
        Route("/q/{code}", pages.question_page),
        Route("/q/{code}/act", pages.question_action, methods=["POST"]),
        # last year's promises followed up (docs/console.md)
        Route("/commitments", commitments.commitments_page),
        Route("/commitments/{number:int}", commitments.update_commitment, methods=["POST"]),
        Route("/staff", staffpage.staff_page, methods=["GET"]),
        Route("/staff", staffpage.change_staff, methods=["POST"]),
        # honouring exemplary youth (webconsole/nominations.py)
        Route("/nominations", nominations.nominations_page),
        Route("/nominations/new", nominations.new_form, methods=["GET"]),
        Route("/nominations/new", nominations.create, methods=["POST"]),
        Route("/nominations/order", nominations.order, methods=["POST"]),
        Route("/nominations/programme", nominations.export, methods=["POST"]),
        Route("/nominations/{number}/evidence/{file}", nominations.evidence),

        # questions gathered offline (webconsole/importpage.py)
        Route("/import", importpage.import_page, methods=["GET"]),
        Route("/import", importpage.upload, methods=["POST"]),
        Route("/import/template.{format}", importpage.template_file),
        Route("/import/preview", importpage.preview_page),
        Route("/import/confirm", importpage.confirm, methods=["POST"]),

        # broadcasts and the leadership documents (webconsole/broadcasts.py, webconsole/reports.py)
        Route("/broadcasts", broadcasts.broadcasts_page, methods=["GET"]),
        Route("/broadcasts/fragment", broadcasts.broadcasts_fragment),
        Route("/broadcasts/preview", broadcasts.preview, methods=["POST"]),
        Route("/broadcasts/send", broadcasts.send, methods=["POST"]),
        Route("/broadcasts/{id:int}/{verb}", broadcasts.control, methods=["POST"]),
        Route("/reports", reports.reports_page, methods=["GET"]),
        Route("/reports/{document}", reports.download, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=FOLDER / "static"), name="static"),
    ]


def console_app(app: App) -> Starlette:
    console = Starlette(routes=console_routes(), exception_handlers={
        NotSignedIn: _message("console_login_needed", 401),
        Forbidden: _message("console_forbidden", 403),
        CsrfRefused: _message("console_csrf_refused", 403),
        NotFound: _message("console_not_found", 404),
        404: _message("console_not_found", 404),
        405: _message("console_not_found", 405),
    })
    console.state.console = make_console(app, make_templates())
    console.state.figures = Figures(console.state.console.transaction)
    return console


def console_mount(app: App) -> Mount:
    """What the web server mounts: the console behind its security headers."""
    return Mount(PREFIX, app=SecurityHeaders(console_app(app), https=app.settings.web.secure))


def _message(key: str, status: int):  # noqa: ANN202 - starlette's handler type
    def handler(request: Request, _error: Exception) -> Response:
        return page(request, "message.html", None, status=status, message_key=key)
    return handler
