"""Issue 12, fault 7 (officer key decisions) and fault 3: scrutiny refers a delegate's key
decision to full Council, and the delegate cannot decline a decision already made and
published for call-in.

Sefton-like: Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep, call-in over Fri 13 Sep) and
itself approved the first six months, which started on Mon 16 Sep (1 Oct 2024 to 31 Mar
2025); the further six are delegated. On Mon 2 Dec the officer asks for them and the delegate
consults the Cabinet Member; on Mon 9 Dec the delegate signs off six months from 1 Apr 2025, a
key decision by this council's policy and subject to call-in until Mon 16 Dec (five working
days). Scrutiny calls it in on Wed 11 Dec and, meeting on Fri 13 Dec, refers it to full
Council (LGA 2000 s.9F(4)(b)), which is to meet within ten working days: by Tue 31 Dec 2024
(Christmas Day and Boxing Day are not working days). Council meets on Wed 18 Dec.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import (
    Work,
    allowed,
    audit_events,
    case_of,
    consult,
    deadline_kinds,
    london,
    new_case,
    sign_off_payload,
    to_delegated,
)
from sqlalchemy.engine import Engine

from scheduler.expiry import expire_overdue
from workflow.clock import FrozenClock
from workflow.errors import TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.events import fire
from workflow.lifecycle.procurement_notices import owed_now
from workflow.models import User
from workflow.schemas import CallInIn, ProposalIn
from workflow.settings import Settings

REASON = CallInIn(reason="The further six months are not value for money.")
REFERRAL = {"met_on": "2024-12-13", "reasons": "Full Council should consider the cost."}
COUNCIL = {
    "met_on": "2024-12-18",
    "resolution": "The Council does not object to the Executive Director's decision.",
    "reasons": "The budget allows it.",
}
FURTHER = (date(2025, 4, 1), date(2025, 9, 30))  # the delegate's further six months


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminder_channels=["log"], officer_key_decisions_call_in=True
    )


def _further_term_signed_off(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
    **case_fields: Any,
) -> int:
    """Cabinet's six months running, the delegate's further six signed off on Mon 9 Dec 2024
    and awaiting call-in."""
    with work() as ctx:
        case_id = new_case(ctx, people, forward_plan_published_on=date(2024, 7, 1), **case_fields)
    to_delegated(work, clock, people, case_id, cabinet_months=6)
    clock.travel_to(london(2024, 9, 16, 7))
    expire_overdue(engine, clock, settings)  # call-in over: Cabinet's own term starts
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("active", date(2025, 3, 31))
    # This council treats a sign-off above its threshold as a key decision: £50,000 a year
    # for six months reaches £20,000 (set after Cabinet, whose decision was not a key one).
    settings.sign_off_above_threshold_is_key_decision = True
    settings.key_decision_threshold_pence = 20_000 * 100
    clock.travel_to(london(2024, 12, 2))
    with work() as ctx:
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "Re-procuring."})
        consult(ctx, people, case_id)
    clock.travel_to(london(2024, 12, 9))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("delegated_approval", date(2025, 3, 31))
        officer = load(ctx, case).officer_decision
        assert officer is not None and officer.call_in_ends_on == date(2024, 12, 16)
    return case_id


def _referred_to_council(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
    **case_fields: Any,
) -> int:
    case_id = _further_term_signed_off(engine, work, clock, people, settings, **case_fields)
    clock.travel_to(london(2024, 12, 11))
    with work() as ctx:
        fire(ctx, case_id, "call_in", people["scrutiny"], REASON)
    clock.travel_to(london(2024, 12, 13, 18))
    with work() as ctx:
        fire(ctx, case_id, "refer_to_council", people["clerk"], REFERRAL)
    return case_id


def test_scrutiny_refers_the_delegates_key_decision_to_full_council(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _referred_to_council(engine, work, clock, people, settings)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert case.state == "council_consideration"
        assert deadline_kinds(ctx, case_id)["council_decision"] == {date(2024, 12, 31)}
        officer = load(ctx, case).officer_decision
        assert officer is not None and officer.call_in_outcome == "referred_to_council"
        assert {a.end_date for a in load(ctx, case).agreements} == {date(2025, 3, 31)}
    # Nothing happens to it at the scheduler's pass after its call-in period.
    clock.travel_to(london(2024, 12, 17, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "council_consideration"


def test_full_council_lets_it_stand_and_the_signed_off_term_starts(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _referred_to_council(engine, work, clock, people, settings)
    clock.travel_to(london(2024, 12, 18, 21))
    with work() as ctx:
        fire(ctx, case_id, "council_decides", people["clerk"], COUNCIL)
        case = case_of(ctx, case_id)
        # Active at once with the delegate's term: not back to delegated approval idle.
        assert (case.state, case.term_start, case.term_end) == ("active", *FURTHER)
        bundle = load(ctx, case)
        assert {a.end_date for a in bundle.agreements} == {FURTHER[1]}
        signed = bundle.sign_offs[-1]
        assert (signed.call_in_outcome, signed.implemented_on) == (
            "council_decided",
            date(2024, 12, 18),
        )
        assert bundle.officer_decision is None and bundle.months_left == 0
        kinds = deadline_kinds(ctx, case_id)
        assert "council_decision" not in kinds and kinds["agreement_end"] == {FURTHER[1]}
        last = audit_events(ctx, case_id)[-1]
        assert (last.event, last.from_state, last.to_state) == (
            "council_decides",
            "council_consideration",
            "active",
        )
        assert last.data["sign_off_id"] == signed.id
    # The scheduler's next pass finds nothing more to start.
    clock.travel_to(london(2024, 12, 19, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).term_end == FURTHER[1]


def test_full_council_refers_it_back_to_the_delegate_not_to_cabinet(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _referred_to_council(engine, work, clock, people, settings)
    clock.travel_to(london(2024, 12, 18, 21))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(
            ctx,
            case_id,
            "council_refers_back",
            people["clerk"],
            {**COUNCIL, "met_on": "2024-12-12"},
        )
    assert [g.name for g in refused.value.guards] == ["council_met_after_referral"]
    with work() as ctx:
        fire(ctx, case_id, "council_refers_back", people["clerk"], COUNCIL)
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("delegated_approval", date(2025, 3, 31))
        bundle = load(ctx, case)
        assert bundle.officer_decision is None and bundle.months_left == 6  # void
        assert bundle.sign_offs[-1].call_in_outcome == "council_referred_back"
        assert "sign_off_due" in deadline_kinds(ctx, case_id)
    # Fri 20 Dec: the delegate reconsiders with Council's view; not called in twice.
    clock.travel_to(london(2024, 12, 20))
    with work() as ctx:
        assert "call_in" not in allowed(ctx, case_id, people["scrutiny"])
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == ("active", *FURTHER)


def test_the_delegate_cannot_decline_a_decision_awaiting_call_in(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _further_term_signed_off(engine, work, clock, people, settings)
    clock.travel_to(london(2024, 12, 10))
    for event in ("decline_further", "decline"):
        with work() as ctx, pytest.raises(TransitionRefused) as refused:
            fire(ctx, case_id, event, people["executive"], {"reasons": "Changed my mind."})
        failures = {g.name: g.reason for g in refused.value.guards}
        reason = failures["no_decision_awaiting_call_in"]
        assert "signed off on Mon 09 Dec 2024" in reason
        assert "call-in ends on Mon 16 Dec 2024" in reason and "referred back to you" in reason
    with work() as ctx:
        assert not {"decline", "decline_further"} & set(allowed(ctx, case_id, people["executive"]))
    # Scrutiny took no further action: it takes effect, still not to be declined.
    with work() as ctx:
        fire(ctx, case_id, "call_in", people["scrutiny"], REASON)
        fire(
            ctx, case_id, "no_further_action", people["clerk"], {**REFERRAL, "met_on": "2024-12-10"}
        )
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "decline_further", people["executive"], {"reasons": "No."})
    assert "scrutiny took no further action" in str(refused.value.guards)


def test_referred_back_the_delegate_may_decline_the_further_term(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _referred_to_council(engine, work, clock, people, settings)
    _council_refers_back_and_the_delegate_declines(work, clock, people, case_id)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("active", date(2025, 3, 31))


def _council_refers_back_and_the_delegate_declines(
    work: Work, clock: FrozenClock, people: dict[str, User], case_id: int
) -> None:
    """Council, meeting Wed 18 Dec 2024, refers the decision back to the delegate, who on
    Fri 20 Dec declines the further term."""
    clock.travel_to(london(2024, 12, 18, 21))
    with work() as ctx:
        fire(ctx, case_id, "council_refers_back", people["clerk"], COUNCIL)
    clock.travel_to(london(2024, 12, 20))
    with work() as ctx:
        fire(ctx, case_id, "decline_further", people["executive"], {"reasons": "Council's view."})


def test_a_first_term_awaiting_call_in_neither_declines_nor_lapses(
    work: Work, clock: FrozenClock, people: dict[str, User], settings: Settings
) -> None:
    """No Cabinet months: the delegate's first six months from 1 Oct 2024, signed off on Mon
    16 Sep 2024, await call-in until Mon 23 Sep; on Wed 2 Oct, the day after it would have
    started, the scheduler's ``lapse`` is refused too (the decision starts at its pass)."""
    with work() as ctx:
        case_id = new_case(ctx, people, forward_plan_published_on=date(2024, 7, 1))
    to_delegated(work, clock, people, case_id)
    clock.travel_to(london(2024, 9, 10))
    with work() as ctx:
        consult(ctx, people, case_id)
    settings.sign_off_above_threshold_is_key_decision = True
    settings.key_decision_threshold_pence = 20_000 * 100
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    clock.travel_to(london(2024, 9, 18))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "decline", people["executive"], {"reasons": "No."})
    assert [g.name for g in refused.value.guards] == ["no_decision_awaiting_call_in"]
    clock.travel_to(london(2024, 10, 2))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "lapse", people["system"])
    assert [g.name for g in refused.value.guards] == ["time_to_use_envelope_passed"]
    with work() as ctx:
        assert case_of(ctx, case_id).state == "delegated_approval"


