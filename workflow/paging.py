"""Keyset pagination: a cursor is the last id seen, opaque to clients, so pages stay stable
while rows are added and no query ever counts or skips."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from workflow.errors import FieldProblem, InvalidInput

MAX_LIMIT = 200
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
MAX_CURSOR_LENGTH = 200  # a real cursor is about 30 characters
T = TypeVar("T")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor points after; ``InvalidInput`` naming ``cursor`` for anything this
    service would not have given out.

    The id is compared with an integer column, so it must be a real ``int`` (JSON ``true``
    is a ``bool``, which Python counts as an int but no database compares with one) within
    the column's range (a larger one overflows in the driver). Either would otherwise be a
    500 rather than the 422 a made-up cursor deserves.
    """
    if not cursor:
        return 0
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = value["after"]
        if type(after) is not int or not 0 <= after <= MAX_ID:
            raise ValueError
        return after
    except (
        ValueError,
        KeyError,
        TypeError,
        binascii.Error,
        UnicodeError,
        RecursionError,
    ) as exc:
        raise InvalidInput(
            "the cursor is not one this service gave out",
            [FieldProblem("cursor", "not a cursor from a previous page")],
        ) from exc


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_LIMIT}",
            [FieldProblem("limit", f"must be between 1 and {MAX_LIMIT}")],
        )
    return limit


def page(
    rows: Sequence[T], limit: int, id_of: Callable[[T], int | None]
) -> tuple[list[T], str | None]:
    """``rows`` was fetched with ``limit + 1``: the extra row says there is a next page."""
    items = list(rows[:limit])
    if len(rows) > limit and items:
        return items, encode_cursor(id_of(items[-1]) or 0)
    return items, None
