"""Issue 12, faults 7 and 3, over HTTP: Sefton's further six months, signed off by the delegate
as a key decision this council makes subject to call-in, cannot be declined while it awaits
call-in; scrutiny refers it to full Council, and Council's decision starts the term.

Cabinet approved the first six months itself on Thu 5 Sep 2024 (notice Fri 6 Sep); they started
on Mon 16 Sep, call-in over. On Mon 2 Dec the officer asks for the further six; on Mon 9 Dec the
delegate signs them off (1 Apr to 30 Sep 2025), subject to call-in until Mon 16 Dec (five
working days). On Tue 10 Dec the delegate tries to decline them; on Wed 11 Dec scrutiny calls
the decision in and, meeting on Fri 13 Dec, refers it to full Council, due to meet by Tue 31
Dec (ten working days, Christmas and Boxing Day left out). Council lets it stand on Wed 18 Dec.
"""

from __future__ import annotations

from httpcase import Caller, MakeClient, make_people, problem_of, sefton_agreements

from workflow.demo import sefton_case_in


def travel(admin: Caller, instant: str) -> None:
    admin.ok(admin.post("/admin/clock", {"now": instant}))


def test_a_delegates_key_decision_goes_to_full_council_and_cannot_be_declined_meanwhile(
    make_client: MakeClient,
) -> None:
    client = make_client(
        officer_key_decisions_call_in=True, sign_off_above_threshold_is_key_decision=True
    )
    people = make_people(client)
    officer, clerk, exe = people["officer"], people["clerk"], people["executive"]
    member, admin, scrutiny = people["cabinet_member"], people["admin"], people["scrutiny"]

    body = sefton_case_in(sefton_agreements(officer)).model_dump(mode="json")
    cid = officer.ok(officer.post("/cases", body), 201)["id"]
    officer.ok(officer.fire(cid, "submit"))
    travel(admin, "2024-09-06T09:00:00+01:00")
    approve = {
        "resolution": "Extend for an initial six months; any extension beyond it delegated.",
        "decided_on": "2024-09-05",
        "notice_published_on": "2024-09-06",
        "cabinet_months": 6,
        "delegate_id": exe.id,
        "consultee_id": member.id,
        "max_months": 12,
    }
    clerk.ok(clerk.fire(cid, "approve", approve))
    travel(admin, "2024-09-16T09:00:00+01:00")
    admin.ok(admin.post("/admin/tick"))

    travel(admin, "2024-12-02T09:00:00+00:00")
    officer.ok(officer.fire(cid, "extend", {"months": 6, "reasons": "Procurement runs on."}))
    consult = {"consultee_id": member.id, "consulted_on": "2024-12-02", "response": "Agreed."}
    exe.ok(exe.post(f"/cases/{cid}/consultations", consult), 201)
    travel(admin, "2024-12-09T09:00:00+00:00")
    case = exe.ok(exe.fire(cid, "sign_off", {"months": 6, "reasons": "Time to re-procure."}))
    assert case["state"] == "delegated_approval"
    assert case["term"]["end_date"] == "2025-03-31"
    assert {d["due_on"] for d in case["deadlines"] if d["kind"] == "call_in_end"} == {"2024-12-16"}
    assert not {"decline", "decline_further"} & set(case["allowed_events"])

    # Tue 10 Dec: the decision is made and published for call-in; it is not declined.
    travel(admin, "2024-12-10T09:00:00+00:00")
    for event in ("decline_further", "decline"):
        refused = problem_of(exe.fire(cid, event, {"reasons": "On reflection, no."}), 409)
        reasons = {g["name"]: g["reason"] for g in refused["guards"]}
        assert "call-in ends on Mon 16 Dec 2024" in reasons["no_decision_awaiting_call_in"]
    assert exe.ok(exe.get(f"/cases/{cid}"))["version"] == case["version"]  # nothing changed

    travel(admin, "2024-12-11T09:00:00+00:00")
    case = scrutiny.ok(scrutiny.fire(cid, "call_in", {"reason": "Not value for money."}))
    assert case["state"] == "called_in"
    travel(admin, "2024-12-13T18:00:00+00:00")
    referral = {"met_on": "2024-12-13", "reasons": "Full Council should weigh the cost."}
    case = clerk.ok(clerk.fire(cid, "refer_to_council", referral))
    assert case["state"] == "council_consideration"
    due = {d["due_on"] for d in case["deadlines"] if d["kind"] == "council_decision"}
    assert due == {"2024-12-31"}
    assert {"council_decides", "council_refers_back"} <= set(case["allowed_events"])
    assert exe.ok(exe.get(f"/cases/{cid}"))["allowed_events"] == []  # nothing for the delegate

    travel(admin, "2024-12-18T21:00:00+00:00")
    council = {
        "met_on": "2024-12-18",
        "resolution": "The Council does not object to the Executive Director's decision.",
        "reasons": "The budget allows it.",
    }
    case = clerk.ok(clerk.fire(cid, "council_decides", council))
    assert case["state"] == "active"
    assert case["term"] == {"start_date": "2025-04-01", "end_date": "2025-09-30"}
    assert case["delegation"]["months_left"] == 0
    council_duty = [d["status"] for d in case["deadlines"] if d["kind"] == "council_decision"]
    assert council_duty and "open" not in council_duty
    agreement = officer.ok(officer.get(f"/agreements/{case['agreement_ids'][0]}"))
    assert agreement["end_date"] == "2025-09-30"

    trail = officer.ok(officer.get(f"/cases/{cid}/audit", params={"limit": 200}))["items"]
    steps = [(e["event"], e["from_state"], e["to_state"]) for e in trail[-3:]]
    assert steps == [
        ("call_in", "delegated_approval", "called_in"),
        ("refer_to_council", "called_in", "council_consideration"),
        ("council_decides", "council_consideration", "active"),
    ]
