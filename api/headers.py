"""Browser protections on every answer: pages, API, static files, errors and metrics alike.

- ``Content-Security-Policy``: scripts only from this origin or carrying this response's nonce
  (GOV.UK Frontend's template has one inline line that marks the body ``js-enabled``; it takes
  ``cspNonce``), no inline style, no plug-ins, forms post only here, and no framing. A form
  whose answer redirects to a council's identity provider (signing in or out there) names that
  provider's origin for the one response that carries the form (``allow_form_target``):
  Chromium applies ``form-action`` to where a form's redirects lead as well.
- ``X-Frame-Options: DENY`` besides ``frame-ancestors 'none'``, for browsers that know only it:
  signed-in pages carry approve, sign-off and withdraw buttons, which must not be clickjacked.
- ``Referrer-Policy: no-referrer``: case addresses and calendar keys stay on this site.
- ``X-Content-Type-Options: nosniff``: an answer is only ever what its type says.
- ``Strict-Transport-Security`` over HTTPS: the scheme uvicorn saw, which is the proxy's
  ``X-Forwarded-Proto`` when it comes from ``settings.trusted_proxies``, or always when
  ``settings.base_url`` is https (the service is published over TLS whatever the hop).

One pure-ASGI middleware, wrapped round the whole stack (``api.app``), so even the answer to an
unexpected error, which Starlette builds outside every other middleware, carries them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.settings import Settings

NONCE = "csp_nonce"
FORM_TARGETS = "csp_form_targets"


def content_security_policy(nonce: str, form_targets: Iterable[str] = ()) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            " ".join(["form-action 'self'", *sorted(set(form_targets))]),
            "frame-ancestors 'none'",
        ]
    )


def allow_form_target(request: Request, url: str) -> None:
    """Let this response's forms lead to ``url``'s origin (an identity provider's)."""
    parts = urlsplit(url)
    plain = parts.netloc.isascii() and all(c not in parts.netloc for c in " ;,'\"")
    if parts.scheme in {"http", "https"} and parts.netloc and plain:
        targets = request.scope.setdefault("state", {}).setdefault(FORM_TARGETS, [])
        targets.append(f"{parts.scheme}://{parts.netloc}")


def csp_nonce(request: Request) -> str:
    """This response's nonce, for the templates' ``cspNonce``."""
    return str(request.scope.get("state", {}).get(NONCE, ""))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts = (
            f"max-age={settings.hsts_max_age_seconds}"
            if settings.hsts_max_age_seconds > 0
            else None
        )
        self.always_tls = settings.base_url.lower().startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE] = nonce
        over_tls = self.always_tls or scope.get("scheme") == "https"

        async def protected_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                targets = scope["state"].get(FORM_TARGETS, ())
                headers["Content-Security-Policy"] = content_security_policy(nonce, targets)
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Content-Type-Options"] = "nosniff"
                if over_tls and self.hsts:
                    headers["Strict-Transport-Security"] = self.hsts
            await send(message)

        await self.app(scope, receive, protected_send)
