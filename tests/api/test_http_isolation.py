"""Isolation between councils, proved (issue 10, part 2): a person of council A walks every
route of the OpenAPI schema, and every page, against the objects of council B — its cases,
agreements, people, deadlines, reminders, sign-offs — and learns nothing.

"Nothing" is measured, not assumed: each request naming one of B's ids is answered exactly as
the same request naming an id that does not exist (status and body, once each id is written
``{id}``), and no answer to A — lists, counts, reports, calendar feeds, problem details —
carries anything of B's (its name, slug, people, providers, case title). B's own objects are
unchanged afterwards. Runs on SQLite and on PostgreSQL (where row-level security is the
second wall; ``tests/workflow/test_row_security.py`` tests that wall alone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from httpcase import V1, Caller, MakeClient, approve_body, make_people, one_agreement
from roles import as_ordinary_role
from sqlalchemy.engine import Engine

from api.schema_setup import prepare_database
from workflow.demo import sefton_case_in


@pytest.fixture
def engine(engine: Engine) -> Iterator[Engine]:
    """On PostgreSQL the app connects as an ordinary role, as in production, so row-level
    security is on for every request the walk makes (and the service must work under it)."""
    if engine.dialect.name != "postgresql":
        yield engine
        return
    prepare_database(engine)  # migrations run as the owner, before the service starts
    with as_ordinary_role(engine) as bound:
        yield bound


MISSING = 987_654  # an id no table has
# Query parameters some reads need, wide enough to take in everything both councils did.
QUERY_DEFAULTS = {"from": "2024-01-01", "to": "2025-12-31", "limit": 200}
B_NAME, B_SLUG = "Borough of Beeford", "beeford-borough"
B_PROVIDER = "Beeswax Provider Ltd"
B_TITLE = "Beeford hive extension"
B_DOMAIN = "@beeford.example.gov.uk"
MARKERS = [B_NAME, B_SLUG, B_PROVIDER, B_TITLE, B_DOMAIN, "BEEFORD-REF"]
# The people of each council, by key: (roles, directorate).
CAST = {
    "officer": (["officer"], "Adult Social Care"),
    "clerk": (["democratic_services"], None),
    "executive": (["executive"], "Adult Social Care"),
    "cabinet_member": (["cabinet_member"], None),
    "scrutiny": (["scrutiny", "scrutiny_chair"], None),
    "viewer": (["viewer"], None),
}
# Who of A probes: every role that sees more than its own cases.
PROBERS = ["admin", "clerk", "officer", "executive", "scrutiny"]


def council_b(client: TestClient, operator: Caller) -> dict[str, Caller]:
    made = operator.ok(operator.post("/councils", {"name": B_NAME, "slug": B_SLUG}), 201)
    assert set(made) >= {"id", "name", "slug", "admin_token"}
    admin = Caller(client, made["admin_token"])
    admin.user = admin.ok(admin.get("/me"))
    people = {"admin": admin}
    for key, (roles, directorate) in CAST.items():
        body = {"name": f"{key} of Beeford", "email": f"{key}{B_DOMAIN}", "roles": roles}
        created = admin.ok(admin.post("/users", body | {"directorate": directorate}), 201)
        people[key] = Caller(client, created.pop("token"), created)
    # Emails are unique per council: A's clerk's address is free in B.
    same = {"name": "Namesake", "email": "dee.services@sefton.example.gov.uk", "roles": ["viewer"]}
    admin.ok(admin.post("/users", same), 201)
    # B signs in through its own provider; A must not see it, nor add one into B.
    provider = {"name": f"{B_NAME} Entra", "issuer": f"https://login.{B_SLUG}.example/v2.0"}
    admin.ok(admin.post("/identity-providers", provider | {"client_id": "b-client"}), 201)
    mine = {"name": "A's", "issuer": "https://login.a.example/v2.0", "client_id": "a"}
    into_b = mine | {"council_id": made["id"]}
    assert operator.ok(operator.post("/identity-providers", into_b), 201)["council_id"] == 1
    return people


def walk_both_to_active(a: dict[str, Caller], b: dict[str, Caller]) -> tuple[int, int]:
    """A Sefton-shaped case in each council, from draft through Cabinet to a sign-off, on the
    one clock they share; the same agreement reference in both (unique per council)."""
    a_agreement = one_agreement(a["officer"], reference="SHARED-REF-1")
    b_agreement = one_agreement(
        b["officer"], reference="SHARED-REF-1", title=B_TITLE, counterparty=B_PROVIDER
    )
    one_agreement(b["officer"], reference="BEEFORD-REF-2", counterparty=B_PROVIDER)
    cases = []
    for people, agreement in ((a, a_agreement), (b, b_agreement)):
        body = sefton_case_in([agreement]).model_dump(mode="json")
        if people is b:
            body["title"] = B_TITLE
        case = people["officer"].ok(people["officer"].post("/cases", body), 201)
        people["officer"].ok(people["officer"].fire(case["id"], "submit"))
        cases.append(case["id"])
    a["admin"].ok(a["admin"].post("/admin/clock", {"now": "2024-09-06T09:00:00+01:00"}))
    for people, case_id in zip((a, b), cases, strict=True):
        people["clerk"].ok(people["clerk"].fire(case_id, "approve", approve_body(people)))
    a["admin"].ok(a["admin"].post("/admin/clock", {"now": "2024-09-16T09:00:00+01:00"}))
    for people, case_id in zip((a, b), cases, strict=True):
        exe, member = people["executive"], people["cabinet_member"]
        consult = {"consultee_id": member.id, "consulted_on": "2024-09-16", "response": "Yes."}
        exe.ok(exe.post(f"/cases/{case_id}/consultations", consult), 201)
        exe.ok(exe.fire(case_id, "sign_off", {"months": 6, "reasons": "Procurement time."}))
    b["admin"].ok(b["admin"].post("/admin/tick"))
    return cases[0], cases[1]


def ids_of_b(b: dict[str, Caller], case_id: int) -> dict[str, list[int]]:
    """B's ids, by the name a route gives its parameter."""
    clerk = b["clerk"]
    case = clerk.ok(clerk.get(f"/cases/{case_id}"))
    agreements = clerk.ok(clerk.get("/agreements?limit=200"))["items"]
    deadlines = clerk.ok(clerk.get("/deadlines?limit=200"))["items"]
    reminders = b["admin"].ok(b["admin"].get("/reminders?limit=200"))["items"]
    record = clerk.ok(clerk.get(f"/cases/{case_id}/decision-record"))
    sign_offs = [s["id"] for s in record.get("sign_offs", []) if isinstance(s, dict) and "id" in s]
    found = {
        "case_id": [case_id],
        "agreement_id": [x["id"] for x in agreements],
        "user_id": [p.id for p in b.values()],
        "author_id": [b["officer"].id],
        "deadline_id": [x["id"] for x in deadlines],
        "reminder_id": [x["id"] for x in reminders],
        "sign_off_id": sign_offs or [case["version"]],
        # A personal access token of B's (issue 10, part 4): A's admin may not revoke it.
        "token_id": [b["officer"].ok(b["officer"].post("/tokens", {"name": "B's"}), 201)["id"]],
    }
    assert all(found.values()), found
    assert len(found["agreement_id"]) == 2 and found["deadline_id"] and found["reminder_id"]
    return found


