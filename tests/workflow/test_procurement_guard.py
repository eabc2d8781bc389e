"""The ``lawful_modification`` guard on ``approve``, ``sign_off`` and ``extend`` (issue 9), the
``procurement`` part of a case's answer, and the seeds with their regimes recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import (
    APPROVED_AT,
    CONSULTED_AT,
    SIGNED_AT,
    Work,
    approve_payload,
    case_of,
    consult,
    new_case,
    sign_off_payload,
    snapshot,
    to_active,
    to_cabinet,
)

from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.errors import TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import events_allowed, fire
from workflow.lifecycle.read import CaseScope
from workflow.models import Agreement, ContractType, Ground, ProcurementRegime, User, pk
from workflow.procurement.grounds import CONTRACT_CHANGE_NOTICE, MODIFICATION_NOTICE
from workflow.procurement.verdict import assess
from workflow.register.agreements import update_procurement
from workflow.schemas import AgreementProcurementIn, ProposalIn


def set_facts(ctx: Ctx, people: dict[str, User], case_id: int, **facts: Any) -> None:
    for a in load(ctx, case_of(ctx, case_id)).agreements:
        update_procurement(
            ctx, pk(a.id), AgreementProcurementIn.model_validate(facts), people["clerk"]
        )


def refusal_of(ctx: Ctx, case_id: int, event: str, who: User, payload: dict[str, Any]) -> str:
    with pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, event, who, payload)
    reasons = {g.name: g.reason for g in refused.value.guards}
    assert "lawful_modification" in reasons, reasons
    return reasons["lawful_modification"]


def proposal(ground: str, max_months: int = 12) -> ProposalIn:
    return ProposalIn.model_validate(
        {
            "start_date": date(2024, 10, 1),
            "initial_months": 6,
            "max_months": max_months,
            "ground": ground,
        }
    )


def test_an_agreement_missing_its_facts_may_not_be_extended_until_they_are_known(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
        set_facts(ctx, people, case_id, award_max_months=None, contract_type=None)
        answer = CaseScope(ctx, people["officer"]).one(load(ctx, case_of(ctx, case_id)))
        assert [p.verdict for p in answer.procurement] == ["facts missing"] * 2
        assert answer.procurement[0].missing == ["contract_type", "award_max_months"]
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        before = snapshot(ctx, case_id)
        assert "approve" not in events_allowed(
            ctx, load(ctx, case_of(ctx, case_id)), people["clerk"]
        )
        reason = refusal_of(ctx, case_id, "approve", people["clerk"], approve_payload(people))
        assert "does not yet record goods, services or works, its maximum term on award" in reason
        assert "it may not be extended until they are known" in reason
        assert "1 more agreement" in reason
    with work() as ctx:
        assert snapshot(ctx, case_id) == before  # a refusal changes nothing
        set_facts(ctx, people, case_id, award_max_months=48, contract_type="services")
    with work() as ctx:
        fire(ctx, case_id, "approve", people["clerk"], approve_payload(people))
        assert case_of(ctx, case_id).state == "delegated_approval"


def test_a_proposal_without_a_ground_is_refused(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        no_ground = ProposalIn(start_date=date(2024, 10, 1), initial_months=6, max_months=12)
        case_id = new_case(ctx, people, proposal=no_ground)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        reason = refusal_of(ctx, case_id, "approve", people["clerk"], approve_payload(people))
        assert reason.startswith("the proposal names no lawful ground")


def test_approve_refuses_an_envelope_that_is_a_substantial_modification_under_the_act(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """A 12-month envelope for a 36-month contract under the Act changes the term by a third;
    Cabinet can lawfully approve three months (8.3%) on the ground 'not substantial'."""
    with work() as ctx:
        case_id = new_case(ctx, people, proposal=proposal("not_substantial"))
        set_facts(
            ctx,
            people,
            case_id,
            procurement_regime="pa2023",
            procurement_started_on=date(2025, 3, 3),
            award_max_months=36,
        )
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        reason = refusal_of(ctx, case_id, "approve", people["clerk"], approve_payload(people))
        assert "a 12-month extension of a 36-month contract" in reason
        assert (
            "changes the term by 33.3%, more than the 10% that makes a modification not "
            "substantial (Procurement Act 2023 s.74(3)(a))" in reason
        )
    with work() as ctx:
        fire(ctx, case_id, "approve", people["clerk"], approve_payload(people, max_months=3))
    clock.travel_to(CONSULTED_AT)
    with work() as ctx:
        consult(ctx, people, case_id)
    clock.travel_to(SIGNED_AT)
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(3))
        answer = CaseScope(ctx, people["officer"]).one(load(ctx, case_of(ctx, case_id)))
    first = answer.procurement[0]
    assert (first.months, first.term_change_pct, first.holds) == (3, 8.33, True)
    assert first.notices == []  # the value changes by no more than 10%: s.75's exception


def test_sign_off_and_extend_count_the_months_already_taken(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """PCR reg 72(1)(a): nine months of options; six signed off, then the options recorded
    turn out to be eight: a further three would take nine, and extend is refused."""
    with work() as ctx:
        case_id = new_case(ctx, people, proposal=proposal("provided_for", 9))
        set_facts(ctx, people, case_id, extension_options_months=9)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        fire(ctx, case_id, "approve", people["clerk"], approve_payload(people, max_months=9))
    clock.travel_to(CONSULTED_AT)
    with work() as ctx:
        consult(ctx, people, case_id)
        # Ten months would pass the options whatever the envelope says.
        set_facts(ctx, people, case_id, extension_options_months=5)
    clock.travel_to(SIGNED_AT)
    with work() as ctx:
        reason = refusal_of(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        assert "6 months, more than the 5 months of extension" in reason
        set_facts(ctx, people, case_id, extension_options_months=9)
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
        set_facts(ctx, people, case_id, extension_options_months=8)
    with work() as ctx:
        reason = refusal_of(
            ctx, case_id, "extend", people["officer"], {"months": 3, "reasons": "More time."}
        )
        assert (
            "a 3-month extension after 6 months already taken comes to 9 months, more "
            "than the 8 months of extension" in reason
        )
        fire(ctx, case_id, "extend", people["officer"], {"months": 2, "reasons": "More time."})


def test_earlier_modifications_in_other_cases_count_in_the_aggregate(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """PA s.74(4): below-threshold is judged in aggregate. Six months signed off on one case;
    a second case on the same agreements reads them as earlier modifications, in the same
    statement as the agreements."""
    with work() as ctx:
        first = new_case(ctx, people)
    to_active(work, clock, people, first)
    with work() as ctx:
        agreements = load(ctx, case_of(ctx, first)).agreements
        again = create_case(
            ctx,
            demo.sefton_case_in([pk(a.id) for a in agreements]),
            people["officer"],
        )
        bundle = load(ctx, again)
        assert bundle.earlier_months == {pk(a.id): 6 for a in agreements}
        answer = CaseScope(ctx, people["officer"]).one(bundle)
        assert {p.earlier_months for p in answer.procurement} == {6}


# --- the seeds ----------------------------------------------------------------------------


def test_sefton_and_oldham_record_their_regimes_and_their_grounds_hold(
    work: Work, people: dict[str, User]
) -> None:
    with work() as ctx:
        loaded = demo.load(ctx, people["admin"])
        assert loaded.sefton is not None and loaded.oldham is not None
        sefton = CaseScope(ctx, people["officer"]).one(load(ctx, loaded.sefton))
        oldham = CaseScope(ctx, people["oldham_officer"]).one(load(ctx, loaded.oldham))
        viewer = CaseScope(ctx, people["viewer"]).one(load(ctx, loaded.oldham))
    assert len(sefton.procurement) == 13
    for p in sefton.procurement:
        assert (p.regime, p.ground, p.holds) == ("pcr2015", "unforeseeable", True)
        assert p.term_change_pct == 20.0 and p.value_change_pct == 20.0  # 12 of 60 months
        assert p.notices == [MODIFICATION_NOTICE]  # PCR reg 72(3)
        assert p.citation == "PCR 2015 reg 72(1)(c), (2)"
    (miocare,) = oldham.procurement
    assert (miocare.ground, miocare.holds, miocare.notices) == ("in_house", True, [])
    assert miocare.citation == "PCR 2015 reg 12"
    # Oldham's item is exempt: a viewer sees the verdict, not the figures.
    (seen,) = viewer.procurement
    assert seen.holds and seen.months is None and seen.value_change_pct is None
    assert seen.caps == []


def sefton_contract(**changes: Any) -> Agreement:
    """Sefton's thirteenth contract as the demo records it, with ``changes``."""
    fields: dict[str, Any] = {
        "id": 1,
        "reference": "SEFTON-DAYOPS-13",
        "title": "Day Opportunities",
        "kind": "contract",
        "counterparty": demo.SEFTON_PROVIDERS[12],
        "directorate": demo.ASC,
        "annual_value_pence": 375_000_00,
        "start_date": date(2019, 10, 1),
        "end_date": date(2024, 9, 30),
        "award_value_pence": 375_000_00 * 5,
        **demo.SEFTON_PROCUREMENT,
    }
    return Agreement(**(fields | changes))


