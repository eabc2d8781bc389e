"""Procurement notices over HTTP (SPEC §9): ``POST /cases/{id}/notices {kind, published_on,
reference}`` records a contract change notice, which discharges its duty and starts the
voluntary standstill (Procurement Act 2023 ss.75-76); every refusal is problem+json and
changes nothing; the sign-off waits for the standstill to end.

A Procurement Act 2023 services contract of £6m a year, awarded for 12 months, is extended by
six months from 1 Apr 2026; Cabinet decides on 11 Dec 2025 and the notice is published on
Fri 19 Dec 2025, so the standstill ends on Fri 2 Jan 2026, after Christmas, Boxing Day and
New Year's Day.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpcase import Caller, problem_of

from workflow.demo import ASC

CCN = "contract_change_notice"


def travel(admin: Caller, instant: str) -> None:
    admin.ok(admin.post("/admin/clock", {"now": instant}))


def pa_agreement(officer: Caller, reference: str) -> int:
    body = {
        "reference": reference,
        "title": "Home care, north locality",
        "kind": "contract",
        "counterparty": "North Care Ltd",
        "directorate": ASC,
        "annual_value_pence": 600_000_000,
        "start_date": "2025-04-01",
        "end_date": "2026-03-31",
        "procurement_regime": "pa2023",
        "procurement_started_on": "2025-03-03",
        "light_touch": False,
        "contract_type": "services",
        "award_value_pence": 600_000_000,
        "award_max_months": 12,
        "extension_options_months": 6,
    }
    return int(officer.ok(officer.post("/agreements", body), 201)["id"])


def submitted_case(people: dict[str, Caller], reference: str) -> tuple[int, int]:
    """A PA 2023 case before Cabinet on Mon 3 Nov 2025; answers (case id, agreement id)."""
    officer, admin = people["officer"], people["admin"]
    travel(admin, "2025-11-03T09:00:00Z")
    agreement = pa_agreement(officer, reference)
    body: dict[str, Any] = {
        "kind": "extension",
        "title": "Home care: six months while it is re-procured",
        "directorate": ASC,
        "agreement_ids": [agreement],
        "meeting_date": "2025-12-11",
        "agenda_item": "7",
        "key_decision": True,
        "forward_plan_published_on": "2025-11-03",
        "proposal": {
            "start_date": "2026-04-01",
            "initial_months": 6,
            "max_months": 6,
            "ground": "provided_for",
        },
        "report": {
            "summary": "Extend home care while it is re-procured.",
            "options": [
                {"label": "Let it end", "description": "End.", "rejected_reason": "No care."},
                {"label": "Extend", "description": "Six months."},
            ],
            "recommended_option": "Extend",
            "reasons": "Time for a compliant procurement.",
            "financial_implications": "Within budget.",
        },
    }
    cid = int(officer.ok(officer.post("/cases", body), 201)["id"])
    officer.ok(officer.fire(cid, "submit"))
    return cid, agreement


def delegated_case(people: dict[str, Caller], reference: str) -> tuple[int, int]:
    """A PA 2023 case in delegated approval on Mon 15 Dec 2025, consulted; answers
    (case id, agreement id)."""
    clerk, admin = people["clerk"], people["admin"]
    exe, member = people["executive"], people["cabinet_member"]
    cid, agreement = submitted_case(people, reference)
    travel(admin, "2025-12-12T10:00:00Z")
    approve = {
        "resolution": "Extend by six months; the sign-off delegated.",
        "decided_on": "2025-12-11",
        "notice_published_on": "2025-12-12",
        "delegate_id": exe.id,
        "consultee_id": member.id,
        "max_months": 6,
    }
    clerk.ok(clerk.fire(cid, "approve", approve))
    travel(admin, "2025-12-15T10:00:00Z")
    consult = {"consultee_id": member.id, "consulted_on": "2025-12-15", "response": "Agreed."}
    exe.ok(exe.post(f"/cases/{cid}/consultations", consult), 201)
    return cid, agreement


def of_kind(case: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    return sorted((d["due_on"], d["status"]) for d in case["deadlines"] if d["kind"] == kind)


def test_a_contract_change_notice_discharges_its_duty_and_starts_the_standstill(
    people: dict[str, Caller],
) -> None:
    officer, exe, admin = people["officer"], people["executive"], people["admin"]
    cid, agreement = delegated_case(people, "PA-HTTP-001")
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert of_kind(case, CCN) == [("2026-03-19", "open")]
    reminders = officer.ok(officer.get(f"/reminders?case_id={cid}&kind={CCN}"))["items"]
    assert {r["status"] for r in reminders} == {"pending"} and len(reminders) == 5

    travel(admin, "2025-12-19T10:00:00Z")
    body = {"kind": CCN, "published_on": "2025-12-19", "reference": "UK10-2025-000123"}
    case = officer.ok(officer.post(f"/cases/{cid}/notices", body), 201)
    assert of_kind(case, CCN) == [("2026-03-19", "done")]
    # The case answer lists it with the modification it is for: the term from 1 Apr 2026,
    # not made yet (the notice comes before it).
    assert [
        (n["kind"], n["agreement_id"], n["term_start"], n["made_on"], n["status"], n["reference"])
        for n in case["procurement_notices"]
    ] == [(CCN, agreement, "2026-04-01", None, "published", "UK10-2025-000123")]
    assert of_kind(case, "standstill_end") == [("2026-01-02", "open")]
    assert officer.ok(officer.get(f"/reminders?case_id={cid}&kind={CCN}&status=pending")) == {
        "items": [],
        "next_cursor": None,
    }
    standstill = officer.ok(officer.get(f"/reminders?case_id={cid}&kind=standstill_end"))
    assert sorted(r["due_on"] for r in standstill["items"]) == ["2026-01-02"] * 3
    audit = officer.ok(officer.get(f"/cases/{cid}/audit"))["items"][-1]
    assert audit["event"] == "notice"
    assert audit["data"]["notice"]["reference"] == "UK10-2025-000123"
    assert audit["data"]["agreement_ids"] == [agreement]

    # Call-in is over on Mon 22 Dec; the standstill is not.
    travel(admin, "2025-12-22T10:00:00Z")
    sign_off = {"months": 6, "reasons": "Time to re-procure.", "conflicts_of_interest": "None"}
    refused = problem_of(exe.fire(cid, "sign_off", sign_off), 409)
    reasons = {g["name"]: g["reason"] for g in refused["guards"]}
    assert "runs until 02/01/2026" in reasons["contract_change_notice_published"]

    travel(admin, "2026-01-05T10:00:00Z")
    case = exe.ok(exe.fire(cid, "sign_off", sign_off))
    assert case["state"] == "active"
    assert of_kind(case, "modification_publication") == [("2026-04-02", "open")]
    assert of_kind(case, "termination_notice") == [("2026-10-29", "open")]


def test_cabinets_own_term_is_held_back_until_its_notice_and_standstill_and_says_why(
    people: dict[str, Caller],
) -> None:
    """Cabinet approves the six months itself (issue 12). From Mon 22 Dec call-in is over, but
    the scheduler's pass leaves the case until the contract change notice is out and its
    standstill (published Mon 5 Jan 2026: to Wed 14 Jan) is over; ``GET /cases/{id}`` says
    why in ``held_back``."""
    officer, clerk, admin = people["officer"], people["clerk"], people["admin"]
    cid, _ = submitted_case(people, "PA-HTTP-OWN")
    travel(admin, "2025-12-12T10:00:00Z")
    approve = {
        "resolution": "Extend by six months from 1 April 2026.",
        "decided_on": "2025-12-11",
        "notice_published_on": "2025-12-12",
        "cabinet_months": 6,
        "max_months": 6,
    }
    case = clerk.ok(clerk.fire(cid, "approve", approve))
    assert of_kind(case, CCN) == [("2026-03-19", "open")]

    travel(admin, "2025-12-22T07:00:00Z")
    admin.ok(admin.post("/admin/tick"))
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert case["state"] == "delegated_approval"
    assert case["held_back"] == [
        {
            "event": "implement",
            "guard": "contract_change_notice_published",
            "reason": "no contract change notice has been published for PA-HTTP-OWN "
            "(Procurement Act 2023 s.75(1): before modifying)",
        }
    ]

    travel(admin, "2026-01-05T10:00:00Z")
    body = {"kind": CCN, "published_on": "2026-01-05", "reference": "UK10-2026-000001"}
    officer.ok(officer.post(f"/cases/{cid}/notices", body), 201)
    travel(admin, "2026-01-14T07:00:00Z")
    admin.ok(admin.post("/admin/tick"))
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert case["state"] == "delegated_approval"
    assert [h["guard"] for h in case["held_back"]] == ["contract_change_notice_published"]
    assert "runs until 14/01/2026" in case["held_back"][0]["reason"]

    travel(admin, "2026-01-15T07:00:00Z")
    admin.ok(admin.post("/admin/tick"))
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert (case["state"], case["term"], case["held_back"]) == (
        "active",
        {"start_date": "2026-04-01", "end_date": "2026-09-30"},
        [],
    )
    assert of_kind(case, "modification_publication") == [("2026-06-29", "open")]


@pytest.mark.parametrize(
    ("who", "body", "status", "words"),
    [
        ("officer", {"kind": "tender_notice", "published_on": "2025-12-19"}, 422, "kind"),
        ("officer", {"kind": CCN, "published_on": "2025-12-20"}, 422, "still to come"),
        ("officer", {"kind": CCN, "published_on": "19/12/2025"}, 422, "published_on"),
        ("officer", {"kind": "termination_notice", "published_on": "2025-12-19"}, 422, "no "),
        ("officer", {"kind": "modification_notice", "published_on": "2025-12-19"}, 422, "no "),
        ("officer", {"kind": CCN, "published_on": "2025-12-19", "agreement_id": 1}, 422, "not"),
        (
            "officer",
            {"kind": "agenda", "published_on": "2025-12-19", "agreement_id": 1},
            422,
            "meeting",
        ),
        (
            "officer",
            {"kind": "agenda", "published_on": "2025-12-19", "term_start": "2026-04-01"},
            422,
            "meeting",
        ),
        # The pending modification's term starts on 1 Apr 2026: no other owes a notice.
        (
            "officer",
            {"kind": CCN, "published_on": "2025-12-19", "term_start": "2026-10-01"},
            422,
            "no contract_change_notice is owed for a modification whose term starts 01/10/2026",
        ),
        (
            "officer",
            {
                "kind": "termination_notice",
                "published_on": "2025-12-19",
                "term_start": "2026-04-01",
            },
            422,
            "not a modification",
        ),
        ("other_officer", {"kind": CCN, "published_on": "2025-12-19"}, 403, "author"),
        ("viewer", {"kind": CCN, "published_on": "2025-12-19"}, 403, "author"),
    ],
)
def test_refusals_are_problems_and_change_nothing(
    people: dict[str, Caller], who: str, body: dict[str, Any], status: int, words: str
) -> None:
    officer, admin = people["officer"], people["admin"]
    other = pa_agreement(officer, "PA-HTTP-OTHER")
    cid, _ = delegated_case(people, "PA-HTTP-002")
    travel(admin, "2025-12-19T10:00:00Z")
    if body.get("agreement_id") == 1:
        body = {**body, "agreement_id": other}
    before = officer.ok(officer.get(f"/cases/{cid}"))
    problem = problem_of(people[who].post(f"/cases/{cid}/notices", body), status)
    assert words in str(problem)
    after = officer.ok(officer.get(f"/cases/{cid}"))
    assert (after["version"], after["deadlines"]) == (before["version"], before["deadlines"])


def test_a_stale_if_match_is_refused(people: dict[str, Caller]) -> None:
    officer, admin = people["officer"], people["admin"]
    cid, _ = delegated_case(people, "PA-HTTP-003")
    travel(admin, "2025-12-19T10:00:00Z")
    body = {"kind": CCN, "published_on": "2025-12-19"}
    problem_of(officer.post(f"/cases/{cid}/notices", body, headers={"If-Match": 'W/"1"'}), 412)
