"""What every console response carries (security headers) and what every form must carry (a CSRF
token tied to the browser's session)."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style at all: every script and stylesheet is a file under /console/static.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cache-control": "no-store",  # pages show questions; no shared or back-button cache keeps them
}
HSTS = "max-age=31536000"


class SecurityHeaders:
    """ASGI middleware: the headers above on every response (HSTS too when served over https),
    whatever the endpoint or error produced it."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
        if https:
            self.headers.append((b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in self.headers}
                message["headers"] = [*(h for h in message.get("headers", []) if h[0].lower() not in names),
                                      *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def csrf_token(key: bytes, session_id: str) -> str:
    """The token a form of this session carries: an HMAC of the session id, so it needs no storage and
    is useless with any other session (or before sign-in, with any other browser's pre-session)."""
    return hmac.new(key, b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def csrf_valid(key: bytes, session_id: str, given: object) -> bool:
    return isinstance(given, str) and hmac.compare_digest(csrf_token(key, session_id), given)
