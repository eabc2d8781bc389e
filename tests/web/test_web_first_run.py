"""The first-run page (issue 10, part 5), over HTTP on an empty database: the link makes the
first admin and signs them in; it works once; an expired one, or one issued before anybody
existed and opened after, is refused with a clear page; no link is issued once someone is in.
(``tests/api/test_http_serve.py`` reads the link ``councilflow serve`` prints.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webcase import Seeded, WebClient

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.people.first_run import issue_link

ADMIN = {"name": "Alex Admin", "email": "alex@sefton.gov.uk"}


@pytest.fixture
def empty(web_app_parts: Any) -> Iterator[WebClient]:
    app, _settings = web_app_parts
    with TestClient(app) as client:
        yield WebClient(client, Seeded())


def _link(web: WebClient) -> str | None:
    app: Any = web.client.app
    with unit_of_work(app.state.engine) as session:
        token = issue_link(Ctx(session, app.state.clock, app.state.settings))
    return None if token is None else f"/first-run/{token}"


def test_the_link_makes_the_first_admin_once(empty: WebClient) -> None:
    link = _link(empty)
    assert link is not None
    form = empty.get(link)
    assert form.status_code == 200 and "Make the first admin" in form.text
    blank = empty.post(link, {"name": "", "email": "not an address"})
    assert blank.status_code == 400 and 'href="#email"' in blank.text

    made = empty.post(link, ADMIN)
    assert made.status_code == 201, made.text
    assert "Alex Admin is CouncilFlow" in made.text and 'id="admin-token">cf_' in made.text
    dashboard = empty.client.get("/", follow_redirects=False)
    assert dashboard.status_code == 200  # signed in by the same session as a token sign-in

    empty.client.cookies.clear()
    again = empty.get(link)
    assert again.status_code == 410 and "has been used" in again.text
    empty.get("/sign-in")  # a fresh session's CSRF token: the refusal is the link's
    reused = empty.post(link, {**ADMIN, "email": "b@sefton.gov.uk"})
    assert reused.status_code == 410 and "has been used" in reused.text
    assert _link(empty) is None  # somebody is in: no new link


def test_an_expired_link_is_refused(empty: WebClient, web_clock: FrozenClock) -> None:
    link = _link(empty)
    assert link is not None
    web_clock.advance(timedelta(minutes=15))
    expired = empty.get(link)
    assert expired.status_code == 410 and "expired" in expired.text


def test_an_unknown_link_is_refused(empty: WebClient) -> None:
    unknown = empty.get("/first-run/not-a-token")
    assert unknown.status_code == 410 and "not recognised" in unknown.text


def test_a_second_link_is_dead_once_the_first_made_an_admin(empty: WebClient) -> None:
    first, second = _link(empty), _link(empty)
    assert first and second
    empty.get(first)
    assert empty.post(first, ADMIN).status_code == 201
    empty.client.cookies.clear()
    refused = empty.get(second)
    assert refused.status_code == 410 and "already has an admin" in refused.text
