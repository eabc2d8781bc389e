"""The executive meeting procedure over HTTP (SI 2012/2089, issue 11): democratic services
record the agenda and the sign-off's decision record with ``POST /cases/{id}/notices``, and
the decision record carries the contents of regs 12 and 13."""

from __future__ import annotations

from typing import Any

from httpcase import Caller, draft_case, problem_of, to_active, to_delegated_approval


def kinds(case: dict[str, Any], status: str) -> dict[str, str]:
    return {d["kind"]: d["due_on"] for d in case["deadlines"] if d["status"] == status}


def test_notices_discharge_their_duties_and_the_records_carry_regs_12_and_13(
    people: dict[str, Caller],
) -> None:
    officer, clerk, admin = people["officer"], people["clerk"], people["admin"]
    case = draft_case(officer)
    cid = case["id"]
    agenda = {"kind": "agenda", "published_on": "2024-07-01", "reference": "Cabinet 5 Sep"}
    # Only democratic services record the meeting's notices; a kind must fit the case.
    problem_of(officer.post(f"/cases/{cid}/notices", agenda), 403)
    wrong = {**agenda, "kind": "urgency_reasons"}
    assert "no urgency route" in str(problem_of(clerk.post(f"/cases/{cid}/notices", wrong), 422))
    answered = clerk.ok(clerk.post(f"/cases/{cid}/notices", agenda), 201)
    assert answered["agenda_published_on"] == "2024-07-01"
    assert kinds(answered, "done")["agenda_publication"] == "2024-08-28"

    approved = to_delegated_approval(people, cid)
    assert kinds(approved, "done")["decision_record_publication"] == "2024-09-09"
    active = to_active(people, cid)
    assert kinds(active, "open")["decision_record_publication"] == "2024-09-18"
    record = officer.ok(officer.get(f"/cases/{cid}/decision-record"))
    assert record["regulation"] == "SI 2012/2089 reg 13"
    assert (record["published_on"], record["publish_by"]) == (None, "2024-09-18")
    cabinet = record["cabinet_record"]
    assert cabinet["regulation"] == "SI 2012/2089 reg 12"
    assert (cabinet["decided_on"], cabinet["meeting_date"]) == ("2024-09-05", "2024-09-05")
    assert cabinet["reasons"] == "Buys time for a compliant procurement without a gap in services."
    assert [o["label"] for o in cabinet["alternatives_rejected"]] == [
        "Let the contracts end",
        "Direct award of new long-term contracts",
    ]
    assert cabinet["conflicts_of_interest"] == "None declared"
    assert cabinet["published_on"] == "2024-09-06"

    admin.ok(admin.post("/admin/clock", {"now": "2024-09-17T09:00:00+01:00"}))
    published = {"kind": "decision_record", "published_on": "2024-09-17"}
    done = clerk.ok(clerk.post(f"/cases/{cid}/notices", published), 201)
    assert {
        d["due_on"]
        for d in done["deadlines"]
        if d["kind"] == "decision_record_publication" and d["status"] == "done"
    } == {"2024-09-09", "2024-09-18"}
    assert "decision_record_publication" not in kinds(done, "open")
    record = officer.ok(officer.get(f"/cases/{cid}/decision-record"))
    assert record["published_on"] == "2024-09-17"


def test_the_reports_to_council_are_served_for_a_period(people: dict[str, Caller]) -> None:
    clerk, viewer = people["clerk"], people["viewer"]
    period = {"from": "2024-04-01", "to": "2025-03-31"}
    for path, regulation in (
        ("/reports/special-urgency", "SI 2012/2089 reg 19"),
        ("/reports/key-decisions", "SI 2012/2089 reg 18"),
    ):
        report = clerk.ok(clerk.get(path, params=period))
        assert report == {**period, "regulation": regulation, "items": []}
        problem_of(viewer.get(path, params=period), 403)
        problem_of(clerk.get(path, params={"from": "2024-04-01"}), 422)
