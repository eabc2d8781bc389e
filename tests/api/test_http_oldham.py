"""The Oldham Miocare SLA (SPEC §1) over HTTP: an exempt item (paragraph 3) that Cabinet
defers to later on the same agenda, to consider the commercially sensitive report first.

Someone not entitled (a viewer) sees the case's title, state and dates, and the report
redacted with its paragraph, in every answer that could carry it: the case, the list, the
audit trail, the decision record, and the calendar feed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from httpcase import MakeClient, make_people
from icalendar import Calendar

from workflow.clock import FrozenClock
from workflow.demo import OLDHAM_PROCUREMENT, oldham_case_in

SECRET = "Commercially sensitive information is at item 10"


def test_oldham_exempt_item_is_redacted_everywhere(make_client: MakeClient) -> None:
    clock = FrozenClock(datetime(2023, 8, 21, 8, 0, tzinfo=UTC))
    people = make_people(make_client(clock=clock))
    author, clerk, viewer = people["oldham_officer"], people["clerk"], people["viewer"]
    exe, member, admin = people["executive"], people["cabinet_member"], people["admin"]

    miocare = {
        "reference": "OLDHAM-SLA-MIOCARE",
        "title": "SLA: services delivered through Oldham Care and Support Ltd",
        "kind": "sla",
        "counterparty": "Miocare Group CIC",
        "directorate": "Adult Social Care",
        "annual_value_pence": 2_500_000_000,
        "start_date": "2018-10-01",
        "end_date": "2023-09-30",
        **{
            k: str(v) if k == "procurement_started_on" else v for k, v in OLDHAM_PROCUREMENT.items()
        },
    }
    agreement = author.ok(author.post("/agreements", miocare), 201)
    case = author.ok(
        author.post("/cases", oldham_case_in([agreement["id"]]).model_dump(mode="json")), 201
    )
    cid = case["id"]
    assert SECRET in case["report"]["summary"]
    author.ok(author.fire(cid, "submit"))

    # On the day, Cabinet takes the exempt item first: item 7 comes back later that meeting.
    admin.ok(admin.post("/admin/clock", {"now": "2023-09-18T10:00:00+01:00"}))
    defer = {
        "reason": "To consider the exempt information at item 10 first.",
        "meeting_date": "2023-09-18",
    }
    case = clerk.ok(clerk.fire(cid, "defer", defer))
    assert case["state"] == "cabinet_consideration" and case["meeting_date"] == "2023-09-18"
    # A private item: its further notice (SI 2012/2089 reg 5(4)) went out on Fri 8 Sep.
    assert case["private_further_notice_published_on"] == "2023-09-08"
    further = [d for d in case["deadlines"] if d["kind"] == "private_meeting_further_notice"]
    assert [(d["due_on"], d["status"]) for d in further] == [("2023-09-12", "done")]

    admin.ok(admin.post("/admin/clock", {"now": "2023-09-19T10:00:00+01:00"}))
    approve = {
        "resolution": "Approve the refreshed SLA; the commercial terms as in the exempt report.",
        "decided_on": "2023-09-18",
        "notice_published_on": "2023-09-19",
        "delegate_id": exe.id,
        "consultee_id": member.id,
    }
    clerk.ok(clerk.fire(cid, "approve", approve))
    admin.ok(admin.post("/admin/clock", {"now": "2023-09-27T10:00:00+01:00"}))
    consult = {"consultee_id": member.id, "consulted_on": "2023-09-27", "response": "Content."}
    member.ok(member.post(f"/cases/{cid}/consultations", consult), 201)
    sign_off = {"months": 12, "reasons": "The price schedule in the exempt report is fair."}
    case = exe.ok(exe.fire(cid, "sign_off", sign_off))
    assert case["term"] == {"start_date": "2023-10-01", "end_date": "2024-09-30"}

    # The viewer: title, state and dates, nothing more.
    seen = viewer.ok(viewer.get(f"/cases/{cid}"))
    assert seen["title"] == case["title"] and seen["state"] == "active"
    assert seen["term"] == case["term"] and seen["meeting_date"] == "2023-09-18"
    assert seen["report"] == seen["redacted"]
    assert seen["report"]["redacted"] is True and seen["report"]["exempt_paragraph"] == 3
    assert seen["delegation"]["resolution"]["text"] == "[exempt]"
    assert seen["value_pence"] is None
    listed = viewer.ok(viewer.get("/cases"))["items"]
    assert [c["report"]["redacted"] for c in listed if c["id"] == cid] == [True]
    for answer in (seen, listed):
        assert SECRET not in str(answer) and "price schedule" not in str(answer)

    trail = viewer.ok(viewer.get(f"/cases/{cid}/audit"))["items"]
    assert {e["event"] for e in trail} >= {"create", "submit", "defer", "approve", "sign_off"}
    assert all(e["data"]["redacted"]["exempt_paragraph"] == 3 for e in trail)
    for text in (SECRET, "price schedule", "commercial terms", "Content."):
        assert text not in str(trail)
    defer_event = next(e for e in trail if e["event"] == "defer")
    assert defer_event["data"]["payload"] == {"meeting_date": "2023-09-18"}

    record = viewer.ok(viewer.get(f"/cases/{cid}/decision-record"))
    assert record["reasons"] is None and record["authority"] is None
    assert record["consultee"] is None and record["redacted"]["exempt_paragraph"] == 3
    assert "price schedule" not in str(record)

    # The entitled see it all: the author, the delegate, the consultee, the clerk.
    for entitled in (author, exe, member, clerk):
        full = entitled.ok(entitled.get(f"/cases/{cid}/decision-record"))
        assert full["reasons"] == sign_off["reasons"] and full["redacted"] is None
        assert SECRET in entitled.ok(entitled.get(f"/cases/{cid}"))["report"]["summary"]

    # Calendars: the clerk follows every case, the viewer none; titles only, never the report.
    feed = clerk.get("/calendar.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    mine = [e for e in events if f"/cases/{cid}" in str(e["url"])]
    assert mine and all(case["title"] in str(e["summary"]) for e in mine)
    assert SECRET not in feed.text and "price schedule" not in feed.text
    assert Calendar.from_ical(viewer.get("/calendar.ics").content).walk("VEVENT") == []
