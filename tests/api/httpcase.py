"""Driving the API as its users do: one ``Caller`` per person, each with their own token.

Everything goes over HTTP through the real app (``TestClient`` runs its lifespan); the only
thing created outside HTTP is the bootstrap admin, exactly as ``COUNCILFLOW_ADMIN_TOKEN`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient

from workflow.demo import ASC, OLDHAM_PEOPLE, SEFTON_PEOPLE, SEFTON_PROVIDERS

ADMIN_TOKEN = "test-admin-token"
V1 = "/api/v1"
PROBLEM = "application/problem+json"


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
        }
        ids.append(officer.ok(officer.post("/agreements", body), 201)["id"])
    return ids


def iso(d: date) -> str:
    return d.isoformat()
