"""Browser protections on every answer of the API (issue 13): every operation in the OpenAPI
schema, the docs, static files, problems for unknown routes and even an unexpected 500 carry
the Content-Security-Policy (no inline script), frame-ancestors and X-Frame-Options,
Referrer-Policy and nosniff; HSTS goes with HTTPS. The pages are walked in
``tests/web/test_web_headers.py``."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, MakeClient

METRICS_TOKEN = "metrics-header-token"


def assert_protected(response: httpx.Response, *, hsts: bool = False) -> str:
    """The headers every answer carries; answers the CSP nonce."""
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    csp = response.headers.get("content-security-policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in csp.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives.get("frame-ancestors") == "'none'", where
    assert directives.get("object-src") == "'none'", where
    assert directives.get("base-uri") == "'none'", where
    script = directives.get("script-src", "")
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{20,})'", script)
    assert nonce, (where, script)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("referrer-policy") == "no-referrer", where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert ("strict-transport-security" in response.headers) is hsts, where
    if hsts:
        assert response.headers["strict-transport-security"] == "max-age=31536000", where
    return nonce.group(1)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            if method in {"get", "post", "patch", "put", "delete"}:
                found.append((method.upper(), concrete))
    return found


def _walk(client: TestClient, *, hsts: bool) -> int:
    schema = client.get("/api/v1/openapi.json").json()
    operations = _operations(schema)
    assert ("GET", "/metrics") in operations and ("POST", "/api/v1/cases") in operations
    assert len(operations) > 25
    nonces = set()
    for method, path in operations:
        token = METRICS_TOKEN if path == "/metrics" else ADMIN_TOKEN
        for headers in ({"Authorization": f"Bearer {token}"}, {}):
            response = client.request(method, path, headers=headers, json={})
            nonces.add(assert_protected(response, hsts=hsts))
    for path in [
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/static/swagger/init.js",
        "/static/govuk/init.js",
        "/healthz",
        "/nowhere",
    ]:
        nonces.add(assert_protected(client.get(path), hsts=hsts))
    # A fresh nonce for every answer: one seen before would let an injected script reuse it.
    assert len(nonces) == 2 * len(operations) + 6
    return len(operations)


def test_every_operation_of_the_schema_carries_the_headers(make_client: MakeClient) -> None:
    client = make_client(metrics_token=METRICS_TOKEN)
    assert _walk(client, hsts=False) > 25


def test_over_https_they_carry_hsts_too(make_client: MakeClient) -> None:
    """The scheme is what uvicorn saw: its own TLS, or X-Forwarded-Proto from a trusted proxy
    (``COUNCILFLOW_TRUSTED_PROXIES``). TestClient over https:// stands for either."""
    plain = make_client(metrics_token=METRICS_TOKEN)
    client = TestClient(plain.app, base_url="https://councilflow.example")
    _walk(client, hsts=True)


def test_a_service_published_over_https_sends_hsts_on_every_hop(make_client: MakeClient) -> None:
    client = make_client(base_url="https://councilflow.example.gov.uk")
    assert_protected(client.get("/healthz"), hsts=True)
    assert (
        "strict-transport-security"
        not in make_client(hsts_max_age_seconds=0).get("/healthz").headers
    )


def test_even_an_unexpected_error_carries_them(make_client: MakeClient) -> None:
    app: Any = make_client().app

    def broken() -> None:
        raise RuntimeError("a fault no handler expects")

    app.add_api_route("/broken", broken)
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/broken")
    assert response.status_code == 500
    assert_protected(response)


def test_the_docs_load_nothing_from_another_host(make_client: MakeClient) -> None:
    """Swagger UI from this service's own pinned copy (issue 14 item 5), started by a file."""
    client = make_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    nonce = assert_protected(page)
    references = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert references, page.text
    local = [r for r in references if r.startswith("/") and not r.startswith("//")]
    assert sorted([*local, "data:,"]) == sorted(references), references
    assert "cdn" not in page.text.lower() and "http" not in page.text.lower()
    assert "<script>" not in page.text and nonce not in page.text
    for ref in references:
        if ref.startswith("/"):
            assert client.get(ref).status_code == 200, ref
    assert "validatorUrl: null" in client.get("/static/swagger/init.js").text


def test_the_docs_can_be_turned_off(make_client: MakeClient) -> None:
    client = make_client(api_docs=False)
    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200
