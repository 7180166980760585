"""Signing in by the one-time link /login sends, and signing out.

Opening the link (GET) only shows a button: chat apps fetch links for previews, and that must not
spend the link. Pressing it (POST) spends the link, ends whatever session the browser had and opens
a new one with a new id (no session fixation)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storage.staff import end_session, login_token_usable, open_session, redeem_login_token
from webconsole.auth import (
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    check_csrf,
    clear_session_cookie,
    form_endpoint,
    set_session_cookie,
    signed_in,
    unsigned,
)
from webconsole.render import page
from webconsole.security import csrf_token, csrf_valid
from webconsole.state import console_of

SIGNIN_COOKIE_SECONDS = 600


def show_signin(request: Request) -> Response:
    console = console_of(request)
    token = request.path_params["token"]
    with console.transaction() as session:
        usable = login_token_usable(session, token, console.now())
    if not usable:
        return page(request, "message.html", None, status=400, message_key="console_login_invalid")
    nonce = secrets.token_urlsafe(24)
    response = page(request, "signin.html", None, csrf=csrf_token(console.key, "signin:" + nonce))
    response.set_cookie(SIGNIN_COOKIE, console.signer.sign(nonce).decode(), max_age=SIGNIN_COOKIE_SECONDS,
                        path="/console", httponly=True, samesite="strict", secure=console.secure)
    return response


@form_endpoint
def sign_in(request: Request, form: FormData) -> Response:
    console = console_of(request)
    nonce = unsigned(console, request.cookies.get(SIGNIN_COOKIE))
    if nonce is None or not csrf_valid(console.key, "signin:" + nonce, form.get("csrf")):
        return page(request, "message.html", None, status=403, message_key="console_csrf_refused")
    return _open(request, request.path_params["token"])


def _open(request: Request, token: str) -> Response:
    console = console_of(request)
    previous = unsigned(console, request.cookies.get(SESSION_COOKIE))
    now = console.now()
    lifetime = timedelta(hours=console.app.settings.web.session_hours)
    with console.transaction() as session:
        member = redeem_login_token(session, token, now)
        if member is None:
            return page(request, "message.html", None, status=400, message_key="console_login_invalid")
        if previous:
            end_session(session, previous, now)
        new = open_session(session, member, now, lifetime)
    response = RedirectResponse("/console/", status_code=303)
    set_session_cookie(response, console, new, lifetime)
    response.delete_cookie(SIGNIN_COOKIE, path="/console")
    return response


@form_endpoint
def sign_out(request: Request, form: FormData) -> Response:
    console = console_of(request)
    staff = signed_in(request)
    check_csrf(request, staff, form)
    with console.transaction() as session:
        end_session(session, staff.session_id, console.now())
    response = page(request, "message.html", None, message_key="console_signed_out")
    clear_session_cookie(response, console)
    return response
