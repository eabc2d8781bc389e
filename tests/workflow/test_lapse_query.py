"""Issue 12: the scheduler's ``lapse_due`` selects, by one indexed query, only the cases whose
envelope's time has passed, instead of reading every case in delegated approval each pass.

Cases approved on Thu 5 Sep 2024 for a first term from Tue 1 Oct 2024 wait in delegated
approval; one has a later start (Fri 1 Nov). On Wed 2 Oct only those from 1 Oct are due.
"""

from __future__ import annotations

from datetime import date

from casework import (
    APPROVED_AT,
    GROUND,
    Work,
    approve_payload,
    case_of,
    london,
    new_case,
    to_cabinet,
    to_delegated,
)
from sqlalchemy.engine import Engine
from statements import counting

from workflow.clock import FrozenClock
from workflow.lifecycle.events import fire, lapse_due
from workflow.models import User
from workflow.schemas import ProposalIn


def test_lapse_due_reads_only_the_cases_due(
    engine: Engine, work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    later = ProposalIn(start_date=date(2024, 11, 1), initial_months=6, max_months=12, ground=GROUND)
    with work() as ctx:
        due = [new_case(ctx, people) for _ in range(2)]
        waiting = [new_case(ctx, people, proposal=later) for _ in range(3)]
    for case_id in due + waiting:
        to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    for case_id in due + waiting:
        with work() as ctx:
            fire(ctx, case_id, "approve", people["clerk"], approve_payload(people))
    with work() as ctx:
        assert case_of(ctx, due[0]).lapses_after == date(2024, 10, 1)
        assert case_of(ctx, waiting[0]).lapses_after == date(2024, 11, 1)
    clock.travel_to(london(2024, 10, 1, 7))
    with work() as ctx, counting(engine) as statements:
        assert lapse_due(ctx, people["system"]) == []
    sent = [s for s in statements if not s.startswith("BEGIN")]  # SQLite's write lock
    assert len(sent) == 1  # the one query, and no case read: none is due yet
    assert "lapses_after <" in sent[0] and sent[0].startswith("SELECT cases.id")
    clock.travel_to(london(2024, 10, 2, 7))
    with work() as ctx, counting(engine) as statements:
        assert lapse_due(ctx, people["system"]) == due
    # One selecting query; the rest is the two lapses' own writes, none for the three waiting.
    assert len([s for s in statements if "lapses_after <" in s]) == 1
    with work() as ctx:
        assert [case_of(ctx, c).state for c in due] == ["lapsed", "lapsed"]
        assert case_of(ctx, due[0]).lapses_after is None  # left delegated approval
        assert {case_of(ctx, c).state for c in waiting} == {"delegated_approval"}


def test_cabinets_own_term_to_start_never_lapses(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Cabinet approved its own first six months: the case waits for call-in to end, and is
    no candidate for ``lapse_due``."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id, cabinet_months=6)
    with work() as ctx:
        assert case_of(ctx, case_id).lapses_after is None  # Cabinet's own term does not lapse
