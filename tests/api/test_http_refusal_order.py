"""Over HTTP too, an event is refused for its state (409, with the events allowed) or for who
sent it (403) before its body is read: the body is validated by the domain, in its turn
(``workflow.lifecycle.events``), not by FastAPI ahead of everything (SPEC §3). The OpenAPI schema
still
documents each event's payload exactly."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpcase import V1, Caller, draft_case, problem_of, to_active, to_delegated_approval

from workflow.schemas import EVENT_PAYLOADS


def test_an_event_the_state_does_not_allow_is_409_whatever_its_body(
    people: dict[str, Caller],
) -> None:
    officer = people["officer"]
    cid = draft_case(officer)["id"]
    for body in (None, {}, {"months": 0}, {"surprise": True}):
        refused = problem_of(officer.fire(cid, "extend", body), 409)
        assert refused["type"].endswith("/transition-not-allowed"), body
        assert (refused["state"], refused["allowed_events"]) == ("drafted", ["submit", "withdraw"])
    clerk = people["clerk"]
    refused = problem_of(clerk.fire(cid, "approve", {}), 409)
    assert refused["allowed_events"] == []


def test_who_may_fire_it_comes_before_the_body_and_the_body_before_the_guards(
    people: dict[str, Caller],
) -> None:
    officer, viewer = people["officer"], people["viewer"]
    cid = draft_case(officer)["id"]
    problem_of(viewer.fire(cid, "withdraw", {"surprise": True}), 403)
    invalid = problem_of(officer.fire(cid, "withdraw", {"surprise": True}), 422)
    assert {e["field"] for e in invalid["errors"]} == {"reason", "surprise"}
    assert invalid["type"].endswith("/invalid-input")
    # A stale If-Match still comes first of all.
    problem_of(viewer.fire(cid, "withdraw", {}, headers={"If-Match": 'W/"9"'}), 412)
    assert (
        officer.ok(officer.fire(cid, "withdraw", {"reason": "No longer needed."}))["state"]
        == "withdrawn"
    )


def test_the_schema_still_shows_each_event_payload(client: TestClient) -> None:
    openapi: dict[str, Any] = client.get(V1 + "/openapi.json").json()
    for event, model in EVENT_PAYLOADS.items():
        body = openapi["paths"][f"{V1}/cases/{{case_id}}/events/{event}"]["post"]["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        # Inline or a named component (and, for a body that may be left out, or null).
        schema = next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)
        if "$ref" in schema:
            schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        assert set(schema["properties"]) == set(model.model_fields), event
        required = [n for n, f in model.model_fields.items() if f.is_required()]
        assert sorted(schema.get("required", [])) == sorted(required), event
        assert body.get("required", False) is bool(required), event
        assert schema["additionalProperties"] is False, event


def test_an_officer_who_may_not_see_an_exempt_case_is_refused_naming_no_figure(
    people: dict[str, Caller],
) -> None:
    """Issue 14's probe: ``extend`` with 240 months on an exempt active case, by an officer
    not entitled to its figures, is a 403 that names none, not the envelope's 409."""
    officer, outsider = people["officer"], people["other_officer"]
    cid = draft_case(officer)["id"]
    notices = {
        "exempt_paragraph": 3,
        "private_notice_published_on": "2024-07-01",
        "private_further_notice_published_on": "2024-07-01",
    }
    officer.ok(officer.patch(f"/cases/{cid}", notices))
    to_delegated_approval(people, cid)
    assert to_active(people, cid)["state"] == "active"
    refused = problem_of(outsider.fire(cid, "extend", {"months": 240, "reasons": "More."}), 403)
    assert not any(ch.isdigit() for ch in refused["detail"]), refused
    assert "envelope" not in refused["detail"]
    # The author, who may see the figures, still gets the envelope's reason.
    guarded = problem_of(officer.fire(cid, "extend", {"months": 240, "reasons": "More."}), 409)
    assert "envelope" in guarded["detail"]
