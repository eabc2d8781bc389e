"""Control characters are refused at the schema with a 422 naming the field, in every body and
in the query strings that reach the database; long text keeps its line breaks and tabs.

Before this, a case title with CRLF was stored (and then broke every email reminder of the
case), and on PostgreSQL a NUL in a body or in ``?q=`` was a 500 from the driver."""

from __future__ import annotations

from typing import Any

import pytest
from httpcase import Caller, draft_case, one_agreement, problem_of

from workflow.demo import ASC, sefton_case_in

REFUSED_IN_ONE_LINE = ["\r\n", "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028"]


def _fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body["errors"]}


@pytest.mark.parametrize("char", REFUSED_IN_ONE_LINE, ids=repr)
def test_a_control_character_in_a_case_title_is_a_422(people: dict[str, Caller], char: str) -> None:
    officer = people["officer"]
    body = sefton_case_in([one_agreement(officer)]).model_dump(mode="json")
    body["title"] = f"Day Opportunities{char}Bcc: someone@elsewhere.example"
    refused = problem_of(officer.post("/cases", body), 422)
    assert _fields(refused) == {"title"}
    assert "control characters" in refused["errors"][0]["message"]
    assert officer.ok(officer.get("/cases"))["items"] == []


def test_every_kind_of_body_refuses_them(people: dict[str, Caller]) -> None:
    admin, officer = people["admin"], people["officer"]
    user = {"name": "Ann\r\nOther", "email": "ann@example.org", "roles": ["viewer"]}
    assert _fields(problem_of(admin.post("/users", user), 422)) == {"name"}
    nul_email = {**user, "name": "Ann", "email": "ann\x00@example.org"}
    assert _fields(problem_of(admin.post("/users", nul_email), 422)) == {"email"}

    agreement = {
        "reference": "REF\t1",
        "title": "Care",
        "kind": "contract",
        "counterparty": "Provider\x00",
        "directorate": ASC,
        "annual_value_pence": 100,
        "start_date": "2020-01-01",
        "end_date": "2025-01-01",
        "description": "fine\nbut not \x00",
    }
    refused = problem_of(officer.post("/agreements", agreement), 422)
    assert _fields(refused) == {"reference", "counterparty", "description"}

    case = draft_case(officer)
    report = {"report": {"summary": "s", "options": [{"label": "A\nB", "description": "d"}]}}
    assert _fields(problem_of(officer.patch(f"/cases/{case['id']}", report), 422)) == {
        "report.options.0.label"
    }
    withdraw = problem_of(officer.fire(case["id"], "withdraw", {"reason": "no\x00"}), 422)
    assert _fields(withdraw) == {"reason"}
    assert officer.ok(officer.get(f"/cases/{case['id']}"))["state"] == "drafted"


def test_long_text_keeps_its_line_breaks_and_tabs_with_crlf_made_lf(
    people: dict[str, Caller],
) -> None:
    officer = people["officer"]
    case = draft_case(officer)
    reason = "First paragraph.\r\n\r\nSecond:\tindented.\rThird."
    done = officer.ok(officer.fire(case["id"], "withdraw", {"reason": reason}))
    assert done["state"] == "withdrawn"
    audit = officer.ok(officer.get(f"/cases/{case['id']}/audit"))["items"]
    stored = audit[-1]["data"]["payload"]["reason"]
    assert stored == "First paragraph.\n\nSecond:\tindented.\nThird."


@pytest.mark.parametrize(
    "path",
    [
        "/agreements?q=%00",
        "/agreements?q=a%0D%0Ab",
        "/agreements?directorate=%00",
        "/cases?directorate=%00",
        "/cases?cursor=%00",
        "/calendar.ics?key=1-%00",
    ],
)
def test_a_control_character_in_a_query_is_a_422(people: dict[str, Caller], path: str) -> None:
    refused = problem_of(people["officer"].get(path), 422)
    assert refused["errors"][0]["in"] == "query"


def test_a_search_with_a_nul_is_a_422_on_the_page_too(people: dict[str, Caller]) -> None:
    client = people["officer"].client
    assert client.get("/agreements?q=%00").status_code == 422


def test_a_nul_in_the_health_checks_address_is_a_problem(people: dict[str, Caller]) -> None:
    """``/healthz`` is in the OpenAPI schema beside the API: machines read its refusals."""
    answer = people["officer"].client.get("/healthz?probe=%00")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert {"field": "probe", "in": "query", "message": "NUL is not allowed"} in answer.json()[
        "errors"
    ]
