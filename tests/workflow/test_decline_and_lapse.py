"""Issue 12, fault 3: a case cannot be stuck in delegated approval.

The delegate may decline (with reasons): with nothing signed off the case ends ``declined``;
with a term running, ``decline_further`` returns it to ``active`` with its current end. The
envelope lapses unused once the day its next term would have started has passed; the
scheduler's pass fires ``lapse`` through the domain. Every way out closes the case's pending
duties, so no escalation runs forever.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework import (
    CONSULTED_AT,
    Work,
    audit_events,
    case_of,
    deadline_kinds,
    london,
    new_case,
    reminders_of,
    to_active,
    to_delegated,
)
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.expiry import expire_overdue
from workflow.clock import FrozenClock
from workflow.errors import Forbidden, TransitionRefused
from workflow.lifecycle.events import fire
from workflow.lifecycle.machine import describe
from workflow.models import Reminder, User
from workflow.settings import Settings

REASONS = {"reasons": "The procurement has concluded early; no further term is needed."}


def _pending_reminders(work: Work, case_id: int) -> int:
    with work() as ctx:
        rows = ctx.session.exec(
            select(Reminder).where(Reminder.case_id == case_id, Reminder.status == "pending")
        ).all()
        return len(rows)


def test_the_delegate_declines_before_any_term_and_the_case_ends(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        assert "sign_off_due" in deadline_kinds(ctx, case_id)
        assert reminders_of(ctx, case_id, "sign_off_due")
    with work() as ctx, pytest.raises(Forbidden):
        fire(ctx, case_id, "decline", people["other_executive"], REASONS)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "decline_further", people["executive"], REASONS)
    assert [f.name for f in refused.value.guards] == ["term_running"]
    with work() as ctx:
        fire(ctx, case_id, "decline", people["executive"], REASONS)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "declined"
        assert deadline_kinds(ctx, case_id) == {}
        last = audit_events(ctx, case_id)[-1]
        assert (last.event, last.to_state) == ("decline", "declined")
        assert last.data["payload"]["reasons"] == REASONS["reasons"]
    assert _pending_reminders(work, case_id) == 0


def test_the_delegate_declines_further_months_and_the_term_runs_on(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_active(work, clock, people, case_id)
    with work() as ctx:
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "More time."})
    clock.travel_to(CONSULTED_AT + timedelta(days=40))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "decline", people["executive"], REASONS)
    assert [f.name for f in refused.value.guards] == ["no_term_signed_off"]
    with work() as ctx:
        fire(ctx, case_id, "decline_further", people["executive"], REASONS)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("active", date(2025, 3, 31))
        assert "sign_off_due" not in deadline_kinds(ctx, case_id)
        assert reminders_of(ctx, case_id, "sign_off_due") == []


def test_an_unused_envelope_lapses_through_the_scheduler(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    """Approved 5 Sep 2024 for a first term from Tue 1 Oct 2024 that nobody signs off: on
    1 Oct it could still start; on Wed 2 Oct the envelope has lapsed and the case ends."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    clock.travel_to(london(2024, 10, 1, 7))
    assert expire_overdue(engine, clock, settings) == []
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "lapse", people["system"])
    assert [f.name for f in refused.value.guards] == ["time_to_use_envelope_passed"]
    clock.travel_to(london(2024, 10, 2, 7))
    assert expire_overdue(engine, clock, settings) == [case_id]
    with work() as ctx:
        assert case_of(ctx, case_id).state == "lapsed"
        assert deadline_kinds(ctx, case_id) == {}
        last = audit_events(ctx, case_id)[-1]
        assert (last.event, last.from_state, last.to_state) == (
            "lapse",
            "delegated_approval",
            "lapsed",
        )
    assert _pending_reminders(work, case_id) == 0
    assert expire_overdue(engine, clock, settings) == []


def test_the_machine_table_names_the_new_ends() -> None:
    described = describe()
    assert {"declined", "lapsed"} <= set(described["end_states"])
    arrows = {(t["event"], t["source"], t["dest"]) for t in described["transitions"]}
    assert ("decline", "delegated_approval", "declined") in arrows
    assert ("decline_further", "delegated_approval", "active") in arrows
    assert ("lapse", "delegated_approval", "lapsed") in arrows
    assert "delegated_approval --> lapsed: lapse" in described["mermaid"]
