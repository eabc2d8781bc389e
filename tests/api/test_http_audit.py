"""Issue 14, item 2a: the audit hashes cover the unredacted data, so a reader not entitled to
a case's exempt information sees ``hash`` and ``prev_hash`` as null on that case's events
(with an unkeyed hash a redacted proposal was recovered by brute force). The entitled, and
everyone on a case that is not exempt, see them."""

from __future__ import annotations

from datetime import UTC, datetime

from httpcase import MakeClient, make_people, sefton_agreements

from workflow.clock import FrozenClock
from workflow.demo import oldham_case_in, sefton_case_in

MIOCARE = {
    "reference": "OLDHAM-SLA-MIOCARE",
    "title": "SLA: services delivered through Oldham Care and Support Ltd",
    "kind": "sla",
    "counterparty": "Miocare Group CIC",
    "directorate": "Adult Social Care",
    "annual_value_pence": 2_500_000_000,
    "start_date": "2018-10-01",
    "end_date": "2023-09-30",
}


def is_hash(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64


def test_hashes_are_hidden_from_readers_not_entitled_to_an_exempt_case(
    make_client: MakeClient,
) -> None:
    clock = FrozenClock(datetime(2023, 8, 21, 8, 0, tzinfo=UTC))
    people = make_people(make_client(clock=clock))
    author, viewer, officer = people["oldham_officer"], people["viewer"], people["officer"]
    agreement = author.ok(author.post("/agreements", MIOCARE), 201)
    exempt = author.ok(
        author.post("/cases", oldham_case_in([agreement["id"]]).model_dump(mode="json")), 201
    )
    author.ok(author.fire(exempt["id"], "submit"))
    public = officer.ok(
        officer.post("/cases", sefton_case_in(sefton_agreements(officer)).model_dump(mode="json")),
        201,
    )

    hidden = viewer.ok(viewer.get(f"/cases/{exempt['id']}/audit"))["items"]
    assert [e["event"] for e in hidden] == ["create", "submit"]
    assert all(e["hash"] is None and e["prev_hash"] is None for e in hidden)

    shown = author.ok(author.get(f"/cases/{exempt['id']}/audit"))["items"]
    assert all(is_hash(e["hash"]) and is_hash(e["prev_hash"]) for e in shown)
    assert shown[1]["prev_hash"] == shown[0]["hash"]  # the case's own chain

    open_trail = viewer.ok(viewer.get(f"/cases/{public['id']}/audit"))["items"]
    assert open_trail and all(is_hash(e["hash"]) for e in open_trail)
