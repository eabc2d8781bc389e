"""Issue 12, fault 7 (its last part): officer key decisions called in where the constitution
says so (``officer_key_decisions_call_in``).

Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep; its call-in ended Fri 13 Sep). The
Cabinet Member was consulted on Tue 10 Sep. On Mon 16 Sep the delegate signs off six months from
1 Oct 2024, a key decision by this council's policy: it is subject to call-in until Mon 23 Sep,
five working days, and only then does its term start (Tue 24 Sep, the scheduler's pass).
"""

from __future__ import annotations

from datetime import date

import pytest
from casework import (
    SIGNED_AT,
    Work,
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
from workflow.councils.councils import create_council
from workflow.errors import TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.events import fire
from workflow.models import User
from workflow.schemas import CallInIn, CouncilIn
from workflow.settings import Settings

REASON = CallInIn(reason="The delegate has not shown value for money.")
OUTCOME = {"met_on": "2024-09-20", "reasons": "The committee heard the Executive Director."}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminder_channels=["log"], officer_key_decisions_call_in=True
    )


def _signed_off(work: Work, clock: FrozenClock, people: dict[str, User], settings: Settings) -> int:
    """The case signed off on Mon 16 Sep 2024, a key decision subject to call-in."""
    with work() as ctx:
        case_id = new_case(ctx, people, forward_plan_published_on=date(2024, 7, 1))
    to_delegated(work, clock, people, case_id)
    clock.travel_to(london(2024, 9, 10))
    with work() as ctx:
        consult(ctx, people, case_id)
    # This council treats a sign-off above its threshold as a key decision: £50,000 a year
    # for six months reaches £20,000 (set after Cabinet, whose decision was not a key one).
    settings.sign_off_above_threshold_is_key_decision = True
    settings.key_decision_threshold_pence = 20_000 * 100
    clock.travel_to(SIGNED_AT)
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    return case_id


def test_an_officer_key_decision_waits_for_call_in_before_its_term_starts(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _signed_off(work, clock, people, settings)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_end) == ("delegated_approval", None)
        bundle = load(ctx, case)
        assert bundle.officer_decision is not None
        assert bundle.officer_decision.call_in_ends_on == date(2024, 9, 23)
        assert {a.end_date for a in bundle.agreements} == {date(2024, 9, 30)}
        kinds = deadline_kinds(ctx, case_id)
        assert kinds["call_in_end"] == {date(2024, 9, 23)}
        assert "sign_off_due" not in kinds
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert "no_officer_decision_waiting" in [g.name for g in refused.value.guards]
    clock.travel_to(london(2024, 9, 23, 18))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "delegated_approval"
    clock.travel_to(london(2024, 9, 24, 7))
    expire_overdue(engine, clock, settings)  # the scheduler's pass: its term starts
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            date(2024, 10, 1),
            date(2025, 3, 31),
        )
        assert {a.end_date for a in load(ctx, case).agreements} == {date(2025, 3, 31)}


def test_scrutiny_refers_it_back_and_the_reconsidered_decision_takes_effect(
    work: Work, clock: FrozenClock, people: dict[str, User], settings: Settings
) -> None:
    case_id = _signed_off(work, clock, people, settings)
    clock.travel_to(london(2024, 9, 19))
    with work() as ctx:
        fire(ctx, case_id, "call_in", people["scrutiny"], REASON)
        assert case_of(ctx, case_id).state == "called_in"
    with work() as ctx:
        fire(ctx, case_id, "refer_back_to_decision_maker", people["clerk"], OUTCOME)
        case = case_of(ctx, case_id)
        assert case.state == "delegated_approval"  # back to the delegate, not to Cabinet
        bundle = load(ctx, case)
        assert bundle.officer_decision is None and bundle.months_used == 0
        assert "sign_off_due" in deadline_kinds(ctx, case_id)
    clock.travel_to(london(2024, 9, 26))
    with work() as ctx:
        consult(ctx, people, case_id)
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        case = case_of(ctx, case_id)  # reconsidered: not called in twice
        assert (case.state, case.term_end) == ("active", date(2025, 3, 31))


def test_no_further_action_lets_it_take_effect_at_once(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    case_id = _signed_off(work, clock, people, settings)
    clock.travel_to(london(2024, 9, 17))
    with work() as ctx:
        fire(ctx, case_id, "call_in", people["scrutiny"], REASON)
    clock.travel_to(london(2024, 9, 18))
    with work() as ctx:
        fire(ctx, case_id, "no_further_action", people["clerk"], OUTCOME)
    expire_overdue(engine, clock, settings)  # Wed 18 Sep, not Tue 24 Sep
    with work() as ctx:
        assert case_of(ctx, case_id).state == "active"


def test_without_the_setting_the_sign_off_takes_effect_at_once(
    work: Work, clock: FrozenClock, people: dict[str, User], settings: Settings
) -> None:
    settings.officer_key_decisions_call_in = False
    case_id = _signed_off(work, clock, people, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "active"


def test_another_councils_pass_leaves_the_decision_to_its_own_council(
    engine: Engine,
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    settings: Settings,
) -> None:
    """The scheduler's pass runs council by council (issue 10): on Tue 24 Sep 2024, Oldham's
    pass neither finds nor trips over this council's decision whose call-in is over; this
    council's own pass starts its term."""
    case_id = _signed_off(work, clock, people, settings)
    with work() as ctx:
        home = case_of(ctx, case_id).council_id
        other, _, _ = create_council(ctx, CouncilIn(name="Oldham", slug="oldham"), None)
    clock.travel_to(london(2024, 9, 24, 7))
    expire_overdue(engine, clock, settings, other.id)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "delegated_approval"
    expire_overdue(engine, clock, settings, home)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "active"
