"""Every page with a case id in its path bounds the id before it reaches the database: an id
past the 32-bit integer columns (or below 1) is refused as invalid input (422), never a driver
overflow (500), and an id in range that names no case is still the "Page not found" page."""

from __future__ import annotations

import pytest
from webcase import WebClient

MAX_ID = 2**31 - 1
OUT_OF_RANGE = ["99999999999999999999", str(MAX_ID + 1), "0", "-1"]
PAGES = [
    ("get", "/cases/{id}"),
    ("get", "/cases/{id}/edit"),
    ("post", "/cases/{id}/edit"),
    ("get", "/cases/{id}/events/submit"),
    ("post", "/cases/{id}/events/submit"),
    ("get", "/cases/{id}/consultation"),
    ("post", "/cases/{id}/consultation"),
]
IDS = [f"{method} {path}" for method, path in PAGES]


@pytest.mark.parametrize(("method", "path"), PAGES, ids=IDS)
def test_an_id_out_of_range_is_invalid_not_a_server_error(
    web: WebClient, method: str, path: str
) -> None:
    web.sign_in("officer")
    web.get("/cases")  # a page with a form, for the CSRF token the posts carry
    for case_id in OUT_OF_RANGE:
        url = path.format(id=case_id)
        answer = web.get(url) if method == "get" else web.post(url, {})
        assert answer.status_code == 422, (url, answer.status_code, answer.text[:300])
        assert any(e["field"] == "case_id" for e in answer.json()["errors"]), url


@pytest.mark.parametrize(("method", "path"), PAGES, ids=IDS)
def test_the_largest_id_is_in_range_and_simply_not_found(
    web: WebClient, method: str, path: str
) -> None:
    web.sign_in("officer")
    web.get("/cases")
    url = path.format(id=MAX_ID)
    answer = web.get(url) if method == "get" else web.post(url, {})
    assert answer.status_code == 404, (url, answer.status_code, answer.text[:300])
    assert "Page not found" in answer.text
