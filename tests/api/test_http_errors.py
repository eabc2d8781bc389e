"""Every refusal is an RFC 9457 problem with the right status: 401, 403 (see
``test_http_roles``), 404, 405, 409 with ``allowed_events`` and the failing ``guards``, 412
for a stale ``If-Match``, 413 for a body over the limit, 422 naming each invalid field."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, V1, Caller, MakeClient, draft_case, one_agreement, problem_of


def test_401_without_or_with_a_bad_token(client: TestClient) -> None:
    bare = client.get(V1 + "/me")
    assert problem_of(bare, 401)["detail"] == "a bearer token is required"
    assert bare.headers["www-authenticate"] == 'Bearer realm="councilflow"'
    bad = client.get(V1 + "/me", headers={"Authorization": "Bearer not-a-token"})
    problem_of(bad, 401)
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]
    problem_of(client.get(V1 + "/me", headers={"Authorization": "Basic YTpi"}), 401)


def test_404_for_what_is_not_there(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    assert problem_of(officer.get("/cases/424242"), 404)["type"].endswith("/not-found")
    problem_of(officer.get("/agreements/424242"), 404)
    problem_of(officer.fire(424242, "submit"), 404)
    problem_of(officer.get("/nowhere"), 404)
    problem_of(people["admin"].post("/reminders/424242/retry"), 404)
    cid = draft_case(officer)["id"]
    unknown = problem_of(officer.fire(cid, "rubber_stamp"), 404)
    assert "submit" in unknown["detail"]
    problem_of(officer.get(f"/cases/{cid}/decision-record"), 404)


def test_405_names_the_methods_allowed(people: dict[str, Caller]) -> None:
    response = people["officer"].client.delete(V1 + "/cases")
    problem_of(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_409_says_what_is_allowed_and_which_guards_failed(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    case = draft_case(officer)
    cid = case["id"]
    wrong_state = problem_of(officer.fire(cid, "sign_off", {"months": 6, "reasons": "r"}), 409)
    assert wrong_state["type"].endswith("/transition-not-allowed")
    assert wrong_state["allowed_events"] == ["submit", "withdraw"]
    assert wrong_state["guards"] == []

    gutted = {"report": {"options": [], "summary": "s"}, "meeting_date": None}
    officer.ok(officer.patch(f"/cases/{cid}", gutted))
    refused = problem_of(officer.fire(cid, "submit"), 409)
    assert refused["type"].endswith("/guard-failed")
    assert {g["name"] for g in refused["guards"]} == {"report_complete", "meeting_date_set"}
    assert all(g["reason"] for g in refused["guards"])
    assert refused["allowed_events"] == ["withdraw"]
    assert officer.ok(officer.get(f"/cases/{cid}"))["state"] == "drafted"

    problem_of(
        officer.post(
            "/agreements",
            {
                "reference": officer.ok(officer.get(f"/agreements/{case['agreement_ids'][0]}"))[
                    "reference"
                ],
                "title": "t",
                "kind": "sla",
                "counterparty": "c",
                "directorate": "d",
                "annual_value_pence": 1,
                "start_date": "2024-01-01",
                "end_date": "2024-02-01",
            },
        ),
        409,
    )
    officer.ok(officer.fire(cid, "withdraw", {"reason": "done"}))
    problem_of(officer.patch(f"/cases/{cid}", {"agenda_item": "1"}), 409)
    admin = people["admin"]
    problem_of(
        admin.post(
            "/users", {"name": "Again", "email": officer.user["email"], "roles": ["viewer"]}
        ),
        409,
    )


def test_412_for_a_stale_if_match(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    case_response = officer.get(f"/cases/{draft_case(officer)['id']}")
    etag = case_response.headers["etag"]
    cid = case_response.json()["id"]
    changed = officer.patch(f"/cases/{cid}", {"agenda_item": "7"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] == 'W/"2"'
    stale = problem_of(
        officer.patch(f"/cases/{cid}", {"agenda_item": "8"}, headers={"If-Match": etag}), 412
    )
    assert stale["type"].endswith("/stale-version")
    problem_of(officer.fire(cid, "submit", headers={"If-Match": etag}), 412)
    problem_of(officer.fire(cid, "submit", headers={"If-Match": "banana"}), 412)
    problem_of(
        officer.post(
            f"/cases/{cid}/consultations",
            {"consultee_id": 1, "consulted_on": "2024-07-01", "response": "r"},
            headers={"If-Match": etag},
        ),
        412,
    )
    assert officer.ok(officer.get(f"/cases/{cid}"))["agenda_item"] == "7"
    both = officer.fire(cid, "submit", headers={"If-Match": f'W/"1", {changed.headers["etag"]}'})
    assert officer.ok(both)["version"] == 3
    officer.ok(officer.get(f"/cases/{cid}", headers={"If-Match": "*"}))


def test_413_for_a_body_over_the_limit(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=2_000)
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    big = b'{"name": "' + b"x" * 5_000 + b'"}'
    declared = client.post(
        V1 + "/users", content=big, headers={**auth, "Content-Type": "application/json"}
    )
    assert problem_of(declared, 413)["type"].endswith("/body-too-large")

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    streamed = client.post(
        V1 + "/users", content=chunks(), headers={**auth, "Content-Type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    problem_of(streamed, 413)
    problem_of(client.post(V1 + "/agreements/import", content=chunks(), headers=auth), 413)


def test_422_names_each_invalid_field(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    body = {
        "kind": "renewal",
        "title": "",
        "directorate": "Adult Social Care",
        "agreement_ids": [],
        "proposal": {"start_date": "2024-13-01", "initial_months": 0, "max_months": 12},
        "surprise": True,
    }
    problem = problem_of(officer.post("/cases", body), 422)
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {
        "kind",
        "title",
        "agreement_ids",
        "proposal.start_date",
        "proposal.initial_months",
        "surprise",
    }
    assert all(e["message"] for e in problem["errors"])

    missing = problem_of(officer.post("/cases", {"kind": "extension"}), 422)
    assert {e["field"] for e in missing["errors"]} >= {"title", "agreement_ids", "proposal"}
    problem_of(officer.post("/cases", {**body, "agreement_ids": [424242]}), 422)
    ghost = draft_case(officer) and officer.post(
        "/cases",
        {
            "kind": "extension",
            "title": "t",
            "directorate": "d",
            "agreement_ids": [424242],
            "proposal": {"start_date": "2024-10-01", "initial_months": 1, "max_months": 1},
        },
    )
    assert problem_of(ghost, 422)["errors"][0]["field"] == "agreement_ids"

    limit = problem_of(officer.get("/cases", params={"limit": 0}), 422)
    assert limit["errors"] == [
        {"field": "limit", "message": limit["errors"][0]["message"], "in": "query"}
    ]
    problem_of(officer.get("/cases", params={"cursor": "not-a-cursor"}), 422)
    problem_of(officer.get("/agreements", params={"end_from": "yesterday"}), 422)
    problem_of(officer.get("/deadlines", params={"kind": "bedtime"}), 422)

    cid = draft_case(officer)["id"]
    reason = problem_of(officer.fire(cid, "withdraw", {"reason": "", "surprise": True}), 422)
    assert {e["field"] for e in reason["errors"]} == {"reason", "surprise"}
    assert all(e["message"] for e in reason["errors"])
    raw = officer.client.post(
        f"{V1}/cases/{cid}/events/withdraw",
        content=b"{not json",
        headers={"Authorization": f"Bearer {officer.token}", "Content-Type": "application/json"},
    )
    assert problem_of(raw, 422)["errors"][0]["field"] == "body"


def test_the_clock_goes_forward_only_and_exists_only_when_configured(
    people: dict[str, Caller], make_client: MakeClient
) -> None:
    admin = people["admin"]
    moved = admin.ok(admin.post("/admin/clock", {"now": "2024-08-01T12:00:00+01:00"}))
    assert moved == {"now": "2024-08-01T11:00:00Z", "today": "2024-08-01"}
    back = problem_of(admin.post("/admin/clock", {"now": "2024-07-01T12:00:00Z"}), 422)
    assert back["errors"][0]["field"] == "now"
    naive = problem_of(admin.post("/admin/clock", {"now": "2024-09-01T12:00:00"}), 422)
    assert naive["errors"][0]["field"] == "now"
    for nonsense in ("0001-01-01T00:00:00+00:01", 1_800_000_000, "9999-12-31T23:59:59-01:00"):
        far = problem_of(admin.post("/admin/clock", {"now": nonsense}), 422)
        assert far["errors"][0]["field"] == "now"
    fixed = make_client(clock_travel=False)
    response = fixed.post(
        V1 + "/admin/clock",
        json={"now": "2025-01-01T00:00:00Z"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    problem_of(response, 404)


def test_an_agreement_whose_end_precedes_its_start(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    one_agreement(officer)
    problem = problem_of(
        officer.post(
            "/agreements",
            {
                "reference": "R",
                "title": "t",
                "kind": "contract",
                "counterparty": "c",
                "directorate": "d",
                "annual_value_pence": 5,
                "start_date": "2024-05-01",
                "end_date": "2024-04-01",
            },
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "body"
