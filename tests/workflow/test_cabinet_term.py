"""Issue 12, fault 1: Cabinet's own term, and decisions with no delegation.

Sefton as decided: Cabinet (Thu 5 Sep 2024, notice Fri 6 Sep) itself approved the first six
months from 1 Oct 2024; the Executive Director may approve only the further six. Call-in ends
Fri 13 Sep; the scheduler starts Cabinet's term on Mon 16 Sep, the next working day. Oldham's
decision delegated nothing: the case goes active on Cabinet's term alone.
"""

from __future__ import annotations

from datetime import date

import pytest
from casework import (
    APPROVED_AT,
    SIGNED_AT,
    Work,
    allowed,
    approve_payload,
    audit_events,
    case_of,
    consult,
    deadline_kinds,
    london,
    new_case,
    sign_off_payload,
    to_cabinet,
)
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.expiry import expire_overdue
from workflow.clock import FrozenClock
from workflow.errors import InvalidInput, TransitionRefused
from workflow.lifecycle.events import fire
from workflow.models import Delegation, User
from workflow.settings import Settings


def _approve(work: Work, clock: FrozenClock, people: dict[str, User], **body: object) -> int:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        fire(ctx, case_id, "approve", people["clerk"], approve_payload(people, **body))
    return case_id


def test_cabinets_six_months_then_the_delegates_further_six(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    case_id = _approve(work, clock, people, cabinet_months=6, max_months=12)
    with work() as ctx:
        delegation = (
            ctx.session.exec(select(Delegation).where(Delegation.case_id == case_id)).unique().one()
        )
        assert (delegation.max_months, delegation.latest_end_date) == (6, date(2025, 9, 30))
        kinds = deadline_kinds(ctx, case_id)
        assert "sign_off_due" not in kinds  # nobody signs off Cabinet's own months
        assert kinds["call_in_end"] == {date(2024, 9, 13)}
    clock.travel_to(london(2024, 9, 13, 7))  # the last day of call-in
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "delegated_approval"
        consult(ctx, people, case_id)
    clock.travel_to(SIGNED_AT)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert [g.name for g in refused.value.guards] == ["term_is_delegated"]
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "decline", people["executive"], {"reasons": "No."})
    assert [g.name for g in refused.value.guards] == ["no_term_signed_off"]
    expire_overdue(engine, clock, settings)  # Mon 16 Sep: the decision may be implemented
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            date(2024, 10, 1),
            date(2025, 3, 31),
        )
        last = audit_events(ctx, case_id)[-1]
        assert (last.event, last.from_state, last.to_state) == (
            "implement",
            "delegated_approval",
            "active",
        )
        assert last.actor_id == people["system"].id
        assert allowed(ctx, case_id, people["officer"]) == ["extend"]
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "extend", people["officer"], {"months": 7, "reasons": "More."})
    assert [g.name for g in refused.value.guards] == ["extension_within_envelope"]
    clock.travel_to(london(2025, 2, 3))
    with work() as ctx:
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "Further six."})
    with work() as ctx:
        consult(ctx, people, case_id)
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("active", date(2025, 9, 30))
        assert allowed(ctx, case_id, people["officer"]) == []  # the envelope is used up


def test_a_decision_with_no_delegation_goes_active_on_cabinets_term_alone(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    case_id = _approve(work, clock, people, delegate_id=None, consultee_id=None, cabinet_months=12)
    with work() as ctx:
        assert (
            ctx.session.exec(select(Delegation).where(Delegation.case_id == case_id)).unique().all()
            == []
        )
        assert allowed(ctx, case_id, people["executive"]) == []
    clock.travel_to(SIGNED_AT)
    assert expire_overdue(engine, clock, settings) == []
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("active", date(2025, 9, 30))
        assert allowed(ctx, case_id, people["officer"]) == []
        assert "extension_option_decision" not in deadline_kinds(ctx, case_id)


def test_a_decision_needs_a_term_of_its_own_or_a_delegate(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx, pytest.raises(InvalidInput):
        fire(
            ctx,
            case_id,
            "approve",
            people["clerk"],
            approve_payload(people, delegate_id=None, consultee_id=None),
        )
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(
            ctx,
            case_id,
            "approve",
            people["clerk"],
            approve_payload(people, cabinet_months=12, max_months=12),
        )
    assert [g.name for g in refused.value.guards] == ["delegation_beyond_cabinet_term"]
