"""Issue 12, fault 7: call-in as scrutiny runs it.

Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep; call-in ends Fri 13 Sep). This council's
constitution asks for three members of the scrutiny committee: the first two requests are
recorded, the third calls the decision in. The committee then refers it back, or takes no
further action (the decision may be implemented at once); a decision reconsidered after a
call-in cannot be called in again.
"""

from __future__ import annotations

from datetime import date

import pytest
from casework import (
    Work,
    approve_payload,
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

from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.errors import InvalidInput, TransitionRefused
from workflow.lifecycle.call_in import request_call_in
from workflow.lifecycle.events import fire
from workflow.models import User
from workflow.schemas import CallInIn
from workflow.settings import Settings

REASON = CallInIn(reason="Value for money has not been shown.")
OUTCOME = {"met_on": "2024-09-11", "reasons": "The committee heard the Cabinet Member."}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, reminder_channels=["log"], call_in_members_needed=3)


@pytest.fixture
def members(work: Work, people: dict[str, User]) -> list[User]:
    more = [
        demo.DemoPerson(
            f"scrutiny_{n}", f"Cllr Scrutiny {n}", f"s{n}@sefton.example.gov.uk", ["scrutiny"]
        )
        for n in (2, 3)
    ]
    with work() as ctx:
        cast = demo.Demo()
        demo.load_people(ctx, people["admin"], more, cast)
        return [people["scrutiny"], cast.users["scrutiny_2"], cast.users["scrutiny_3"]]


def _state(ctx: Ctx, case_id: int) -> str:
    return case_of(ctx, case_id).state


def test_three_members_call_it_in_and_scrutiny_refers_it_back(
    engine: Engine, work: Work, clock: FrozenClock, people: dict[str, User], members: list[User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    clock.travel_to(london(2024, 9, 9))
    with work() as ctx:
        request_call_in(ctx, case_id, REASON, members[0])
    with work() as ctx, pytest.raises(InvalidInput):
        request_call_in(ctx, case_id, REASON, members[0])
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "call_in", members[1], REASON)
    assert [g.name for g in refused.value.guards] == ["enough_members_call_in"]
    assert "2 of the 3" in refused.value.guards[0].reason
    with work() as ctx:
        request_call_in(ctx, case_id, REASON, members[1])
        assert _state(ctx, case_id) == "delegated_approval"
    with work() as ctx:
        request_call_in(ctx, case_id, REASON, members[2])
    with work() as ctx:
        assert _state(ctx, case_id) == "called_in"
        trail = [(e.event, e.actor_id) for e in audit_events(ctx, case_id)][-3:]
        assert trail == [
            ("call_in_request", members[0].id),
            ("call_in_request", members[1].id),
            ("call_in", members[2].id),
        ]
        assert "call_in_end" not in deadline_kinds(ctx, case_id)
        fire(ctx, case_id, "refer_back_to_decision_maker", people["clerk"], OUTCOME)
    clock.travel_to(london(2024, 9, 12))
    with work() as ctx:
        assert _state(ctx, case_id) == "cabinet_consideration"
        reconsidered = approve_payload(
            people,
            decided_on=date(2024, 9, 12),
            notice_published_on=date(2024, 9, 12),
            adjourned_to=date(2024, 9, 12),
        )
        fire(ctx, case_id, "approve", people["clerk"], reconsidered)
    with work() as ctx:
        assert "call_in_end" not in deadline_kinds(ctx, case_id)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        request_call_in(ctx, case_id, REASON, members[0])
    assert "cannot be called in twice" in refused.value.guards[0].reason
    with work() as ctx:  # not subject to call-in: the delegate may act at once
        consult(ctx, people, case_id)
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert _state(ctx, case_id) == "active"


def test_no_further_action_lets_the_decision_be_implemented_at_once(
    work: Work, clock: FrozenClock, people: dict[str, User], members: list[User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    clock.travel_to(london(2024, 9, 9))
    with work() as ctx:
        consult(ctx, people, case_id)
    for member in members:
        with work() as ctx:
            request_call_in(ctx, case_id, REASON, member)
    clock.travel_to(london(2024, 9, 11))
    with work() as ctx, pytest.raises(TransitionRefused):
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    with work() as ctx:
        fire(ctx, case_id, "no_further_action", people["clerk"], OUTCOME)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        request_call_in(ctx, case_id, REASON, members[0])
    assert "already been called in" in refused.value.guards[0].reason
    with work() as ctx:  # Wed 11 Sep, before call-in would have ended on Fri 13 Sep
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert _state(ctx, case_id) == "active"
