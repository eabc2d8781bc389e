"""Procurement law over HTTP (issue 9, SPEC §9): an agreement's facts recorded with
``PATCH /agreements/{id}``, the case's ``procurement`` answer, and the refusal of a ground
that does not hold as a problem naming the ``lawful_modification`` guard and its figure."""

from __future__ import annotations

from httpcase import Caller, approve_body, draft_case, one_agreement, problem_of


def test_facts_are_recorded_and_a_case_answers_its_procurement(
    people: dict[str, Caller],
) -> None:
    officer, clerk = people["officer"], people["clerk"]
    agreement_id = one_agreement(officer)
    seen = officer.ok(officer.get(f"/agreements/{agreement_id}"))
    assert seen["procurement_regime"] == "pcr2015" and seen["procurement_missing"] == []

    cleared = officer.ok(officer.patch(f"/agreements/{agreement_id}", {"award_max_months": None}))
    assert cleared["procurement_missing"] == ["award_max_months"]
    assert cleared["procurement_regime"] == "pcr2015"  # only the field sent changed

    bad = officer.patch(f"/agreements/{agreement_id}", {"procurement_regime": "pa2023"})
    problem = problem_of(bad, 422)
    assert "is under pcr2015, not pa2023" in problem["detail"]
    assert officer.patch(f"/agreements/{agreement_id}", {"light_touch": "yes"}).status_code == 422

    case = draft_case(officer, [agreement_id])
    (answer,) = case["procurement"]
    assert (answer["verdict"], answer["missing"]) == ("facts missing", ["award_max_months"])
    officer.ok(officer.fire(case["id"], "submit"))
    admin = people["admin"]
    admin.ok(admin.post("/admin/clock", {"now": "2024-09-06T09:00:00+01:00"}))
    body = approve_body(people)
    refused = problem_of(clerk.fire(case["id"], "approve", body), 409)
    guards = {g["name"]: g["reason"] for g in refused["guards"]}
    assert "its maximum term on award" in guards["lawful_modification"]

    officer.ok(officer.patch(f"/agreements/{agreement_id}", {"award_max_months": 60}))
    approved = clerk.ok(clerk.fire(case["id"], "approve", body))
    (answer,) = approved["procurement"]
    assert answer["verdict"] == "holds" and answer["ground"] == "unforeseeable"
    assert (answer["months"], answer["term_change_pct"], answer["value_change_pct"]) == (
        12,
        20.0,
        20.0,
    )
    assert answer["notice_due"] and answer["notices"] == ["modification_notice"]
    assert {c["name"]: (c["figure"], c["cap"], c["within"]) for c in answer["caps"]} == {
        "value change": (20.0, 50.0, True)
    }


def test_a_ground_that_does_not_hold_is_refused_with_its_figure(
    people: dict[str, Caller],
) -> None:
    officer = people["officer"]
    agreement_id = one_agreement(officer)
    officer.ok(
        officer.patch(
            f"/agreements/{agreement_id}",
            {"extension_options_months": 6},
        )
    )
    case = draft_case(officer, [agreement_id])
    officer.ok(
        officer.patch(
            f"/cases/{case['id']}",
            {
                "proposal": {
                    "start_date": "2024-10-01",
                    "initial_months": 6,
                    "max_months": 12,
                    "ground": "provided_for",
                }
            },
            headers={"If-Match": 'W/"1"'},
        )
    )
    officer.ok(officer.fire(case["id"], "submit"))
    people["admin"].ok(people["admin"].post("/admin/clock", {"now": "2024-09-06T09:00:00+01:00"}))
    clerk = people["clerk"]
    refused = problem_of(clerk.fire(case["id"], "approve", approve_body(people)), 409)
    guards = {g["name"]: g["reason"] for g in refused["guards"]}
    assert guards["lawful_modification"].startswith(
        "a 12-month extension after 0 months already taken comes to 12 months, more than the 6 "
        "months of extension"
    )
    assert clerk.ok(clerk.get(f"/cases/{case['id']}"))["state"] == "cabinet_consideration"
