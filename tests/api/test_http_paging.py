"""A cursor the service did not give out is a 422 naming ``cursor`` on every keyset-paged
list, never a 500: not JSON ``true`` (a ``bool``, which Python counts as an int), not an id past
the 32-bit columns (which overflows in the driver), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import base64

import pytest
from httpcase import Caller, draft_case, problem_of

from workflow.paging import encode_cursor

MAX_ID = 2**31 - 1


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD = {
    "true": cursor_of('{"after": true}'),
    "false": cursor_of('{"after": false}'),
    "10**30": cursor_of('{"after": 1000000000000000000000000000000}'),
    "2**31": cursor_of('{"after": 2147483648}'),
    "negative": cursor_of('{"after": -1}'),
    "float": cursor_of('{"after": 2.5}'),
}
LISTS = ["/cases", "/agreements", "/deadlines", "/reminders", "/cases/{case_id}/audit"]


@pytest.mark.parametrize("path", LISTS)
def test_a_made_up_cursor_is_422_naming_cursor(people: dict[str, Caller], path: str) -> None:
    officer = people["officer"]
    case_id = draft_case(officer)["id"]
    url = path.format(case_id=case_id)
    for name, cursor in BAD.items():
        body = problem_of(officer.get(url, params={"cursor": cursor}), 422)
        assert [e["field"] for e in body["errors"]] == ["cursor"], (name, body)


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_id_is_a_cursor_past_the_last_page(
    people: dict[str, Caller], path: str
) -> None:
    officer = people["officer"]
    case_id = draft_case(officer)["id"]
    url = path.format(case_id=case_id)
    assert officer.ok(officer.get(url))["items"]
    last = officer.ok(officer.get(url, params={"cursor": encode_cursor(MAX_ID)}))
    assert last == {"items": [], "next_cursor": None}
