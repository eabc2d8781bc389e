"""Signing in through an OpenID Provider, over HTTP, against a real one (npm
``oidc-provider`` on loopback): the session it opens, roles from the groups claim, and each
refusal by name — a wrong issuer, a replayed or expired state, a person with no role, a person
nobody registered — and RP-initiated sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, log_in, running_provider
from sqlalchemy.engine import Engine
from webcase import WebClient

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.models import User
from workflow.people.identity import add_provider
from workflow.schemas import IdentityProviderIn

BASE = "http://127.0.0.1:8000"  # the TestClient app's base_url, where the provider returns


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider([BASE]) as running:
        yield running


def configure(engine: Engine, clock: FrozenClock, settings: Any, issuer: str, **extra: Any) -> int:
    data = IdentityProviderIn(
        name="Sefton Council",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes="openid email groups",
        roles_claim="groups",
        role_mapping={"cf-officers": "officer", "cf-admins": "admin"},  # type: ignore[dict-item]
        **extra,
    )
    with unit_of_work(engine) as session:
        found = add_provider(Ctx(session, clock, settings), data, actor=None)
        assert found.id is not None
        return found.id


@pytest.fixture
def idp(web: WebClient, engine: Engine, web_clock: FrozenClock, provider: Provider) -> int:
    settings = web.client.app.state.settings  # type: ignore[attr-defined]
    return configure(engine, web_clock, settings, provider.issuer)


def set_off(web: WebClient, idp: int) -> str:
    page = web.get("/sign-in")
    assert "Sign in with Sefton Council" in page.text
    response = web.post(f"/sign-in/oidc/{idp}", {"next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in_as(web: WebClient, idp: int, login: str) -> tuple[str, Any]:
    back = log_in(set_off(web, idp), login, BASE)
    return back, web.get(callback_path(back), follow_redirects=False)


def test_the_authorization_request_uses_pkce_state_and_nonce(web: WebClient, idp: int) -> None:
    query = parse_qs(urlsplit(set_off(web, idp)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [BASE + "/sign-in/oidc/callback"]


def test_sign_in_opens_the_same_session_with_roles_from_groups(
    web: WebClient, idp: int, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        sam = session.get(User, web.seeded.user_ids["officer"])
        assert sam is not None
        sam.roles = ["viewer"]  # the provider's groups say officer: they win
    _back, response = sign_in_as(web, idp, "sam")
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = web.get("/")
    assert "You are signed in as Sam Officer." in page.text
    with unit_of_work(engine) as session:
        sam = session.get(User, web.seeded.user_ids["officer"])
        assert sam is not None and sam.roles == ["officer"]
    # The session is the token sign-in's: its CSRF token guards forms, sign-out ends it.
    forged = web.client.post("/sign-out", data={"csrf_token": "forged"})
    assert forged.status_code == 400


def test_a_replayed_state_is_refused(web: WebClient, idp: int) -> None:
    back, first = sign_in_as(web, idp, "sam")
    assert first.status_code == 303
    again = web.get(callback_path(back))
    assert again.status_code == 400
    assert "This sign-in link has already been used" in again.text
    assert "govuk-heading-l" in again.text


def test_an_expired_state_is_refused(web: WebClient, idp: int, web_clock: FrozenClock) -> None:
    authorize = set_off(web, idp)
    back = log_in(authorize, "sam", BASE)
    web_clock.advance(timedelta(minutes=11))
    response = web.get(callback_path(back))
    assert response.status_code == 400
    assert "Your sign-in timed out" in response.text
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_a_person_whose_groups_map_to_no_role_is_refused(web: WebClient, idp: int) -> None:
    _back, response = sign_in_as(web, idp, "vic")
    assert response.status_code == 403
    assert "You do not have a role in CouncilFlow" in response.text
    assert "vic.viewer@sefton.example.gov.uk" in response.text
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_an_unregistered_person_is_refused(web: WebClient, idp: int) -> None:
    _back, response = sign_in_as(web, idp, "stranger")
    assert response.status_code == 403
    assert "You do not have a CouncilFlow account" in response.text


def test_create_provisioning_makes_the_person(
    web: WebClient, engine: Engine, web_clock: FrozenClock, provider: Provider
) -> None:
    settings = web.client.app.state.settings  # type: ignore[attr-defined]
    idp = configure(
        engine, web_clock, settings, provider.issuer, provisioning="create", create_role="viewer"
    )
    _back, response = sign_in_as(web, idp, "stranger")
    assert response.status_code == 303
    assert "nobody@elsewhere.example.org" in web.get("/").text
    with unit_of_work(engine) as session:
        from sqlmodel import select

        made = session.exec(select(User).where(User.email == "nobody@elsewhere.example.org")).one()
        assert made.roles == ["officer"]


def test_a_wrong_issuer_is_refused(
    web: WebClient, engine: Engine, web_clock: FrozenClock, provider: Provider
) -> None:
    # The same provider named by another host: its discovery document names its own issuer.
    settings = web.client.app.state.settings  # type: ignore[attr-defined]
    wrong = provider.issuer.replace("127.0.0.1", "localhost")
    idp = configure(engine, web_clock, settings, wrong)
    web.get("/sign-in")
    response = web.post(f"/sign-in/oidc/{idp}", {"next": "/"}, follow_redirects=False)
    assert response.status_code == 400
    assert "Your sign-in came from the wrong place" in response.text
    assert provider.issuer in response.text


def test_a_callback_naming_another_issuer_is_refused(web: WebClient, idp: int) -> None:
    back = log_in(set_off(web, idp), "sam", BASE)
    forged = back.replace("iss=http", "iss=https")
    response = web.get(callback_path(forged))
    assert response.status_code == 400
    assert "Your sign-in came from the wrong place" in response.text


def test_sign_out_ends_the_session_here_and_at_the_provider(
    web: WebClient, idp: int, provider: Provider
) -> None:
    sign_in_as(web, idp, "sam")
    web.get("/")
    out = web.post("/sign-out", follow_redirects=False)
    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == provider.issuer
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [BASE + "/sign-in"]
    assert query["id_token_hint"][0].count(".") == 2
    assert query["client_id"] == [CLIENT_ID]
    assert web.client.get("/", follow_redirects=False).status_code == 303
    # The provider accepts the hint and the address (it refuses either with an "oops" page).
    confirm = httpx.get(out.headers["location"])
    assert confirm.status_code == 200 and "oops" not in confirm.text.lower()
    assert "logout" in confirm.text.lower()


def test_the_token_sign_in_is_off_once_a_provider_is_configured(web: WebClient, idp: int) -> None:
    page = web.get("/sign-in")
    assert "Access token" not in page.text
    response = web.post("/sign-in", {"token": web.seeded.tokens["officer"], "next": "/"})
    assert response.status_code == 403
    assert "Sign in with your council&#39;s account" in response.text


def test_the_token_sign_in_stays_without_a_provider(web: WebClient) -> None:
    page = web.get("/sign-in")
    assert "Access token" in page.text and "Sign in with" not in page.text


def form_action(response: Any) -> str:
    policy = response.headers["content-security-policy"]
    return next(d for d in policy.split("; ") if d.startswith("form-action"))


def test_forms_may_lead_to_the_provider_and_nowhere_else(
    web: WebClient, idp: int, provider: Provider
) -> None:
    # Chromium applies form-action to a form's redirects: the sign-in button's leads to the
    # provider, and so does the sign-out button's once signed in through it.
    assert form_action(web.get("/sign-in")) == f"form-action 'self' {provider.issuer}"
    sign_in_as(web, idp, "sam")
    assert form_action(web.get("/")) == f"form-action 'self' {provider.issuer}"
    assert form_action(web.client.get("/api/v1/health")) == "form-action 'self'"
    web.post("/sign-out", follow_redirects=False)
    assert form_action(web.client.get("/cases", follow_redirects=False)) == "form-action 'self'"
