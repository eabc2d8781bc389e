"""The tokens page (issue 10, part 4): a person makes a token (shown once), uses it on the
API, sees it listed, and revokes it; bad input is a GOV.UK error summary; a form without
its CSRF token changes nothing; someone else's token cannot be revoked from the page."""

from __future__ import annotations

import re

from webcase import WebClient

NEW_TOKEN = re.compile(r'id="new-token">(cfpat_[A-Za-z0-9_-]+)<')


def _make(web: WebClient, name: str = "register export", scope: str = "read") -> str:
    web.get("/tokens")
    made = web.post("/tokens", {"name": name, "scope": scope, "expires_in_days": "7"})
    assert made.status_code == 201, made.text
    found = NEW_TOKEN.search(made.text)
    assert found, made.text
    return found.group(1)


def test_make_use_and_revoke_a_token(web: WebClient) -> None:
    web.sign_in("officer")
    token = _make(web)
    bearer = {"Authorization": f"Bearer {token}"}
    assert web.client.get("/api/v1/me", headers=bearer).status_code == 200
    listed = web.get("/tokens")
    assert "register export" in listed.text and "Read only" in listed.text
    assert token not in listed.text  # shown once, never again
    (token_id,) = re.findall(r'action="/tokens/(\d+)/revoke"', listed.text)

    revoked = web.post(f"/tokens/{token_id}/revoke")
    assert revoked.status_code == 200 and "was revoked" in revoked.text
    assert "Revoked" in revoked.text
    refused = web.client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_bad_input_is_shown_on_the_form(web: WebClient) -> None:
    web.sign_in("officer")
    web.get("/tokens")
    long = web.post("/tokens", {"name": "x", "scope": "read", "expires_in_days": "9999"})
    assert long.status_code == 400 and "govuk-error-summary" in long.text
    assert "366" in long.text
    blank = web.post("/tokens", {"name": "", "scope": "read", "expires_in_days": "7"})
    assert blank.status_code == 400 and 'href="#name"' in blank.text
    assert "You have no tokens" in blank.text


def test_no_csrf_token_no_token(web: WebClient) -> None:
    web.sign_in("officer")
    web.get("/tokens")
    forged = web.client.post("/tokens", data={"name": "x", "scope": "read_write"})
    assert forged.status_code in (400, 403)
    assert "You have no tokens" in web.get("/tokens").text


def test_someone_elses_token_cannot_be_revoked_from_the_page(web: WebClient) -> None:
    web.sign_in("officer")
    token = _make(web)
    token_id = re.findall(r'action="/tokens/(\d+)/revoke"', web.get("/tokens").text)[0]
    web.sign_in("viewer")
    web.get("/tokens")
    assert web.post(f"/tokens/{token_id}/revoke").status_code == 404
    me = web.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
