"""Revocation over HTTP (issue 14, items 4, 6 and 7): an admin deactivates and reactivates a
person, whose token and calendar key stop at once; nobody can name them delegate or consultee;
the scheduler's address is reserved; a calendar key with foreign digits is a clean 401."""

from __future__ import annotations

from typing import Any

from httpcase import (
    V1,
    Caller,
    approve_body,
    draft_case,
    problem_of,
)

from workflow.people.users import SYSTEM_EMAIL

People = dict[str, Caller]


def _calendar_key(client: Any, caller: Caller) -> str:
    """The key the Calendar page shows, got by signing in to the pages."""
    from workflow.db import unit_of_work
    from workflow.models import User
    from workflow.people.users import calendar_key

    with unit_of_work(client.app.state.engine) as session:
        user = session.get(User, caller.id)
        assert user is not None
        return calendar_key(user, client.app.state.settings.session_secret)


def test_an_admin_deactivates_and_reactivates_a_person(people: People) -> None:
    admin, viewer = people["admin"], people["viewer"]
    key = _calendar_key(viewer.client, viewer)
    assert viewer.client.get(V1 + "/calendar.ics", params={"key": key}).status_code == 200
    assert viewer.ok(viewer.get("/me"))["active"] is True

    done = admin.ok(admin.post(f"/users/{viewer.id}/deactivate"))
    assert done["active"] is False and done["id"] == viewer.id
    problem_of(viewer.get("/me"), 401)
    problem_of(viewer.get("/cases"), 401)
    problem_of(viewer.client.get(V1 + "/calendar.ics", params={"key": key}), 401)

    assert admin.ok(admin.post(f"/users/{viewer.id}/reactivate"))["active"] is True
    assert viewer.ok(viewer.get("/me"))["id"] == viewer.id


def test_only_an_admin_deactivates(people: People) -> None:
    officer, viewer = people["officer"], people["viewer"]
    problem_of(officer.post(f"/users/{viewer.id}/deactivate"), 403)
    assert viewer.ok(viewer.get("/me"))["active"] is True
    problem_of(people["admin"].post("/users/999999/deactivate"), 404)


def test_a_deactivated_person_cannot_be_named_delegate_or_consultee(people: People) -> None:
    officer, admin, clerk = people["officer"], people["admin"], people["clerk"]
    case = draft_case(officer)
    officer.ok(officer.fire(case["id"], "submit"))
    admin.ok(admin.post("/admin/clock", {"now": "2024-09-06T09:00:00+01:00"}))
    for who in ("executive", "cabinet_member"):
        admin.ok(admin.post(f"/users/{people[who].id}/deactivate"))
        refused = problem_of(clerk.fire(case["id"], "approve", approve_body(people)), 409)
        assert any("deactivated" in g["reason"] for g in refused["guards"]), refused
        admin.ok(admin.post(f"/users/{people[who].id}/reactivate"))
    assert clerk.ok(clerk.fire(case["id"], "approve", approve_body(people)))["state"] == (
        "delegated_approval"
    )


def test_nobody_can_take_the_schedulers_address(people: People) -> None:
    admin = people["admin"]
    body = {"name": "Mallory", "email": SYSTEM_EMAIL, "roles": ["admin"]}
    refused = problem_of(admin.post("/users", body), 422)
    assert refused["errors"][0]["field"] == "email"


def test_a_calendar_key_with_foreign_digits_is_a_clean_401(people: People) -> None:
    client, viewer = people["viewer"].client, people["viewer"]
    for key in ("²-x", "1²-x", f"{viewer.id}-²²", f"{viewer.id}-é"):
        problem_of(client.get(V1 + "/calendar.ics", params={"key": key}), 401)
