"""Issue 12, fault 8: a delegation "in consultation with" (or "with the agreement of") more
than one consultee.

Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep; call-in ends Fri 13 Sep), delegating to
the Executive Director in consultation with the Cabinet Member for Adult Social Care and the
Cabinet Member for Finance. On Mon 16 Sep the sign-off is refused while only one of them has
been consulted; once both have, it goes through, and the officer's record lists both with
their interests.
"""

from __future__ import annotations

from datetime import date

import pytest
from casework import SIGNED_AT, Work, case_of, london, new_case, sign_off_payload, to_delegated

from workflow import demo
from workflow.clock import FrozenClock
from workflow.deadlines.lists import calendar_deadlines
from workflow.errors import Forbidden, InvalidInput, TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.consultations import record_consultation, still_to_consult
from workflow.lifecycle.events import fire
from workflow.lifecycle.exempt import entitled_to_case
from workflow.lifecycle.read import CaseScope
from workflow.models import User, pk
from workflow.schemas import ApproveIn, ConsultationIn


@pytest.fixture
def finance(work: Work, people: dict[str, User]) -> User:
    with work() as ctx:
        cast = demo.Demo()
        more = [
            demo.DemoPerson(
                "finance_member",
                "Cllr Fin Finance (Cabinet Member for Finance)",
                "fin.finance@sefton.example.gov.uk",
                ["cabinet_member"],
            )
        ]
        demo.load_people(ctx, people["admin"], more, cast)
        return cast.users["finance_member"]


def _consult(work: Work, who: User, by: User, case_id: int, held_on: date, **extra: object) -> None:
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn.model_validate(
                {"consultee_id": pk(who.id), "consulted_on": held_on, "response": "Yes.", **extra}
            ),
            by,
        )


def test_every_named_consultee_is_consulted_before_sign_off(
    work: Work, clock: FrozenClock, people: dict[str, User], finance: User
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id, consultee_ids=[finance.id])
    member = people["cabinet_member"]
    clock.travel_to(london(2024, 9, 10))
    _consult(work, member, people["executive"], case_id, date(2024, 9, 10))
    clock.travel_to(SIGNED_AT)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert [g.name for g in refused.value.guards] == ["consultation_recorded"]
    assert finance.name in refused.value.guards[0].reason
    assert member.name not in refused.value.guards[0].reason
    # The finance member records their own consultation, with an interest declared; one held
    # on Wed 4 Sep, before Cabinet's decision, would not count.
    _consult(work, finance, finance, case_id, date(2024, 9, 4))
    with work() as ctx, pytest.raises(TransitionRefused):
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    _consult(work, finance, finance, case_id, date(2024, 9, 16), conflicts_of_interest="A relative")
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert case_of(ctx, case_id).state == "active"
        record = CaseScope(ctx, people["clerk"]).decision_record(load(ctx, case_of(ctx, case_id)))
    assert [c.consultee_id for c in record.consultees or []] == [member.id, finance.id]
    assert record.consultee is not None and record.consultee.consultee_id == member.id
    assert [c.conflicts_of_interest for c in record.consultees or []] == [
        "None declared",
        "A relative",
    ]
    assert [c.consulted_on for c in record.consultees or []] == [
        date(2024, 9, 10),
        date(2024, 9, 16),
    ]


def test_with_the_agreement_of_every_consultee(
    work: Work, clock: FrozenClock, people: dict[str, User], finance: User
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(
        work,
        clock,
        people,
        case_id,
        consultee_id=None,
        consultee_ids=[people["cabinet_member"].id, finance.id],
        consultee_must_agree=True,
    )
    clock.travel_to(SIGNED_AT)
    _consult(
        work, people["cabinet_member"], people["executive"], case_id, date(2024, 9, 16), agreed=True
    )
    _consult(work, finance, people["executive"], case_id, date(2024, 9, 16), agreed=False)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    assert f"with the agreement of {finance.name}" in refused.value.guards[0].reason
    _consult(work, finance, people["executive"], case_id, date(2024, 9, 16), agreed=True)
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))


def test_each_consultee_sees_the_case_and_records_only_their_own(
    work: Work, clock: FrozenClock, people: dict[str, User], finance: User
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id, consultee_ids=[finance.id])
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        assert bundle.delegation is not None
        assert bundle.delegation.consultees() == [people["cabinet_member"].id, finance.id]
        assert entitled_to_case(finance, bundle.case.author_id, bundle.delegation)
        view = CaseScope(ctx, finance).one(bundle)
        assert view.delegation is not None
        assert view.delegation.consultee_ids == [people["cabinet_member"].id, finance.id]
    with pytest.raises(Forbidden):
        _consult(work, people["cabinet_member"], finance, case_id, date(2024, 9, 6))
    with pytest.raises(InvalidInput, match="cannot be recorded") as refused:
        _consult(work, people["viewer"], people["executive"], case_id, date(2024, 9, 6))
    (problem,) = refused.value.problems
    assert problem.field == "consultee_id"
    assert problem.message.startswith(f"user {people['viewer'].id} is not a consultee")


def test_who_is_still_to_consult_and_whose_calendar_holds_the_case(
    work: Work, clock: FrozenClock, people: dict[str, User], finance: User
) -> None:
    """On Tue 10 Sep 2024 the delegate has consulted the Finance member: the Cabinet Member for
    Adult Social Care is left. Both consultees' calendars hold the case's deadlines."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id, consultee_ids=[finance.id])
    member, executive = people["cabinet_member"], people["executive"]
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        assert [u.id for u in still_to_consult(ctx, bundle, executive)] == [member.id, finance.id]
    clock.travel_to(london(2024, 9, 10))
    _consult(work, finance, executive, case_id, date(2024, 9, 10))
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        assert [u.id for u in still_to_consult(ctx, bundle, executive)] == [member.id]
        assert [u.id for u in still_to_consult(ctx, bundle, member)] == [member.id]
        assert still_to_consult(ctx, bundle, finance) == []  # consulted already
        assert still_to_consult(ctx, bundle, people["viewer"]) == []
        for consultee in (member, finance):
            assert case_id in {d.case_id for d, _ in calendar_deadlines(ctx, consultee)}
        assert case_id not in {d.case_id for d, _ in calendar_deadlines(ctx, people["viewer"])}


def test_consultee_id_alone_still_works_and_each_consultee_must_be_a_cabinet_member(
    people: dict[str, User],
) -> None:
    body = {
        "resolution": "Approve.",
        "decided_on": "2024-09-05",
        "notice_published_on": "2024-09-06",
        "delegate_id": 1,
        "consultee_id": 7,
        "consultee_ids": [9, 7],
    }
    assert ApproveIn.model_validate(body).named_consultees() == [7, 9]
    assert ApproveIn.model_validate({**body, "consultee_ids": []}).named_consultees() == [7]
    with pytest.raises(ValueError, match="only with a delegate"):
        ApproveIn.model_validate(
            {**body, "delegate_id": None, "cabinet_months": 6, "consultee_id": None}
        )


def test_a_consultee_who_is_no_cabinet_member_is_refused(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    with pytest.raises(TransitionRefused) as refused:
        to_delegated(work, clock, people, case_id, consultee_ids=[people["viewer"].id])
    assert [g.name for g in refused.value.guards] == ["consultee_is_cabinet_member"]
