"""The request is the unit of work, and it commits before the answer goes out: a commit that
fails becomes a problem answer, never a 2xx for a write that was lost.

The failure is made real at the database driver's boundary: the engine's own ``commit`` event
refuses one commit, as a full disk or a dropped connection would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from httpcase import Caller, draft_case, problem_of
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

AGREEMENT = {
    "reference": "TX-1",
    "title": "Meals at home",
    "kind": "contract",
    "counterparty": "Hot Plates Ltd",
    "directorate": "Adult Social Care",
    "annual_value_pence": 1_000_000,
    "start_date": "2024-01-01",
    "end_date": "2024-12-31",
}


@pytest.fixture
def failing_commit(engine: Engine) -> Iterator[list[bool]]:
    """Append ``True`` to make the next commit on the engine fail."""
    armed: list[bool] = []

    def refuse(conn: Any) -> None:
        if armed:
            armed.clear()
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "commit", refuse)
    yield armed
    event.remove(engine, "commit", refuse)


def test_a_failed_commit_is_an_error_answer_and_nothing_is_kept(
    people: dict[str, Caller], failing_commit: list[bool]
) -> None:
    officer = people["officer"]
    failing_commit.append(True)
    answer = problem_of(officer.post("/agreements", AGREEMENT), 503)
    assert answer["type"].endswith("/unavailable")
    assert officer.ok(officer.get("/agreements"))["items"] == []
    created = officer.ok(officer.post("/agreements", AGREEMENT), 201)
    assert officer.ok(officer.get(f"/agreements/{created['id']}"))["reference"] == "TX-1"


def test_a_refused_event_leaves_nothing_half_written(people: dict[str, Caller]) -> None:
    """A guard failing after the payload was read changes nothing: no audit event, no new
    deadline, the same version."""
    officer = people["officer"]
    case = draft_case(officer)
    cid = case["id"]
    trail = officer.ok(officer.get(f"/cases/{cid}/audit"))["items"]
    problem_of(officer.fire(cid, "withdraw", {"reason": ""}), 422)
    problem_of(people["viewer"].fire(cid, "submit"), 403)
    after = officer.ok(officer.get(f"/cases/{cid}"))
    assert after["version"] == case["version"] and after["deadlines"] == case["deadlines"]
    assert officer.ok(officer.get(f"/cases/{cid}/audit"))["items"] == trail
