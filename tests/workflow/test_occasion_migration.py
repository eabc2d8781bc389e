"""Migration 0017's downgrade (issue 9): back to one procurement notice duty per kind and
agreement. Two PCR 2015 contracts on reg 72(1)(c) signed off Mon 16 Sep 2024 (term from
1 Oct, reg 72(3) notice by Wed 16 Oct) and again Mon 14 Oct (term from 1 Apr 2025, notice by
Wed 13 Nov): downgraded, each agreement keeps the later modification's open duty; the earlier
one is cancelled with its pending reminders, so none keeps firing for a duty the old planner
no longer sees.
"""

from __future__ import annotations

from alembic import command
from casework import Work, two_sign_offs_on_unforeseen_circumstances
from sqlalchemy import text
from sqlalchemy.engine import Engine
from test_consultee_migration import alembic_on

from workflow.clock import FrozenClock
from workflow.models import User

MN = "modification_notice"


def test_downgrade_keeps_the_latest_modification_s_duty_and_cancels_the_rest(
    engine: Engine, work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = two_sign_offs_on_unforeseen_circumstances(work, clock, people)

    duties = text(
        "SELECT d.due_on, d.status, r.status, count(*) FROM deadlines d "
        "JOIN reminders r ON r.deadline_id = d.id WHERE d.case_id = :c AND d.kind = :k "
        "GROUP BY d.due_on, d.status, r.status ORDER BY d.due_on, r.status"
    )

    def seen(rows: object) -> list[tuple[str, str, str, int]]:
        return [(str(due), d, r, n) for due, d, r, n in rows]  # type: ignore[attr-defined]

    with alembic_on(engine) as (conn, config):
        before = seen(conn.execute(duties, {"c": case_id, "k": MN}))
        assert before == [
            ("2024-10-16", "open", "pending", 10),
            ("2024-11-13", "open", "pending", 10),
        ]
        command.stamp(config, "0017")
        command.downgrade(config, "0016")
        assert seen(conn.execute(duties, {"c": case_id, "k": MN})) == [
            ("2024-10-16", "cancelled", "cancelled", 10),
            ("2024-11-13", "open", "pending", 10),
        ]
        command.upgrade(config, "0017")
        conn.execute(text("DROP TABLE alembic_version"))
