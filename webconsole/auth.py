"""Who is signed in: the session cookie, checked against the database on every request.

This is the one way a page gets its staff member: `signed_in(request)` (optionally naming the roles
allowed), which raises `NotSignedIn` or `Forbidden`; forms are checked with `check_form`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from storage.models import Question, StaffRole
from storage.staff import live_session
from webconsole.security import csrf_token, csrf_valid
from webconsole.state import Console, console_of

SESSION_COOKIE = "youthbot_console"
SIGNIN_COOKIE = "youthbot_signin"  # before sign-in: ties the sign-in form to the browser that opened it


class NotSignedIn(Exception):
    """No live session: the page says how to get a sign-in link."""


class Forbidden(Exception):
    """Signed in, but this role may not do it."""


class CsrfRefused(Exception):
    """A form without the token of this session."""


@dataclass(frozen=True)
class Staff:
    member_id: int
    account: str  # platform:user_id; never shown to others than admins
    role: StaffRole
    department_key: str | None
    session_id: str
    csrf: str

    @property
    def read_only(self) -> bool:
        return self.role == StaffRole.VIEWER

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN

    def may_see(self, question: Question) -> bool:
        """Officers see their department's questions only; every other role sees all."""
        return self.role != StaffRole.OFFICER or question.department_key == self.department_key


def current_staff(request: Request) -> Staff | None:
    console = console_of(request)
    session_id = unsigned(console, request.cookies.get(SESSION_COOKIE))
    if session_id is None:
        return None
    with console.transaction() as session:
        row = live_session(session, session_id, console.now())
        if row is None:
            return None
        member = row.staff
        return Staff(member.id, member.account, StaffRole(member.role), member.department_key, session_id,
                     csrf_token(console.key, session_id))


def signed_in(request: Request, *roles: StaffRole) -> Staff:
    staff = current_staff(request)
    if staff is None:
        raise NotSignedIn
    if roles and staff.role not in roles:
        raise Forbidden
    return staff


def check_csrf(request: Request, staff: Staff, form: FormData) -> None:
    """Refuse a posted form that does not carry this session's CSRF token."""
    if not csrf_valid(console_of(request).key, staff.session_id, form.get("csrf")):
        raise CsrfRefused


def form_endpoint(handler: Callable[[Request, FormData], Response]) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint: the form is read asynchronously, then `handler` (database work) runs in a thread."""
    async def endpoint(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(handler, request, form)
    return endpoint


def unsigned(console: Console, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        return console.signer.unsign(cookie).decode()
    except BadSignature:
        return None


def set_session_cookie(response: Response, console: Console, session_id: str, lifetime: timedelta) -> None:
    """The browser forgets the cookie when the session ends; the database says so first in any case."""
    response.set_cookie(SESSION_COOKIE, console.signer.sign(session_id).decode(),
                        max_age=int(lifetime.total_seconds()), path="/console", httponly=True, samesite="lax",
                        secure=console.secure)


def clear_session_cookie(response: Response, console: Console) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/console", httponly=True, samesite="lax", secure=console.secure)
