"""The web session: one signed cookie carrying who is signed in, a CSRF token and a flash.

Why a signed cookie and not a server-side table: the pages need only a user id and two short
strings, and a signature (itsdangerous, keyed by ``settings.session_secret``) stops anyone
forging one. The cookie is HTTP-only (scripts cannot read it), SameSite=Lax (other sites'
forms do not carry it) and Secure (``cookie_is_secure``). The token itself is
never stored: a fingerprint of its hash ties the session to it, so issuing a user a new token
signs out every session opened with the old one.

Signing out must end the session on the server too, or a copy of the cookie would go on
working until it expired (issue 14, item 4). So the cookie also carries the user's session
generation at sign-in; sign-out (and deactivation) bumps the generation in the database, and a
cookie from an older generation is refused on the next request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from workflow.models import User
from workflow.settings import Settings

COOKIE = "councilflow_session"
MAX_AGE_SECONDS = 8 * 60 * 60  # a working day; then sign in again
_SALT = "councilflow.web.session"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt=_SALT)


def token_fingerprint(user: User) -> str:
    return (user.token_hash or "")[:16]


@dataclass
class WebSession:
    data: dict[str, Any] = field(default_factory=dict)
    modified: bool = False

    @property
    def csrf_token(self) -> str:
        """One token per session, made on first use; every form carries it back."""
        token = self.data.get("csrf")
        if not isinstance(token, str) or not token:
            token = secrets.token_urlsafe(32)
            self.data["csrf"] = token
            self.modified = True
        return token

    def csrf_ok(self, sent: object) -> bool:
        expected = self.data.get("csrf")
        return (
            isinstance(sent, str)
            and isinstance(expected, str)
            and bool(expected)
            and hmac.compare_digest(sent.encode(), expected.encode())
        )

    def sign_in(self, user: User) -> None:
        # A fresh CSRF token at sign-in, so a token planted before sign-in is worthless.
        self.data = {
            "uid": user.id,
            "tfp": token_fingerprint(user),
            "gen": user.session_generation,
            "csrf": secrets.token_urlsafe(32),
        }
        self.modified = True

    def came_through(self, provider_id: int, id_token: str, end_session: str) -> None:
        """The identity provider this session was opened through, its ID token (the hint
        its sign-out endpoint asks for) and that endpoint, which the sign-out button's
        form may then lead to (``api/web/oidc.py``)."""
        self.data["idp"] = provider_id
        self.data["idt"] = id_token
        self.data["ide"] = end_session
        self.modified = True

    @property
    def end_session_endpoint(self) -> str | None:
        found = self.data.get("ide")
        return found if isinstance(found, str) else None

    @property
    def provider_id(self) -> int | None:
        found = self.data.get("idp")
        return found if isinstance(found, int) else None

    def sign_out(self) -> None:
        self.data = {"csrf": secrets.token_urlsafe(32)}
        self.modified = True

    @property
    def user_id(self) -> int | None:
        uid = self.data.get("uid")
        return uid if isinstance(uid, int) else None

    def matches(self, user: User) -> bool:
        """The cookie was issued to this user's current token, in their current session
        generation, and they are still active."""
        return (
            user.active
            and not user.is_system
            and self.data.get("gen") == user.session_generation
            and hmac.compare_digest(str(self.data.get("tfp", "")), token_fingerprint(user))
        )

    def flash(self, message: str) -> None:
        self.data["flash"] = message
        self.modified = True

    def pop_flash(self) -> str | None:
        message = self.data.pop("flash", None)
        if message is not None:
            self.modified = True
        return message if isinstance(message, str) else None


def load(request: Request, settings: Settings) -> WebSession:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return WebSession()
    try:
        data = _serializer(settings).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return WebSession(modified=True)
    return WebSession(data=data if isinstance(data, dict) else {})


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookie_is_secure(request: Request, settings: Settings) -> bool:
    """``Secure`` unless the request came over plain HTTP to a loopback address (``make run``
    on 127.0.0.1, where a browser would otherwise drop the cookie), or as
    ``COUNCILFLOW_SECURE_COOKIES`` says when it is set. The address is the one the connection
    reached, so a service listening on every address is Secure to anyone on the network."""
    if settings.secure_cookies is not None:
        return settings.secure_cookies
    if settings.base_url.lower().startswith("https://"):
        return True  # published over TLS, whatever the last hop was
    server = request.scope.get("server")
    host = server[0] if server else ""
    return not (request.url.scheme == "http" and _loopback(str(host)))


def save(response: Response, session: WebSession, request: Request, settings: Settings) -> None:
    if not session.modified:
        return
    response.set_cookie(
        COOKIE,
        _serializer(settings).dumps(session.data),
        max_age=MAX_AGE_SECONDS,
        path="/",
        secure=cookie_is_secure(request, settings),
        httponly=True,
        samesite="lax",
    )
