"""Limits on failed sign-ins, bearer tokens, calendar keys and the metrics token (issue 13),
over HTTP: past the limit of failures per client address, or per account where the credential
names one, the answer is 429 with Retry-After, without the credential being checked; each
failure is logged and counted."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, V1, MakeClient, problem_of
from sqlalchemy.engine import Engine
from sqlmodel import Session

from workflow.models import User
from workflow.people.users import calendar_key

LIMITS = {
    "auth_failures_per_address": "3 per 5 minutes",
    "auth_failures_per_account": "2 per 5 minutes",
    "metrics_token": "metrics-throttle-token",
}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _from(client: TestClient, address: str) -> TestClient:
    """The same app reached from another client address."""
    return TestClient(client.app, client=(address, 40000))


def _retry_after(response: object) -> int:
    refused = problem_of(response, 429)  # type: ignore[arg-type]
    assert refused["type"].endswith("/too-many-attempts")
    seconds = int(response.headers["retry-after"])  # type: ignore[attr-defined]
    assert 0 < seconds <= 300
    return seconds


def test_bad_bearer_tokens_are_limited_per_address(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(**LIMITS)
    for _ in range(5):  # no token at all is not a guess, and is not counted
        problem_of(client.get(V1 + "/me"), 401)
    with caplog.at_level(logging.WARNING, logger="councilflow.api"):
        for n in range(3):
            problem_of(client.get(V1 + "/me", headers=_bearer(f"cf_guess_{n}")), 401)
        _retry_after(client.get(V1 + "/me", headers=_bearer("cf_guess_4")))
        # Past the limit even the right token waits: it is not checked at all.
        _retry_after(client.get(V1 + "/me", headers=_bearer(ADMIN_TOKEN)))
    assert caplog.text.count("bearer token refused from testclient") == 3
    assert "refused unchecked: too many failures at this address (testclient)" in caplog.text
    # Another address is its own count.
    other = _from(client, "192.0.2.7")
    assert other.get(V1 + "/me", headers=_bearer(ADMIN_TOKEN)).status_code == 200
    problem_of(other.get(V1 + "/me", headers=_bearer("cf_guess")), 401)
    scraped = other.get("/metrics", headers=_bearer(LIMITS["metrics_token"])).text
    assert 'councilflow_auth_failures_total{kind="bearer token",outcome="refused"} 4.0' in scraped
    assert 'councilflow_auth_failures_total{kind="bearer token",outcome="throttled"} 2.0' in scraped


def test_the_sign_in_page_says_to_wait(make_client: MakeClient) -> None:
    client = make_client(**LIMITS, secure_cookies=False)  # TestClient speaks plain HTTP
    page = client.get("/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    form = {"csrf_token": csrf.group(1), "next": "/"}
    for n in range(3):
        wrong = client.post("/sign-in", data={**form, "token": f"cf_wrong_{n}"})
        assert wrong.status_code == 400 and "not recognised" in wrong.text
    assert client.post("/sign-in", data={**form, "token": ""}).status_code == 400  # not counted
    waited = client.post("/sign-in", data={**form, "token": "cf_wrong_again"})
    assert waited.status_code == 429
    assert 0 < int(waited.headers["retry-after"]) <= 300
    assert "govuk-error-summary" in waited.text
    assert "Too many access tokens were not recognised. Wait 5 minutes and try again" in waited.text
    # The API and the pages share the address's count: the API is refused too.
    _retry_after(client.get(V1 + "/me", headers=_bearer("cf_wrong")))


def test_calendar_keys_are_limited_per_account_too(make_client: MakeClient, engine: Engine) -> None:
    client = make_client(**LIMITS)
    admin = client.get(V1 + "/me", headers=_bearer(ADMIN_TOKEN)).json()
    settings = client.app.state.settings  # type: ignore[attr-defined]
    feed = V1 + "/calendar.ics"
    # Two wrong keys for the admin's account, from two addresses: the account's limit.
    for address in ("192.0.2.1", "192.0.2.2"):
        wrong = f"{admin['id']}-{'0' * 40}"
        problem_of(_from(client, address).get(feed, params={"key": wrong}), 401)
    third = _from(client, "192.0.2.3")
    _retry_after(third.get(feed, params={"key": f"{admin['id']}-{'1' * 40}"}))
    # That address has one failure to its name, and another account's key is checked.
    problem_of(third.get(feed, params={"key": "999-" + "0" * 40}), 401)
    # The right key is refused unchecked while the account's window lasts; once it has passed
    # (a fresh app here, as the memory storage lives with the app) it reads the feed again.
    with Session(engine) as session:
        user = session.get(User, admin["id"])
        assert user is not None
        key = calendar_key(user, settings.session_secret)
    _retry_after(_from(client, "192.0.2.4").get(feed, params={"key": key}))
    fresh = make_client(**LIMITS)
    assert fresh.get(feed, params={"key": key}).status_code == 200


def test_a_wrong_metrics_token_counts_as_a_failure(make_client: MakeClient) -> None:
    client = make_client(**LIMITS)
    for n in range(3):
        problem_of(client.get("/metrics", headers=_bearer(f"m{n}")), 401)
    _retry_after(client.get("/metrics", headers=_bearer(LIMITS["metrics_token"])))