def bodies(a: dict[str, Caller]) -> dict[str, Any]:
    """A plausible body for each write, so a route reaches its lookup rather than stopping at
    the schema; ``{id}`` is the id under test where the body itself names one."""
    return {
        "PATCH /api/v1/cases/{case_id}": {"title": "Renamed from another council"},
        "POST /api/v1/cases/{case_id}/consultations": {
            "consultee_id": a["cabinet_member"].id,
            "consulted_on": "2024-09-16",
            "response": "Agreed.",
        },
        "POST /api/v1/cases/{case_id}/call-in-requests": {"reason": "Not considered."},
        "POST /api/v1/cases/{case_id}/events/approve": approve_body(a),
        "POST /api/v1/cases/{case_id}/events/sign_off": {"months": 6, "reasons": "r"},
        "POST /api/v1/cases/{case_id}/events/withdraw": {"reason": "r"},
    }


# Writes whose body names another object: (route, body with "{id}", the parameter it names).
NAMING_BODIES = [
    ("POST", "/api/v1/cases", "agreement_id"),
    ("POST", "/api/v1/cases/{case_id}/events/approve", "user_id"),
]


def normalised(response: httpx.Response, ident: int) -> tuple[int, str]:
    text = re.sub(rf"\b{ident}\b", "{id}", response.text)
    return response.status_code, text


