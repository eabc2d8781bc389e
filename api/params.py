"""Parameters several routes share, bounded so no value can reach the database unchecked
(an id past the 32-bit integer columns would otherwise be a driver error, not a 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from workflow.paging import MAX_LIMIT
from workflow.text import ONE_LINE

API_PREFIX = "/api/v1"
MAX_ID = 2**31 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="next_cursor of the previous page"),
    ONE_LINE,
]
