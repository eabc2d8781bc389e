"""Issue 12, fault 6: a consultation counts by when it was held, not when it was recorded.

Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep; call-in ends Fri 13 Sep). A consultation
recorded on Tue 10 Sep but held on Wed 4 Sep, before Cabinet delegated anything, does not let
the delegate sign off on Mon 16 Sep; one held on 5 Sep, after the decision, does.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework import (
    CONSULTED_AT,
    SIGNED_AT,
    Work,
    case_of,
    new_case,
    sign_off_payload,
    to_active,
    to_delegated,
)

from workflow.clock import FrozenClock
from workflow.errors import TransitionRefused
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire
from workflow.models import User, pk
from workflow.schemas import ConsultationIn


def _consult(work: Work, people: dict[str, User], case_id: int, held_on: date) -> None:
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn(
                consultee_id=pk(people["cabinet_member"].id), consulted_on=held_on, response="Yes."
            ),
            people["executive"],
        )


def test_a_consultation_held_before_cabinets_decision_does_not_count(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    clock.travel_to(CONSULTED_AT)
    _consult(work, people, case_id, date(2024, 9, 4))
    clock.travel_to(SIGNED_AT)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert [g.name for g in refused.value.guards] == ["consultation_recorded"]
    assert "held on or after Thu 05 Sep 2024" in refused.value.guards[0].reason
    _consult(work, people, case_id, date(2024, 9, 5))  # after the meeting, the same day
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert case_of(ctx, case_id).state == "active"


def test_a_consultation_held_before_the_extension_was_asked_for_does_not_count(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Active to Mon 31 Mar 2025; the officer asks for six more months on Mon 3 Feb 2025.
    A consultation held on Fri 31 Jan 2025, recorded after, was about the last term."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_active(work, clock, people, case_id)
    clock.travel_to(SIGNED_AT.replace(year=2025, month=2, day=3))
    with work() as ctx:
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "More time."})
    clock.advance(timedelta(days=1))
    _consult(work, people, case_id, date(2025, 1, 31))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert [g.name for g in refused.value.guards] == ["consultation_recorded"]
    _consult(work, people, case_id, date(2025, 2, 3))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert case_of(ctx, case_id).term_end == date(2025, 9, 30)


def test_with_the_agreement_of_the_consultee_needs_their_agreement(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Issue 12, fault 8: a delegation "with the agreement of" the Cabinet Member is not
    satisfied by a consultation in which they did not agree."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id, consultee_must_agree=True)
    clock.travel_to(CONSULTED_AT)
    _consult(work, people, case_id, date(2024, 9, 10))
    clock.travel_to(SIGNED_AT)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert "with the agreement of" in refused.value.guards[0].reason
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn(
                consultee_id=pk(people["cabinet_member"].id),
                consulted_on=date(2024, 9, 16),
                response="I agree.",
                agreed=True,
            ),
            people["cabinet_member"],
        )
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert case_of(ctx, case_id).state == "active"
