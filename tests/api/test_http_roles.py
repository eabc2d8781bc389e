"""Every role refused where SPEC §3 and §6 say it must be: a 403 problem, and nothing changed.

The rules live in the domain (``workflow.lifecycle.machine``); these tests prove the HTTP layer
carries
them through for each event at each stage of a case's life, with valid payloads, so the only
reason for the refusal is who is asking.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpcase import (
    Caller,
    approve_body,
    draft_case,
    problem_of,
    to_active,
    to_delegated_approval,
)

USER = {"name": "N", "email": "n@example.org", "roles": ["viewer"], "directorate": None}
AGREEMENT = {
    "reference": "X-1",
    "title": "T",
    "kind": "sla",
    "counterparty": "C",
    "directorate": "D",
    "annual_value_pence": 1,
    "start_date": "2024-01-01",
    "end_date": "2024-12-31",
}


def refused(caller: Caller, case_id: int, event: str, payload: Any = None) -> None:
    before = caller.ok(caller.get(f"/cases/{case_id}"))
    body = problem_of(caller.fire(case_id, event, payload), 403)
    assert event in body["detail"]
    after = caller.ok(caller.get(f"/cases/{case_id}"))
    assert (after["state"], after["version"]) == (before["state"], before["version"])


def test_only_an_admin_creates_users(people: dict[str, Caller]) -> None:
    for key, caller in people.items():
        if key != "admin":
            problem_of(caller.post("/users", USER), 403)


def test_who_may_register_agreements_and_draft_cases(people: dict[str, Caller]) -> None:
    for key in ("viewer", "executive", "cabinet_member", "scrutiny"):
        problem_of(people[key].post("/agreements", AGREEMENT), 403)
    agreement = people["clerk"].ok(people["clerk"].post("/agreements", AGREEMENT), 201)
    case = draft_case(people["officer"])
    body = {**{k: case[k] for k in ("kind", "title", "directorate", "proposal")}}
    body["agreement_ids"] = [agreement["id"]]
    for key in ("viewer", "clerk", "executive", "admin"):
        problem_of(people[key].post("/cases", body), 403)


def test_a_draft_is_submitted_and_changed_only_by_its_directorate(
    people: dict[str, Caller],
) -> None:
    cid = draft_case(people["officer"])["id"]
    for key in ("viewer", "other_officer", "executive", "cabinet_member", "clerk", "admin"):
        refused(people[key], cid, "submit")
        problem_of(people[key].patch(f"/cases/{cid}", {"agenda_item": "9"}), 403)
    for key in ("viewer", "colleague", "clerk", "other_officer"):
        refused(people[key], cid, "withdraw", {"reason": "no"})
    colleague = people["colleague"]
    assert colleague.ok(colleague.patch(f"/cases/{cid}", {"agenda_item": "9"}))["version"] == 2
    assert colleague.ok(colleague.fire(cid, "submit"))["state"] == "cabinet_consideration"


def test_cabinet_events_are_democratic_services_only(people: dict[str, Caller]) -> None:
    cid = draft_case(people["officer"])["id"]
    people["officer"].ok(people["officer"].fire(cid, "submit"))
    payloads = {
        "defer": {"reason": "later", "meeting_date": "2024-10-03"},
        "refer_back": {"reason": "rework"},
        "approve": approve_body(people)
        | {"decided_on": "2024-07-01", "notice_published_on": "2024-07-01"},
        "reject": {"resolution": "No.", "decided_on": "2024-07-01"},
    }
    for key in ("officer", "admin", "viewer", "executive", "scrutiny", "cabinet_member"):
        for event, payload in payloads.items():
            refused(people[key], cid, event, payload)


def test_call_in_sign_off_and_consultation_rights(people: dict[str, Caller]) -> None:
    cid = draft_case(people["officer"])["id"]
    to_delegated_approval(people, cid)
    for key in ("officer", "clerk", "admin", "viewer", "executive"):
        refused(people[key], cid, "call_in", {"reason": "concerned"})
    sign_off = {"months": 6, "reasons": "r"}
    for key in ("other_exec", "officer", "clerk", "admin", "cabinet_member", "scrutiny"):
        refused(people[key], cid, "sign_off", sign_off)
    consult = {
        "consultee_id": people["cabinet_member"].id,
        "consulted_on": "2024-09-06",
        "response": "ok",
    }
    for key in ("viewer", "officer", "clerk", "other_exec", "admin"):
        problem_of(people[key].post(f"/cases/{cid}/consultations", consult), 403)
    scrutiny = people["scrutiny"]
    case = scrutiny.ok(scrutiny.fire(cid, "call_in", {"reason": "Value for money."}))
    assert case["state"] == "called_in"
    assert (
        "no_further_action"
        in people["clerk"].ok(people["clerk"].get(f"/cases/{cid}"))["allowed_events"]
    )


def test_a_call_in_request_over_http(people: dict[str, Caller]) -> None:
    """One member is the default number: the request itself calls the decision in (issue
    12); anyone else is refused, and the decision cannot be called in twice."""
    cid = draft_case(people["officer"])["id"]
    to_delegated_approval(people, cid)
    body = {"reason": "Value for money."}
    problem_of(people["officer"].post(f"/cases/{cid}/call-in-requests", body), 403)
    scrutiny = people["scrutiny"]
    case = scrutiny.ok(scrutiny.post(f"/cases/{cid}/call-in-requests", body))
    assert case["state"] == "called_in"
    problem_of(scrutiny.post(f"/cases/{cid}/call-in-requests", body), 409)


def test_the_author_can_never_sign_off(people: dict[str, Caller]) -> None:
    """Cabinet cannot even name the author as delegate; the machine's who-rule backs it."""
    author_exec = people["other_exec"]
    admin = people["admin"]
    officer_exec = admin.ok(
        admin.post(
            "/users",
            {
                "name": "Both Hats",
                "email": "both@example.org",
                "roles": ["officer", "executive"],
                "directorate": "Adult Social Care",
            },
        ),
        201,
    )
    both = Caller(author_exec.client, officer_exec["token"], officer_exec)
    cid = draft_case(both)["id"]
    both.ok(both.fire(cid, "submit"))
    admin.ok(admin.post("/admin/clock", {"now": "2024-09-06T09:00:00+01:00"}))
    refusal = problem_of(
        people["clerk"].fire(cid, "approve", approve_body(people) | {"delegate_id": both.id}), 409
    )
    assert [g["name"] for g in refusal["guards"]] == ["delegate_is_not_author"]


