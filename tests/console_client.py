"""The web console over starlette's TestClient, on a harness: sign in as a chat participant by the
link the bot sends them for /login, then read pages and post forms with the session's CSRF token."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.testclient import TestClient

from bot.health import Health
from bot.metrics import DatabaseGauges
from bot.web import web_app
from core.messages import ChatKind
from tests.harness import Harness, Participant
from webconsole.app import PREFIX, console_mount
from webconsole.figures import Figures

LINK = re.compile(r"https?://\S+/console/login/[A-Za-z0-9_-]+")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def server(harness: Harness) -> TestClient:
    """A browser of the bot's web server, at the address sign-in links point to."""
    app = web_app(Health(harness.app.engine), DatabaseGauges(harness.app.sessions, harness.clock),
                  [console_mount(harness.app)])
    return TestClient(app, base_url=harness.settings.web.console_url.removesuffix("/console"))


def figures_of(client: TestClient) -> Figures:
    """The dashboard's figures cache of the console `client` browses (its `settle` is the tests' hook)."""
    mount = next(route for route in client.app.routes if getattr(route, "path", None) == PREFIX)
    return mount.app.app.state.figures  # Mount -> SecurityHeaders -> the console's Starlette


def staff_chat(harness: Harness, account: str) -> Participant:
    """The private chat of a staff member named `console:NAME` (admins, officers, viewers alike)."""
    name = account.removeprefix("console:")
    return Participant(harness, name, f"user-{name}", ChatKind.PRIVATE, name)


def login_link(person: Participant) -> str:
    """What /login answers: the path of the one-time link."""
    reply = [d for d in person.say("/login") if d.message.chat.chat_id == person.chat_id][-1].text
    found = LINK.search(reply)
    assert found, reply
    return urlsplit(found.group(0)).path


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200, page.text
    answer = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def signed_in_client(harness: Harness, account: str) -> TestClient:
    client = server(harness)
    sign_in(client, login_link(staff_chat(harness, account)))
    return client
