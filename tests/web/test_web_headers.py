"""Browser protections on every page (issue 13): each web route, signed in and not, GET and
POST, carries the Content-Security-Policy, frame protection, Referrer-Policy and nosniff, and
the only inline script a page holds (GOV.UK Frontend's ``js-enabled`` line) carries that
answer's nonce. What a browser makes of it is ``test_web_csp.py``."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import iter_route_contexts
from webcase import WebClient

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)


def _protected(response: Any) -> str:
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    csp = response.headers.get("content-security-policy", "")
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'", csp)
    assert nonce and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("referrer-policy") == "no-referrer", where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    return nonce.group(1)


def _scripts_keep_to_the_policy(response: Any, nonce: str) -> None:
    for attrs, body in SCRIPT.findall(response.text):
        if "src=" in attrs:
            assert body.strip() == "" and 'src="/' in attrs, attrs
        else:
            assert f'nonce="{nonce}"' in attrs, (response.request.url, attrs)


def _page_paths(web: WebClient) -> list[tuple[str, str]]:
    app: Any = web.client.app
    found = []
    for route in iter_route_contexts(app.routes):
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None and endpoint.__module__.startswith("api.web."):
            path = route.path.replace("{case_id}", str(web.seeded.oldham_case_id))
            path = path.replace("{event}", "withdraw")
            found += [(method, path) for method in sorted(route.methods)]
    return found


def test_every_page_carries_the_headers_and_no_inline_script_without_the_nonce(
    web: WebClient,
) -> None:
    pages = _page_paths(web)
    assert len(pages) >= 19, pages
    seen = 0
    for signed_in in (False, True):
        if signed_in:
            web.sign_in("oldham_officer")
        for method, path in pages:
            if path == "/sign-out":
                continue
            if method == "GET":
                response = web.get(path, follow_redirects=False)
            else:
                response = web.post(path, {}, follow_redirects=False)
            nonce = _protected(response)
            if "text/html" in response.headers.get("content-type", ""):
                _scripts_keep_to_the_policy(response, nonce)
                seen += 1
    assert seen >= 19
    page = web.get("/")
    nonce = _protected(page)
    assert f'<script nonce="{nonce}">document.body.className' in page.text
    assert '<script type="module" src="/static/govuk/init.js"></script>' in page.text
    assert web.client.get("/static/govuk/init.js").status_code == 200
