"""Personal access tokens over HTTP (issue 10, part 4): made and shown once, refused when
expired or revoked, a read token refused any write, other people's tokens a 404, and the
last-used time written at most once a minute."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from httpcase import Caller, problem_of

from workflow.clock import FrozenClock

People = dict[str, Caller]


def _make(caller: Caller, scope: str = "read_write", days: int = 30) -> Caller:
    body = {"name": f"{scope} script", "scope": scope, "expires_in_days": days}
    made = caller.ok(caller.post("/tokens", body), 201)
    assert made["token"].startswith("cfpat_") and made["user_id"] == caller.id
    return Caller(caller.client, made["token"], {**caller.user, "token_id": made["id"]})


def test_a_token_is_shown_once_and_works(people: People) -> None:
    officer = people["officer"]
    pat = _make(officer)
    assert pat.ok(pat.get("/me"))["id"] == officer.id
    listed = officer.ok(officer.get("/tokens"))
    assert [t["id"] for t in listed] == [pat.user["token_id"]]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert listed[0]["expires_at"] == "2024-07-31T08:00:00Z"  # 30 days from the clock


def test_an_expired_token_is_refused_by_name(people: People, clock: FrozenClock) -> None:
    pat = _make(people["officer"], days=1)
    pat.ok(pat.get("/me"))
    clock.advance(timedelta(days=1))
    refused = problem_of(pat.get("/me"), 401)
    assert "expired" in refused["detail"]


def test_a_revoked_token_is_refused_by_name(people: People) -> None:
    officer = people["officer"]
    pat = _make(officer)
    done = officer.ok(officer.post(f"/tokens/{pat.user['token_id']}/revoke"))
    assert done["revoked_at"] is not None and done["revoked_by_id"] == officer.id
    refused = problem_of(pat.get("/me"), 401)
    assert "revoked" in refused["detail"]


def test_a_read_token_reads_and_may_not_write(people: People) -> None:
    pat = _make(people["officer"], scope="read")
    pat.ok(pat.get("/cases"))
    assert pat.client.head("/api/v1/me", headers={"Authorization": f"Bearer {pat.token}"})
    refused = problem_of(pat.post("/tokens", {"name": "more", "scope": "read_write"}), 403)
    assert "may only read" in refused["detail"]
    problem_of(pat.post(f"/tokens/{pat.user['token_id']}/revoke"), 403)


def test_another_persons_token_is_not_found_but_an_admin_revokes_it(people: People) -> None:
    officer, viewer, admin = people["officer"], people["viewer"], people["admin"]
    pat = _make(officer)
    token_id = pat.user["token_id"]
    problem_of(viewer.post(f"/tokens/{token_id}/revoke"), 404)
    problem_of(viewer.post("/tokens/999999/revoke"), 404)
    assert viewer.ok(viewer.get("/tokens")) == []
    problem_of(viewer.get(f"/users/{officer.id}/tokens"), 403)
    assert [t["id"] for t in admin.ok(admin.get(f"/users/{officer.id}/tokens"))] == [token_id]
    assert admin.ok(admin.post(f"/tokens/{token_id}/revoke"))["revoked_by_id"] == admin.id
    problem_of(pat.get("/me"), 401)


def test_the_expiry_is_required_within_the_maximum(people: People) -> None:
    officer = people["officer"]
    too_long = problem_of(officer.post("/tokens", {"name": "x", "expires_in_days": 367}), 422)
    assert too_long["errors"][0]["field"] == "expires_in_days"
    problem_of(officer.post("/tokens", {"name": "x", "scope": "admin"}), 422)


def test_last_used_is_written_at_most_once_a_minute(people: People, clock: FrozenClock) -> None:
    officer = people["officer"]
    pat = _make(officer)

    def last_used() -> str | None:
        (row,) = officer.ok(officer.get("/tokens"))
        return row["last_used_at"]

    assert last_used() is None
    pat.ok(pat.get("/me"))
    first = last_used()
    assert first is not None
    clock.advance(timedelta(seconds=59))
    pat.ok(pat.get("/me"))
    assert last_used() == first
    clock.advance(timedelta(seconds=1))
    pat.ok(pat.get("/me"))
    assert last_used() != first


def test_a_deactivated_persons_tokens_stop(people: People, client: TestClient) -> None:
    viewer, admin = people["viewer"], people["admin"]
    pat = _make(viewer, scope="read")
    admin.ok(admin.post(f"/users/{viewer.id}/deactivate"))
    problem_of(pat.get("/me"), 401)
