"""Driving the API as its users do: one ``Caller`` per person, each with their own token.

Everything goes over HTTP through the real app (``TestClient`` runs its lifespan); the only
thing created outside HTTP is the bootstrap admin, exactly as ``COUNCILFLOW_ADMIN_TOKEN`` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient

from workflow.demo import (
    ASC,
    OLDHAM_PEOPLE,
    SEFTON_PEOPLE,
    SEFTON_PROCUREMENT,
    SEFTON_PROVIDERS,
    sefton_case_in,
)

ADMIN_TOKEN = "cf_http_tests_admin_token_Qx7vLm2pRt9K"
V1 = "/api/v1"
PROBLEM = "application/problem+json"

MakeClient = Callable[..., TestClient]
_REFERENCES = itertools.count(1)


@dataclass
class Caller:
    """One person at the API: every request carries their bearer token."""

    client: TestClient
    token: str
    user: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(V1 + path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        headers = self._headers(kw.pop("headers", None))
        return self.client.post(V1 + path, json=json, headers=headers, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        headers = self._headers(kw.pop("headers", None))
        return self.client.patch(V1 + path, json=json, headers=headers, **kw)

    def fire(self, case_id: int, event: str, payload: Any = None, **kw: Any) -> httpx.Response:
        return self.post(f"/cases/{case_id}/events/{event}", json=payload, **kw)

    def ok(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 answer with this status, and answer its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


EXTRA_PEOPLE = [
    ("colleague", "Cal Colleague", "cal.colleague@sefton.example.gov.uk", ["officer"], ASC),
    ("other_officer", "Olu Other", "olu.other@sefton.example.gov.uk", ["officer"], "Children"),
    ("other_exec", "Xander Exec", "xander.exec@sefton.example.gov.uk", ["executive"], ASC),
]


def make_people(client: TestClient) -> dict[str, Caller]:
    """The admin, the Sefton and Oldham people of ``workflow.demo``, and a few more, each
    created over ``POST /users`` by the admin."""
    admin = Caller(client, ADMIN_TOKEN)
    admin.user = admin.ok(admin.get("/me"))
    people = {"admin": admin}
    cast = [(p.key, p.name, p.email, p.roles, p.directorate) for p in SEFTON_PEOPLE]
    cast += [(p.key, p.name, p.email, p.roles, p.directorate) for p in OLDHAM_PEOPLE]
    for key, name, email, roles, directorate in cast + EXTRA_PEOPLE:
        body = {"name": name, "email": email, "roles": roles, "directorate": directorate}
        created = admin.ok(admin.post("/users", body), 201)
        people[key] = Caller(client, created.pop("token"), created)
    return people


def sefton_agreements(officer: Caller) -> list[int]:
    ids = []
    for n, provider in enumerate(SEFTON_PROVIDERS, start=1):
        body = {
            "reference": f"SEFTON-DAYOPS-{n:02d}",
            "title": f"Day Opportunities for adults — {provider}",
            "kind": "contract",
            "counterparty": provider,
            "directorate": ASC,
            "annual_value_pence": (180_000 + 15_000 * n) * 100,
            "start_date": "2019-10-01",
            "end_date": "2024-09-30",
            **procurement_body((180_000 + 15_000 * n) * 100),
        }
        ids.append(officer.ok(officer.post("/agreements", body), 201)["id"])
    return ids


def procurement_body(annual_value_pence: int) -> dict[str, Any]:
    """The seed's procurement facts (issue 9) as JSON, with five years' value on award."""
    facts = dict(SEFTON_PROCUREMENT)
    facts["procurement_started_on"] = facts["procurement_started_on"].isoformat()
    return {**facts, "award_value_pence": max(annual_value_pence * 5, 1)}


def iso(d: date) -> str:
    return d.isoformat()


def one_agreement(officer: Caller, reference: str | None = None, **changes: Any) -> int:
    body = {
        "reference": reference or f"SEFTON-DAYOPS-{next(_REFERENCES):03d}",
        "title": "Day Opportunities for adults — Autism Initiatives",
        "kind": "contract",
        "counterparty": "Autism Initiatives",
        "directorate": ASC,
        "annual_value_pence": 19_500_000,
        "start_date": "2019-10-01",
        "end_date": "2024-09-30",
        **procurement_body(int(changes.get("annual_value_pence", 19_500_000))),
        **changes,
    }
    return int(officer.ok(officer.post("/agreements", body), 201)["id"])


def draft_case(officer: Caller, agreement_ids: list[int] | None = None) -> dict[str, Any]:
    """A Sefton-shaped draft (meeting 5 Sep 2024, key decision on the forward plan)."""
    ids = agreement_ids or [one_agreement(officer)]
    return officer.ok(officer.post("/cases", sefton_case_in(ids).model_dump(mode="json")), 201)


def approve_body(people: dict[str, Caller]) -> dict[str, Any]:
    return {
        "resolution": "Extend; a further six months delegated.",
        "decided_on": "2024-09-05",
        "notice_published_on": "2024-09-06",
        "delegate_id": people["executive"].id,
        "consultee_id": people["cabinet_member"].id,
        "max_months": 12,
    }


def to_delegated_approval(people: dict[str, Caller], case_id: int) -> dict[str, Any]:
    """Submit now, then (on 6 Sep 2024) Cabinet approves; answers the case."""
    people["officer"].ok(people["officer"].fire(case_id, "submit"))
    admin, clerk = people["admin"], people["clerk"]
    admin.ok(admin.post("/admin/clock", {"now": "2024-09-06T09:00:00+01:00"}))
    return clerk.ok(clerk.fire(case_id, "approve", approve_body(people)))


def to_active(people: dict[str, Caller], case_id: int) -> dict[str, Any]:
    """From delegated approval: past call-in, consulted, six months signed off."""
    admin, exe, member = people["admin"], people["executive"], people["cabinet_member"]
    admin.ok(admin.post("/admin/clock", {"now": "2024-09-16T09:00:00+01:00"}))
    consult = {"consultee_id": member.id, "consulted_on": "2024-09-16", "response": "Agreed."}
    exe.ok(exe.post(f"/cases/{case_id}/consultations", consult), 201)
    return exe.ok(exe.fire(case_id, "sign_off", {"months": 6, "reasons": "Procurement time."}))
