"""The Sefton Day Opportunities case (SPEC §1) driven over HTTP from draft to expiry:
thirteen contracts, an initial six months Cabinet approved itself (started by the scheduler
when call-in is over), a further six approved by the delegate after consulting the cabinet
member, and the expiry the scheduler fires when the term ends."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpcase import Caller, problem_of, sefton_agreements

from workflow.demo import sefton_case_in


def travel(admin: Caller, instant: str) -> None:
    admin.ok(admin.post("/admin/clock", {"now": instant}))


def test_sefton_from_draft_to_expiry(client: TestClient, people: dict[str, Caller]) -> None:
    officer, clerk, exe = people["officer"], people["clerk"], people["executive"]
    member, admin = people["cabinet_member"], people["admin"]

    ids = sefton_agreements(officer)
    body = sefton_case_in(ids).model_dump(mode="json")
    created = officer.post("/cases", body)
    case = officer.ok(created, 201)
    cid = case["id"]
    assert created.headers["location"] == f"/api/v1/cases/{cid}"
    assert created.headers["etag"] == 'W/"1"'
    assert case["state"] == "drafted" and case["version"] == 1
    assert case["author_id"] == officer.id and len(case["agreement_ids"]) == 13
    assert case["proposal"] == {
        "start_date": "2024-10-01",
        "initial_months": 6,
        "max_months": 12,
        "ground": "unforeseeable",
    }
    assert set(case["allowed_events"]) == {"submit", "withdraw"}
    assert {d["kind"] for d in case["deadlines"]} >= {"agenda_publication", "agreement_end"}

    case = officer.ok(officer.fire(cid, "submit", headers={"If-Match": 'W/"1"'}))
    assert case["state"] == "cabinet_consideration"

    # Cabinet meets on 5 September and itself approves the initial six months; only the
    # further six are delegated (issue 12). The decision notice goes out the next day.
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
    case = clerk.ok(clerk.fire(cid, "approve", approve))
    assert case["state"] == "delegated_approval"
    assert case["delegation"]["latest_end_date"] == "2025-09-30"
    assert case["delegation"]["max_months"] == 6
    assert any(d["kind"] == "call_in_end" for d in case["deadlines"])
    assert not any(d["kind"] == "sign_off_due" for d in case["deadlines"])

    # The delegate may not sign off Cabinet's own months: guards named, nothing changed.
    refused = problem_of(exe.fire(cid, "sign_off", {"months": 6, "reasons": "r"}), 409)
    assert {"term_is_delegated", "call_in_period_over"} <= {g["name"] for g in refused["guards"]}
    assert exe.ok(exe.get(f"/cases/{cid}"))["version"] == case["version"]

    # Mon 16 Sep: call-in is over; the scheduler's pass starts Cabinet's six months.
    travel(admin, "2024-09-16T09:00:00+01:00")
    admin.ok(admin.post("/admin/tick"))
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert case["state"] == "active"
    assert case["term"] == {"start_date": "2024-10-01", "end_date": "2025-03-31"}

    # The further six months: the officer asks, the delegate consults and signs.
    travel(admin, "2024-12-20T09:00:00+00:00")
    case = officer.ok(officer.fire(cid, "extend", {"months": 6, "reasons": "Procurement runs on."}))
    assert case["state"] == "delegated_approval"
    refused = problem_of(exe.fire(cid, "sign_off", {"months": 6, "reasons": "r"}), 409)
    assert [g["name"] for g in refused["guards"]] == ["consultation_recorded"]
    consult = {"consultee_id": member.id, "consulted_on": "2024-12-20", "response": "Agreed."}
    recorded = exe.post(f"/cases/{cid}/consultations", consult)
    assert exe.ok(recorded, 201)["consultee_id"] == member.id
    sign_off = {"months": 6, "reasons": "Time for a compliant procurement."}
    case = exe.ok(
        exe.fire(cid, "sign_off", sign_off, headers={"If-Match": recorded.headers["etag"]})
    )
    assert case["term"] == {"start_date": "2025-04-01", "end_date": "2025-09-30"}
    assert case["delegation"]["months_left"] == 0

    # PCR 2015 reg 72(3): a modification on ground (1)(c) is notified in Find a Tender within
    # 30 days (reg 51), one notice per contract and per modification: Cabinet's own term's
    # (from Tue 1 Oct, due Thu 31 Oct, still unpublished) and the delegate's (Sun 19 Jan,
    # so due Fri 17 Jan).
    def owed() -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for d in officer.ok(officer.get(f"/cases/{cid}"))["deadlines"]:
            if d["kind"] == "modification_notice":
                out[(d["due_on"], d["status"])] = out.get((d["due_on"], d["status"]), 0) + 1
        return out

    assert owed() == {("2024-10-31", "open"): 13, ("2025-01-17", "open"): 13}
    listed = {
        (n["term_start"], n["made_on"], n["made_by"], n["last_day"], n["status"])
        for n in case["procurement_notices"]
    }
    assert listed == {
        ("2024-10-01", "2024-10-01", "cabinet", "2024-10-31", "owed"),
        ("2025-04-01", "2024-12-20", "delegate", "2025-01-19", "owed"),
    }
    # Which modification a notice is for must be said when both owe it.
    notice = {"kind": "modification_notice", "published_on": "2024-12-20", "reference": "FTS-1"}
    problem = problem_of(officer.post(f"/cases/{cid}/notices", notice), 422)
    assert "2 modifications owe a modification_notice" in str(problem)
    assert owed() == {("2024-10-31", "open"): 13, ("2025-01-17", "open"): 13}
    notice["term_start"] = "2025-04-01"
    officer.ok(officer.post(f"/cases/{cid}/notices", notice), 201)
    assert owed() == {("2024-10-31", "open"): 13, ("2025-01-17", "done"): 13}
    # Only Cabinet's term's is owed now: a request naming none is for it.
    notice = {"kind": "modification_notice", "published_on": "2024-12-20", "reference": "FTS-2"}
    case = officer.ok(officer.post(f"/cases/{cid}/notices", notice), 201)
    assert owed() == {("2024-10-31", "done"): 13, ("2025-01-17", "done"): 13}
    assert {(n["term_start"], n["reference"]) for n in case["procurement_notices"]} == {
        ("2024-10-01", "FTS-2"),
        ("2025-04-01", "FTS-1"),
    }

    record = exe.ok(exe.get(f"/cases/{cid}/decision-record"))
    assert record["term"] == {"months": 6, "start_date": "2025-04-01", "end_date": "2025-09-30"}
    assert record["consultee"]["response"] == "Agreed."
    assert record["conflicts_of_interest"] == "None declared"
    assert record["regulation"] == "SI 2012/2089 reg 13"
    assert record["sign_off_ids"] == [record["sign_off_id"]]
    by_id = f"/cases/{cid}/decision-record?sign_off_id={record['sign_off_id']}"
    assert exe.ok(exe.get(by_id)) == record
    problem_of(exe.get(f"/cases/{cid}/decision-record?sign_off_id=999999"), 404)

    # The envelope is spent: a further extension needs a new case and Cabinet.
    refused = problem_of(officer.fire(cid, "extend", {"months": 1, "reasons": "More?"}), 409)
    assert "a new case and a Cabinet decision are needed" in refused["detail"]
    assert refused["allowed_events"] == []

    # The term ends on 30 September 2025; the scheduler expires the case the day after.
    travel(admin, "2025-10-01T09:00:00+01:00")
    tick = admin.ok(admin.post("/admin/tick"))
    assert tick["expired"] == [cid]
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert case["state"] == "expired"
    assert all(d["status"] != "open" for d in case["deadlines"])

    trail = officer.ok(officer.get(f"/cases/{cid}/audit", params={"limit": 200}))["items"]
    events = [e["event"] for e in trail]
    assert events[0] == "create" and events[-1] == "expire"
    assert events.count("sign_off") == 1 and "implement" in events and "extend" in events
    assert [e["id"] for e in trail] == sorted(e["id"] for e in trail)
    assert all(len(e["hash"]) == 64 and len(e["prev_hash"]) == 64 for e in trail)
    assert trail[-1]["actor_id"] != admin.id  # the scheduler's own user expired it