def test_what_changes_if_sefton_day_opportunities_were_not_light_touch() -> None:
    """As seeded (PCR 2015, light-touch social care): reg 72(1)(c) holds for twelve months
    (20% of the value, under 50%) and needs a modification notice; light touch or not, the
    2015 Regulations apply reg 72 alike, and what moves is the de minimis threshold of reg
    72(5)(a): £663,540 for light-touch services, £214,904 for others. Had the contracts been
    procured under the Act, light touch would take them outside the modification test and the
    contract change notice altogether; not light-touch, the twelve months would be a
    substantial modification (20% of the term, more than 10%) and the contract change notice
    would be due."""
    today = date(2024, 9, 5)
    seeded = assess(sefton_contract(), Ground.unforeseeable, 12, 0, today)
    not_lt = assess(sefton_contract(light_touch=False), Ground.unforeseeable, 12, 0, today)
    assert seeded.holds and not_lt.holds
    assert seeded.notices == not_lt.notices == (MODIFICATION_NOTICE,)

    def threshold(v: Any) -> float:
        return next(t.cap for t in v.tests if t.unit == "£")

    small = {"annual_value_pence": 2_400_000_00}  # £20,000 a month: 1 month is 1.7%
    lt = assess(sefton_contract(**small), Ground.below_threshold, 1, 0, today)
    other = assess(sefton_contract(light_touch=False, **small), Ground.below_threshold, 1, 0, today)
    assert (threshold(lt), threshold(other)) == (66_354_000, 21_490_400)

    under_act = {
        "procurement_regime": ProcurementRegime.pa2023,
        "procurement_started_on": date(2025, 3, 3),
    }
    act_lt = assess(sefton_contract(**under_act), Ground.not_substantial, 12, 0, today)
    assert act_lt.holds and act_lt.notices == () and act_lt.tests == ()
    act = assess(
        sefton_contract(light_touch=False, **under_act), Ground.not_substantial, 12, 0, today
    )
    assert not act.holds
    assert act.reason is not None and "changes the term by 20%, more than the 10%" in act.reason
    act_c = assess(
        sefton_contract(light_touch=False, **under_act), Ground.unforeseeable, 12, 0, today
    )
    assert act_c.holds and act_c.notices == (CONTRACT_CHANGE_NOTICE,)


def test_oldhams_miocare_is_in_house_whatever_its_figures() -> None:
    miocare = sefton_contract(**demo.OLDHAM_PROCUREMENT)
    for months in (1, 24, 240):
        verdict = assess(miocare, Ground.in_house, months, 0, date(2023, 9, 18))
        assert verdict.holds and verdict.notices == ()
    assert ContractType(miocare.contract_type) is ContractType.services
