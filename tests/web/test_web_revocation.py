"""Sign-out ends the session on the server (issue 14, item 4): a copy of the cookie taken
before signing out, or before an admin deactivated the person, opens nothing afterwards.
And while the database is down the pages answer with the GOV.UK error page (item 8)."""

from __future__ import annotations

import socket

from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import Response
from webcase import WebClient

from api.app import create_app
from api.web.session import COOKIE, WebSession, save
from workflow.clock import FrozenClock
from workflow.db import make_engine, unit_of_work
from workflow.models import User
from workflow.people.users import set_active
from workflow.settings import Settings


def _copy_of_cookie(web: WebClient) -> str:
    value = web.client.cookies.get(COOKIE)
    assert value
    return value


def test_a_cookie_copied_before_sign_out_gets_the_sign_in_page(web: WebClient) -> None:
    web.sign_in("viewer")
    copied = _copy_of_cookie(web)
    assert web.client.get("/", follow_redirects=False).status_code == 200
    assert web.post("/sign-out", follow_redirects=False).status_code == 303

    web.client.cookies.clear()
    web.client.cookies.set(COOKIE, copied)
    again = web.client.get("/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/sign-in")

    web.sign_in("viewer")  # signing in afresh works
    assert web.client.get("/", follow_redirects=False).status_code == 200


def test_deactivation_ends_every_session_at_once(web: WebClient) -> None:
    web.sign_in("officer")
    assert web.client.get("/", follow_redirects=False).status_code == 200
    app = web.client.app
    with unit_of_work(app.state.engine) as session:  # type: ignore[attr-defined]
        from workflow.context import Ctx

        ctx = Ctx(session, app.state.clock, app.state.settings)  # type: ignore[attr-defined]
        set_active(ctx, web.seeded.user_ids["officer"], False, actor=None)
    assert web.client.get("/", follow_redirects=False).status_code == 303
    web.get("/sign-in")
    refused = web.post("/sign-in", {"token": web.seeded.tokens["officer"], "next": "/"})
    assert refused.status_code == 400 and "not recognised" in refused.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


def test_pages_show_the_error_page_while_the_database_is_down(web_clock: FrozenClock) -> None:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/councilflow"
    settings = Settings(database_url=url, run_scheduler_in_serve=False, session_secret="s" * 40)
    app = create_app(settings=settings, clock=web_clock, engine=make_engine(url))
    client = TestClient(app)  # no lifespan: start-up would (rightly) fail on a dead database
    # A signed-in person's cookie, as they had it before the database went away.
    signed = WebSession()
    signed.sign_in(User(id=1, name="Sam", email="sam@example.org", token_hash="0" * 64))
    carrier = Response()
    loopback = Request(
        {
            "type": "http",
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "headers": [],
            "client": ("127.0.0.1", 1),
            "method": "GET",
            "path": "/",
            "query_string": b"",
        }
    )
    save(carrier, signed, loopback, settings)
    cookie = carrier.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client.cookies.set(COOKIE, cookie)

    page = client.get("/cases")
    assert page.status_code == 503, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "Sorry, the service is unavailable" in page.text and "govuk-" in page.text
    assert page.headers["retry-after"]

    api = client.get("/api/v1/me", headers={"Authorization": "Bearer cf_anything"})
    assert api.status_code == 503
    assert api.headers["content-type"].startswith("application/problem+json")
