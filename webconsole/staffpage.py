"""The staff list (admins only): add a member or change their role, remove one, end their sessions."""

from __future__ import annotations

import re

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.channels.registry import CHANNELS
from storage.models import StaffMember, StaffRole
from storage.staff import active_staff, end_sessions, live_session_counts, remove_staff, set_staff
from webconsole.auth import check_csrf, form_endpoint, signed_in
from webconsole.render import page
from webconsole.state import console_of


def valid_account(account: str) -> bool:
    """`platform:user_id` of a registered channel, the id in that channel's form (as the config checks it)."""
    platform, _, user_id = account.partition(":")
    section = next((channel.section for channel in CHANNELS if channel.name == platform), None)
    return section is not None and re.fullmatch(section.user_id.pattern, user_id) is not None


def staff_page(request: Request, message_key: str = "", status: int = 200) -> Response:
    staff = signed_in(request, StaffRole.ADMIN)
    console = console_of(request)
    settings = console.app.settings
    with console.transaction() as session:
        counts = live_session_counts(session, console.now())
        members = [{"id": m.id, "account": m.account, "role": m.role, "from_config": m.added_by == "config",
                    "department": getattr(settings.department(m.department_key or ""), "name", ""),
                    "sessions": counts.get(m.id, 0)} for m in active_staff(session)]
    return page(request, "staff.html", staff, status=status, members=members, roles=list(StaffRole),
                departments=[(d.key, d.name) for d in settings.departments],
                message_key=message_key or _done(request))


def _done(request: Request) -> str:
    """The outcome named in the redirect's query, if it is one of this page's."""
    done = request.query_params.get("done", "")
    return done if done in ("console_staff_saved", "console_staff_sessions_ended") else ""


@form_endpoint
def change_staff(request: Request, form: FormData) -> Response:
    """One form, three buttons: `do` is save (account, role, department), remove or end (a member id)."""
    staff = signed_in(request, StaffRole.ADMIN)
    check_csrf(request, staff, form)
    console = console_of(request)
    now = console.now()
    do = str(form.get("do", ""))
    with console.transaction() as session:
        if do == "save":
            account, role = str(form.get("account", "")).strip(), str(form.get("role", ""))
            department = str(form.get("department", "")) or None
            if not valid_account(account) or role not in set(StaffRole):
                return staff_page(request, "console_staff_bad_account", 400)
            if role == StaffRole.OFFICER and console.app.settings.department(department or "") is None:
                return staff_page(request, "console_staff_needs_department", 400)
            if account == staff.account and role != StaffRole.ADMIN:
                return staff_page(request, "console_staff_not_yourself", 400)
            set_staff(session, account, StaffRole(role), department, staff.account, now)
            done = "console_staff_saved"
        else:
            member_id = str(form.get("member", ""))
            member = session.get(StaffMember, int(member_id)) if member_id.isdigit() else None
            if member is None or do not in ("remove", "end"):
                return staff_page(request, "console_forbidden", 400)
            if do == "remove":
                if member.id == staff.member_id:
                    return staff_page(request, "console_staff_not_yourself", 400)
                remove_staff(session, member, now)
                done = "console_staff_saved"
            else:
                end_sessions(session, member.id, now)
                done = "console_staff_sessions_ended"
    return RedirectResponse(f"/console/staff?done={done}", status_code=303)