def test_a_sign_off_council_referred_back_owes_no_procurement_notice(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    """Council's referral back voids the sign-off (LGA 2000 s.9F(4)(a)) as scrutiny's does: once
    the delegate declines the further term, no PCR 2015 reg 72(3) notice (owed for a
    modification on ground 72(1)(c)) is owed for the term from 1 Apr 2025, while Cabinet's own
    term from 1 Oct 2024 still owes its own."""
    unforeseen = ProposalIn.model_validate(
        {
            "start_date": date(2024, 10, 1),
            "initial_months": 6,
            "max_months": 12,
            "ground": "unforeseeable",
        }
    )
    case_id = _referred_to_council(engine, work, clock, people, settings, proposal=unforeseen)
    with work() as ctx:
        owed = owed_now(ctx, load(ctx, case_of(ctx, case_id)))
        assert {d.modification for d in owed if d.kind == "modification_notice"} == {
            date(2024, 10, 1),
            date(2025, 4, 1),
        }
    _council_refers_back_and_the_delegate_declines(work, clock, people, case_id)
    with work() as ctx:
        owed = owed_now(ctx, load(ctx, case_of(ctx, case_id)))
        assert {d.modification for d in owed if d.kind == "modification_notice"} == {
            date(2024, 10, 1)
        }