def assert_nothing_of_b(where: str, response: httpx.Response) -> None:
    leaked = [m for m in MARKERS if m.lower() in response.text.lower()]
    assert not leaked, f"{where} shows {leaked}: {response.text[:500]}"


def send(caller: Caller, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {caller.token}", **kw.pop("headers", {})}
    return caller.client.request(method, path, headers=headers, **kw)


def probe_api(a: dict[str, Caller], b_ids: dict[str, list[int]], schema: dict[str, Any]) -> int:
    """Every operation, as each prober; answers how many requests were compared."""
    compared = 0
    body_for = bodies(a)
    for path, operations in schema["paths"].items():
        for verb, op in operations.items():
            method = verb.upper()
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            queries = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            body = body_for.get(f"{method} {path}", {} if "requestBody" in op else None)
            for who in PROBERS:
                caller = a[who]
                if not params:
                    kw: dict[str, Any] = {"json": body} if body is not None else {}
                    kw["params"] = {q: QUERY_DEFAULTS[q] for q in queries if q in QUERY_DEFAULTS}
                    response = send(caller, method, path, **kw)
                    assert response.status_code < 500, (method, path, response.text)
                    assert_nothing_of_b(f"{who} {method} {path}", response)
                    for name in (q for q in queries if q in b_ids):
                        for ident in b_ids[name]:
                            compared += compare(caller, method, path, {}, {name: ident}, body)
                    continue
                for name in params:
                    for ident in b_ids.get(name, []):
                        compared += compare(caller, method, path, {name: ident}, {}, body)
    return compared


def compare(
    caller: Caller,
    method: str,
    template: str,
    path_ids: dict[str, int],
    query_ids: dict[str, int],
    body: Any,
) -> int:
    """The request with B's id, and with an id that does not exist: the same answer."""
    ident = next(iter({**path_ids, **query_ids}.values()))
    answers = []
    for value in (ident, MISSING):
        path = template
        for name in path_ids:
            path = path.replace("{" + name + "}", str(value))
        params = {name: value for name in query_ids}
        kw: dict[str, Any] = {"params": params}
        if body is not None:
            kw["json"] = body
        response = send(caller, method, path, **kw)
        assert response.status_code < 500, (method, path, response.text)
        assert_nothing_of_b(f"{method} {path}", response)
        answers.append(normalised(response, value))
    assert answers[0] == answers[1], (method, template, path_ids, query_ids, answers)
    return 1


def probe_naming_bodies(a: dict[str, Caller], b_ids: dict[str, list[int]], a_case: int) -> int:
    compared = 0
    officer, clerk = a["officer"], a["clerk"]
    for ident in b_ids["agreement_id"]:
        answers = []
        for value in (ident, MISSING):
            body = sefton_case_in([value]).model_dump(mode="json")
            answers.append(normalised(send(officer, "POST", f"{V1}/cases", json=body), value))
        assert answers[0] == answers[1] and answers[0][0] == 422, answers
        compared += 1
    for ident in b_ids["user_id"]:
        answers = []
        for value in (ident, MISSING):
            body = approve_body(a) | {"delegate_id": value}
            path = f"{V1}/cases/{a_case}/events/approve"
            answers.append(normalised(send(clerk, "POST", path, json=body), value))
        assert answers[0] == answers[1], answers
        compared += 1
    return compared


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_paths(app: Any) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith(("/api/", "/static", "/healthz", "/metrics")) or not path:
            continue
        for method in sorted(getattr(route, "methods", None) or []):
            if method in ("GET", "POST"):
                out.append((method, path))
    return out


def probe_pages(pages: TestClient, token: str, b_ids: dict[str, list[int]]) -> int:
    pages.cookies.clear()
    form = pages.get("/sign-in")
    csrf = CSRF.search(form.text)
    assert csrf is not None
    signed = pages.post("/sign-in", data={"csrf_token": csrf.group(1), "token": token})
    assert signed.status_code == 200, signed.text
    compared = 0
    for method, template in page_paths(pages.app):
        if template in ("/sign-in", "/sign-out"):
            continue
        names = re.findall(r"{(\w+)}", template)
        if not names:
            response = pages.request(method, template, data=_form(pages))
            assert response.status_code < 500, (method, template)
            assert_nothing_of_b(f"page {method} {template}", response)
            continue
        for ident in b_ids.get(names[0], []):
            answers = []
            for value in (ident, MISSING):
                path = template.replace("{" + names[0] + "}", str(value))
                path = path.replace("{event}", "approve")
                response = pages.request(method, path, data=_form(pages), follow_redirects=False)
                assert response.status_code < 500, (method, path, response.text)
                assert_nothing_of_b(f"page {method} {path}", response)
                answers.append(response.status_code)
            assert answers[0] == answers[1], (method, template, answers)
            compared += 1
    return compared


def _form(pages: TestClient) -> dict[str, str]:
    """A form post carrying the session's CSRF token (read from a page that has one)."""
    found = CSRF.search(pages.get("/cases/new").text)
    return {"csrf_token": found.group(1) if found else "", "title": "From another council"}


def snapshot(b: dict[str, Caller], case_id: int) -> str:
    admin = b["admin"]
    seen = {
        "case": admin.ok(admin.get(f"/cases/{case_id}")),
        "agreements": admin.ok(admin.get("/agreements?limit=200")),
        "reminders": admin.ok(admin.get("/reminders?limit=200")),
        "people": [admin.ok(p.get("/me")) for p in b.values()],
    }
    return json.dumps(seen, sort_keys=True)


def test_a_person_of_one_council_learns_nothing_of_another(make_client: MakeClient) -> None:
    client = make_client()
    a = make_people(client)  # the first council, whose admin is the platform operator
    b = council_b(client, a["admin"])
    a_case, b_case = walk_both_to_active(a, b)
    b_ids = ids_of_b(b, b_case)
    # A's constitution asks 90 clear days of forward-plan notice, B's keeps the installation's
    # 28: A's reg 18 report lists A's case (68 days), and would list B's too if it leaked.
    settings = {"settings": {"forward_plan_clear_days": 90}}
    a["admin"].ok(send(a["admin"], "PUT", f"{V1}/council/settings", json=settings))
    report = "/reports/key-decisions?from=2024-01-01&to=2025-12-31"
    assert [i["case_id"] for i in a["clerk"].ok(a["clerk"].get(report))["items"]] == [a_case]
    assert b["clerk"].ok(b["clerk"].get(report))["items"] == []
    before = snapshot(b, b_case)

    schema = client.get(f"{V1}/openapi.json").json()
    compared = probe_api(a, b_ids, schema)
    compared += probe_naming_bodies(a, b_ids, a_case)
    pages = make_client(secure_cookies=False, token_sign_in=True)
    for who in ("admin", "clerk"):
        compared += probe_pages(pages, a[who].token, b_ids)

    assert compared > 300, compared  # every route was really walked with B's ids
    assert snapshot(b, b_case) == before  # and nothing of B's changed
    # A's own lists and feeds hold A's and only A's.
    clerk = a["clerk"]
    assert [c["id"] for c in clerk.ok(clerk.get("/cases"))["items"]] == [a_case]
    a_refs = {x["reference"] for x in clerk.ok(clerk.get("/agreements?limit=200"))["items"]}
    assert "SHARED-REF-1" in a_refs and "BEEFORD-REF-2" not in a_refs
    b_deadlines = set(b_ids["deadline_id"])
    assert not b_deadlines & {d["id"] for d in clerk.ok(clerk.get("/deadlines?limit=200"))["items"]}
    b_reminders = set(b_ids["reminder_id"])
    seen = a["admin"].ok(a["admin"].get("/reminders?limit=200"))["items"]
    assert not b_reminders & {r["id"] for r in seen}
    # B is whole, for B.
    assert b["clerk"].ok(b["clerk"].get("/cases"))["items"][0]["title"] == B_TITLE
