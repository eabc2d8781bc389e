"""Issue 12, fault 7: a called-in decision scrutiny refers to full Council waits for Council's
decision, which democratic services record (LGA 2000 s.9F(4)(b)).

Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep; call-in ends Fri 13 Sep). Scrutiny called
it in on Mon 9 Sep and, meeting on Wed 11 Sep, referred it to full Council. Council is to decide
within ten working days: by Wed 25 Sep 2024. It either lets the decision stand (it takes effect
at once, with no second call-in) or refers it back to Cabinet with its view.
"""

from __future__ import annotations

from datetime import date

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

from workflow.clock import FrozenClock
from workflow.errors import TransitionRefused
from workflow.lifecycle.events import fire
from workflow.models import User
from workflow.schemas import CallInIn

REFERRAL = {"met_on": "2024-09-11", "reasons": "The decision is contrary to the budget."}
COUNCIL = {
    "met_on": "2024-09-24",
    "resolution": "The Council does not object to Cabinet's decision.",
    "reasons": "The budget allows it.",
}


def _referred(work: Work, clock: FrozenClock, people: dict[str, User]) -> int:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    clock.travel_to(london(2024, 9, 9))
    with work() as ctx:
        fire(ctx, case_id, "call_in", people["scrutiny"], CallInIn(reason="Budget."))
    clock.travel_to(london(2024, 9, 11, 18))
    with work() as ctx:
        fire(ctx, case_id, "refer_to_council", people["clerk"], REFERRAL)
    return case_id


def test_a_referral_waits_for_full_council_with_its_meeting_due(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = _referred(work, clock, people)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "council_consideration"  # not back at Cabinet
        assert deadline_kinds(ctx, case_id)["council_decision"] == {date(2024, 9, 25)}
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx, pytest.raises(TransitionRefused):
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))


def test_council_lets_the_decision_stand_and_it_takes_effect_at_once(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = _referred(work, clock, people)
    clock.travel_to(london(2024, 9, 24, 21))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "council_decides", people["clerk"], {**COUNCIL, "met_on": "2024-09-10"})
    assert [g.name for g in refused.value.guards] == ["council_met_after_referral"]
    with work() as ctx:
        fire(ctx, case_id, "council_decides", people["clerk"], COUNCIL)
        assert case_of(ctx, case_id).state == "delegated_approval"
        assert "council_decision" not in deadline_kinds(ctx, case_id)
        last = audit_events(ctx, case_id)[-1]
        assert last.event == "council_decides"
        assert last.data["payload"]["resolution"] == COUNCIL["resolution"]
    clock.travel_to(london(2024, 9, 25))
    with work() as ctx:
        consult(ctx, people, case_id)
        assert "call_in" not in allowed(ctx, case_id, people["scrutiny"])  # not twice
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert case_of(ctx, case_id).state == "active"


def test_council_refers_it_back_and_cabinet_reconsiders_without_a_second_call_in(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = _referred(work, clock, people)
    clock.travel_to(london(2024, 9, 24, 21))
    with work() as ctx:
        fire(ctx, case_id, "council_refers_back", people["clerk"], COUNCIL)
        assert case_of(ctx, case_id).state == "cabinet_consideration"
    clock.travel_to(london(2024, 9, 27))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "approve",
            people["clerk"],
            {
                "resolution": "Approved again, having considered the Council's view.",
                "decided_on": date(2024, 9, 5),
                "notice_published_on": date(2024, 9, 27),
                "delegate_id": people["executive"].id,
                "max_months": 12,
            },
        )
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "call_in", people["scrutiny"], CallInIn(reason="Again."))
    assert "cannot be called in twice" in str(refused.value.guards)
