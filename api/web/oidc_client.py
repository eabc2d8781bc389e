"""The OpenID Connect protocol, done by Authlib: discovery, PKCE, the token exchange, the ID
token's signature (JWKS), issuer, audience, expiry and nonce, and RP-initiated sign-out.

Authlib's Starlette client keeps its state in Starlette's ``request.session``; the pages have
their own signed cookie and run as sync handlers, so this builds Authlib's sync client parts
(``OAuth2Mixin`` and ``OpenIDMixin`` over its httpx ``OAuth2Client``) and keeps the state in
the database instead (``workflow.people.identity``), where a second use can be seen.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import FrameworkIntegration, OAuthError
from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.httpx_client import OAuth2Client
from joserfc.errors import JoseError as JoseRfcError

from workflow.models import IdentityProvider, pk
from workflow.people.identity import SignInRefused

DISCOVERY = "/.well-known/openid-configuration"
METADATA_SECONDS = 3600  # discovery and keys are read again after this
LEEWAY_SECONDS = 60  # clocks drift between the provider and this service
TIMEOUT_SECONDS = 10.0


class _Client(OAuth2Mixin, OpenIDMixin, BaseApp):  # type: ignore[misc]
    client_cls = OAuth2Client


def _wrong_issuer(provider: IdentityProvider, said: object) -> SignInRefused:
    return SignInRefused(
        "Your sign-in came from the wrong place",
        f"CouncilFlow expected a sign-in from {provider.issuer}, but the answer came from "
        f"{said}. Nothing was signed in. If this keeps happening, tell your CouncilFlow "
        "administrator: the identity provider's issuer may be set wrongly.",
        400,
    )


def _unreachable(provider: IdentityProvider) -> SignInRefused:
    return SignInRefused(
        "Sorry, your council's sign-in service is not answering",
        f"CouncilFlow could not reach {provider.name}. Try again later.",
        502,
    )


@dataclass
class _Entry:
    client: _Client
    loaded_at: float


class Clients:
    """One Authlib client per provider, its discovery document and keys kept for an hour."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str, str, str | None, str], _Entry] = {}
        self._lock = threading.Lock()

    def client(self, provider: IdentityProvider) -> _Client:
        key = (
            pk(provider.id),
            provider.issuer,
            provider.client_id,
            provider.client_secret,
            provider.scopes,
        )
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry.loaded_at < METADATA_SECONDS:
                return entry.client
        client = _Client(
            FrameworkIntegration(f"idp{provider.id}"),
            name=f"idp{provider.id}",
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.issuer.rstrip("/") + DISCOVERY,
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": (
                    "client_secret_basic" if provider.client_secret else "none"
                ),
                "timeout": TIMEOUT_SECONDS,
            },
        )
        try:
            metadata = client.load_server_metadata()
        except (httpx.HTTPError, ValueError) as exc:
            raise _unreachable(provider) from exc
        # OpenID Connect Discovery 1.0 §4.3: the issuer it states must be the one asked.
        if metadata.get("issuer") != provider.issuer:
            raise _wrong_issuer(provider, metadata.get("issuer"))
        with self._lock:
            self._entries[key] = _Entry(client, time.monotonic())
        return client


@dataclass(frozen=True)
class Departure:
    """Where to send the browser, and what the callback must match."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def depart(clients: Clients, provider: IdentityProvider, redirect_uri: str) -> Departure:
    """The authorization request: code flow, PKCE (S256), a fresh state and nonce."""
    client = clients.client(provider)
    answer = client.create_authorization_url(
        redirect_uri=redirect_uri,
        state=generate_token(32),
        nonce=generate_token(32),
        code_verifier=generate_token(48),
    )
    return Departure(
        url=answer["url"],
        state=answer["state"],
        nonce=answer["nonce"],
        code_verifier=answer["code_verifier"],
    )


def arrive(
    clients: Clients,
    provider: IdentityProvider,
    *,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    nonce: str,
    response_issuer: str | None,
) -> tuple[dict[str, Any], str]:
    """The code exchanged (with the PKCE verifier) and the ID token checked: signed by a key
    of the provider's JWKS, ``iss`` the configured issuer, ``aud`` this client, not expired,
    ``nonce`` the one sent. Answers the claims and the raw ID token (for sign-out)."""
    client = clients.client(provider)
    # RFC 9207: a provider that says whose answer this is must say it is its own.
    if response_issuer is not None and response_issuer != provider.issuer:
        raise _wrong_issuer(provider, response_issuer)
    try:
        token = client.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
        )
    except httpx.HTTPError as exc:
        raise _unreachable(provider) from exc
    except OAuthError as exc:
        raise SignInRefused(
            "Your sign-in could not be completed",
            f"{provider.name} refused to complete the sign-in ({exc.error}). "
            "Go back to the sign-in page and start again.",
            400,
        ) from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused(
            "Your sign-in could not be completed",
            f"{provider.name} did not send an ID token. Tell your CouncilFlow administrator.",
            502,
        )
    options = {"iss": {"essential": True, "value": provider.issuer}}
    try:
        claims = client.parse_id_token(
            token, nonce=nonce, claims_options=options, leeway=LEEWAY_SECONDS
        )
    except JoseRfcError as exc:
        raise _id_token_refused(provider, exc) from exc
    return dict(claims), id_token


def _id_token_refused(provider: IdentityProvider, exc: Exception) -> SignInRefused:
    text = str(exc)
    if "iss" in text:
        return _wrong_issuer(provider, "another issuer")
    if "nonce" in text:
        return SignInRefused(
            "Your sign-in could not be completed",
            "The answer from your council's sign-in service was not for this sign-in "
            "(its nonce did not match). Go back to the sign-in page and start again.",
            400,
        )
    if "expired" in text.lower():
        return SignInRefused(
            "Your sign-in timed out",
            "The answer from your council's sign-in service had expired. "
            "Go back to the sign-in page and start again.",
            400,
        )
    return SignInRefused(
        "Your sign-in could not be completed",
        f"The answer from {provider.name} could not be trusted ({text}). "
        "Go back to the sign-in page and start again.",
        400,
    )


def endpoint(clients: Clients, provider: IdentityProvider, name: str) -> str | None:
    """One endpoint from the provider's discovery document, or None (it does not say, or
    cannot be reached)."""
    try:
        found = clients.client(provider).load_server_metadata().get(name)
    except SignInRefused:
        return None
    return found if isinstance(found, str) else None


def sign_out_url(
    clients: Clients, provider: IdentityProvider, id_token: str, after: str
) -> str | None:
    """RP-initiated logout: the provider's end_session_endpoint with the ID token as a hint
    and where to come back to, or None if the provider has none (or it is switched off)."""
    if not provider.end_session:
        return None
    try:
        client = clients.client(provider)
    except SignInRefused:
        return None  # signing out here must not wait on the provider
    if not client.load_server_metadata().get("end_session_endpoint"):
        return None
    answer = client.create_logout_url(
        post_logout_redirect_uri=after, id_token_hint=id_token, client_id=provider.client_id
    )
    url: str = answer["url"]
    return url
