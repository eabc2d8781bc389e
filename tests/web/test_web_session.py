"""Signing in and out, the session cookie's flags, and CSRF on every form."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from webcase import WebClient

from api.app import create_app
from api.web.session import COOKIE
from workflow.clock import FrozenClock


def _set_cookie(response: Any) -> str:
    headers = [v for k, v in response.headers.multi_items() if k.lower() == "set-cookie"]
    mine = [h for h in headers if h.startswith(COOKIE + "=")]
    assert mine, headers
    return mine[-1]


def test_pages_send_strangers_to_sign_in(web: WebClient) -> None:
    response = web.client.get("/cases/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fcases%2F1"


def test_sign_in_with_a_token_then_out(web: WebClient) -> None:
    web.get("/sign-in")
    response = web.post(
        "/sign-in", {"token": web.seeded.tokens["officer"], "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = _set_cookie(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie.split(";")[1:].__str__()  # secure_cookies is off here
    page = web.get("/")
    assert "Signed in as" in page.text and "Sam Officer" in page.text
    assert "You are signed in as Sam Officer." in page.text
    out = web.post("/sign-out", follow_redirects=False)
    assert out.status_code == 303
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_the_cookie_is_secure_when_configured(
    engine: Engine, web_clock: FrozenClock, web_app_parts: Any, seeded: Any
) -> None:
    _app, settings = web_app_parts
    app = create_app(
        settings=settings.model_copy(update={"secure_cookies": True}),
        clock=web_clock,
        engine=engine,
    )
    with TestClient(app) as client:
        web = WebClient(client, seeded)
        web.get("/sign-in")
        response = web.post(
            "/sign-in", {"token": seeded.tokens["officer"], "next": "/"}, follow_redirects=False
        )
        assert "; secure" in _set_cookie(response).lower()


def test_a_wrong_token_is_an_error_on_the_field(web: WebClient) -> None:
    web.get("/sign-in")
    response = web.post("/sign-in", {"token": "cf_not_a_token", "next": "/"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert 'href="#token"' in response.text
    assert "That access token is not recognised" in response.text
    assert "<title>Error: Sign in" in response.text


def test_every_post_needs_the_sessions_csrf_token(web: WebClient) -> None:
    web.sign_in("officer")
    for url in ("/sign-out", "/cases/new", f"/cases/{web.seeded.oldham_case_id}/events/withdraw"):
        forged = web.client.post(url, data={"csrf_token": "forged", "reason": "x"})
        assert forged.status_code == 400, url
        assert "Your form could not be sent" in forged.text
        missing = web.client.post(url, data={"reason": "x"})
        assert missing.status_code == 400, url
    # Still signed in, and the case was not withdrawn.
    page = web.get(f"/cases/{web.seeded.oldham_case_id}")
    assert page.status_code == 200 and "Withdrawn" not in page.text.split("Now:")[1][:200]


def test_sign_in_only_returns_to_this_site(web: WebClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        web.get("/sign-in")  # signing in gives a fresh CSRF token: take it from the page
        response = web.post(
            "/sign-in",
            {"token": web.seeded.tokens["officer"], "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/", target


def test_a_tampered_cookie_is_no_session(web: WebClient) -> None:
    web.sign_in("officer")
    value = web.client.cookies.get(COOKIE)
    assert value
    web.client.cookies.set(COOKIE, value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_a_new_token_ends_old_sessions(web: WebClient, engine: Engine) -> None:
    from workflow.db import unit_of_work
    from workflow.models import User
    from workflow.people.users import hash_token

    web.sign_in("viewer")
    assert web.client.get("/", follow_redirects=False).status_code == 200
    with unit_of_work(engine) as session:
        user = session.get(User, web.seeded.user_ids["viewer"])
        assert user is not None
        user.token_hash = hash_token("cf_a_brand_new_token")
        session.add(user)
    assert web.client.get("/", follow_redirects=False).status_code == 303


def _cookie_on(
    engine: Engine, web_clock: FrozenClock, web_app_parts: Any, seeded: Any, base: str, **s: Any
) -> str:
    """The session cookie the sign-in page sets (with its CSRF token) when reached at ``base``."""
    _app, settings = web_app_parts
    app = create_app(settings=settings.model_copy(update=s), clock=web_clock, engine=engine)
    with TestClient(app, base_url=base) as client:
        return _set_cookie(client.get("/sign-in")).lower()


def test_the_cookie_is_secure_by_default_but_on_plain_http_to_loopback(
    engine: Engine, web_clock: FrozenClock, web_app_parts: Any, seeded: Any
) -> None:
    """``COUNCILFLOW_SECURE_COOKIES`` unset: Secure, except for ``make run`` on 127.0.0.1."""
    parts = (engine, web_clock, web_app_parts, seeded)
    for base in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert "; secure" not in _cookie_on(*parts, base, secure_cookies=None), base
    for base in ("http://council.example:8000", "http://10.1.2.3", "https://127.0.0.1"):
        assert "; secure" in _cookie_on(*parts, base, secure_cookies=None), base
    published = {"secure_cookies": None, "base_url": "https://councilflow.example.gov.uk"}
    assert "; secure" in _cookie_on(*parts, "http://127.0.0.1:8000", **published)
    assert "; secure" not in _cookie_on(*parts, "http://10.1.2.3", secure_cookies=False)