def test_extend_expire_and_admin_only_routes(people: dict[str, Caller]) -> None:
    cid = draft_case(people["officer"])["id"]
    to_delegated_approval(people, cid)
    to_active(people, cid)
    for key in ("viewer", "executive", "clerk", "cabinet_member"):
        refused(people[key], cid, "extend", {"months": 6, "reasons": "more"})
    for key in ("admin", "officer", "clerk"):
        refused(people[key], cid, "expire")
    for key in ("officer", "clerk", "viewer", "executive"):
        caller = people[key]
        problem_of(caller.post("/admin/tick"), 403)
        problem_of(caller.post("/admin/clock", {"now": "2030-01-01T00:00:00Z"}), 403)
        problem_of(caller.post("/reminders/1/retry"), 403)


@pytest.mark.parametrize("withdrawer", ["officer", "admin"])
def test_the_author_or_an_admin_withdraws(people: dict[str, Caller], withdrawer: str) -> None:
    cid = draft_case(people["officer"])["id"]
    caller = people[withdrawer]
    case = caller.ok(caller.fire(cid, "withdraw", {"reason": "No longer needed."}))
    assert case["state"] == "withdrawn" and case["allowed_events"] == []


def test_every_answer_needs_a_token(client: TestClient) -> None:
    for path in (
        "/me",
        "/cases",
        "/agreements",
        "/deadlines",
        "/reminders",
        "/workflow",
        "/calendar.ics",
        "/cases/1",
        "/cases/1/audit",
    ):
        response = client.get("/api/v1" + path)
        problem_of(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
