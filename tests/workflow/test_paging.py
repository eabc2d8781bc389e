"""Keyset cursors: a cursor this service gave out pages on; anything else is ``InvalidInput``
naming ``cursor`` (422), never a database error (500).

Two holes this pins: JSON ``true`` is a ``bool``, which Python counts as an ``int``, and an
id past the 32-bit integer columns overflows in the driver (SQLite's and PostgreSQL's alike).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from casework import Work, new_case

from workflow.context import Ctx
from workflow.deadlines.lists import DutyFilter, list_deadlines, list_reminders
from workflow.errors import InvalidInput
from workflow.lifecycle.cases import list_cases
from workflow.models import User
from workflow.paging import MAX_ID, decode_cursor, encode_cursor
from workflow.register.agreements import list_agreements

Lister = Callable[[Ctx, str], tuple[list[Any], str | None]]


def cursor_of(text: str) -> str:
    """A cursor with this JSON inside, encoded the way the service encodes its own."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_JSON = {
    "true": '{"after": true}',
    "false": '{"after": false}',
    "10**30": '{"after": 1000000000000000000000000000000}',
    "2**31": '{"after": 2147483648}',
    "2**63": '{"after": 9223372036854775808}',
    "negative": '{"after": -1}',
    "float": '{"after": 1.0}',
    "exponent": '{"after": 1e3}',
    "nan": '{"after": NaN}',
    "string": '{"after": "5"}',
    "null": '{"after": null}',
    "list": '{"after": [5]}',
    "no after": '{"before": 5}',
    "not an object": "[5]",
    "a number": "5",
    "5000 digits": '{"after": ' + "9" * 5000 + "}",
    "nested": "[" * 100 + "]" * 100,
}
BAD_RAW = {
    "not base64": "not-a-cursor!",
    "not json": cursor_of("after=5"),
    "not utf-8": base64.urlsafe_b64encode(b'{"after": \xff}').decode(),
    "too long": cursor_of('{"after": 1' + " " * 300 + "}"),
    "non-ascii": "caf\u00e9",
}
BAD = {**{k: cursor_of(v) for k, v in BAD_JSON.items()}, **BAD_RAW}


@pytest.mark.parametrize("last_id", [0, 1, 42, MAX_ID])
def test_a_cursor_it_gave_out_decodes_to_its_id(last_id: int) -> None:
    assert decode_cursor(encode_cursor(last_id)) == last_id


@pytest.mark.parametrize("blank", [None, ""])
def test_no_cursor_is_the_first_page(blank: str | None) -> None:
    assert decode_cursor(blank) == 0


@pytest.mark.parametrize("cursor", list(BAD.values()), ids=list(BAD))
def test_anything_else_is_invalid_input_naming_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(cursor)
    assert refused.value.status == 422
    assert [p.field for p in refused.value.problems] == ["cursor"]


LISTERS: dict[str, Lister] = {
    "cases": lambda ctx, cursor: list_cases(ctx, cursor=cursor),
    "agreements": lambda ctx, cursor: list_agreements(ctx, cursor=cursor),
    "deadlines": lambda ctx, cursor: list_deadlines(ctx, DutyFilter(), cursor),
    "reminders": lambda ctx, cursor: list_reminders(ctx, DutyFilter(), cursor),
}


@pytest.mark.parametrize("lister", list(LISTERS.values()), ids=list(LISTERS))
def test_every_list_refuses_a_bool_or_overflowing_cursor_before_the_database(
    work: Work, people: dict[str, User], lister: Lister
) -> None:
    with work() as ctx:
        new_case(ctx, people)
    for name in ("true", "10**30", "2**31", "2**63"):
        with work() as ctx, pytest.raises(InvalidInput) as refused:
            lister(ctx, cursor_of(BAD_JSON[name]))
        assert [p.field for p in refused.value.problems] == ["cursor"], name
    # The largest id a column holds is a cursor like any other: past the last row, an empty
    # page on both databases.
    with work() as ctx:
        assert lister(ctx, encode_cursor(MAX_ID)) == ([], None)
        rows, _next = lister(ctx, encode_cursor(0))
        assert rows
