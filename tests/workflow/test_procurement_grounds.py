"""Each ground of each regime, with the figures at, just under and just over every cap
(issue 9). Pure: ``workflow.procurement.verdict.assess`` on agreements that are never stored.

The figures are chosen so a month is one per cent: a value on award of £100,000, £1,000 a
month (annual £12,000), and a maximum term on award of 100 months. So ``months=10`` changes
the term by 10% and the value by 10%, and the caps read straight off the table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.models import Agreement, ContractType, Ground, ProcurementRegime
from workflow.procurement.grounds import CONTRACT_CHANGE_NOTICE, MODIFICATION_NOTICE, RULES
from workflow.procurement.regimes import THRESHOLDS, threshold_pence
from workflow.procurement.verdict import assess, ccn_exception, refusal

PCR, PA = ProcurementRegime.pcr2015, ProcurementRegime.pa2023
G = Ground
TODAY = date(2026, 11, 29)
STARTED = {PCR: date(2019, 3, 1), PA: date(2025, 6, 2)}


def agreement(
    regime: ProcurementRegime,
    *,
    kind: ContractType = ContractType.services,
    light_touch: bool = False,
    options: int | None = None,
    annual: int = 1_200_000,
    award_value: int = 10_000_000,
    award_months: int = 100,
    started: date | None = None,
    **facts: Any,
) -> Agreement:
    return Agreement(
        id=1,
        reference="T-001",
        title="Test contract",
        kind="contract",
        counterparty="Fictional Provider Ltd",
        directorate="Adult Social Care",
        annual_value_pence=annual,
        start_date=date(2019, 10, 1),
        end_date=date(2024, 9, 30),
        procurement_regime=regime,
        procurement_started_on=started or STARTED[regime],
        light_touch=light_touch,
        contract_type=kind,
        award_value_pence=award_value,
        award_max_months=award_months,
        extension_options_months=options,
        **facts,
    )


# (regime, ground, agreement options, months, earlier months, holds?)
CASES: list[tuple[ProcurementRegime, Ground, dict[str, Any], int, int, bool]] = [
    # PCR reg 72(1)(a): within the options the contract provides for, in aggregate.
    (PCR, G.provided_for, {"options": 12}, 11, 0, True),
    (PCR, G.provided_for, {"options": 12}, 12, 0, True),
    (PCR, G.provided_for, {"options": 12}, 13, 0, False),
    (PCR, G.provided_for, {"options": 12}, 6, 6, True),
    (PCR, G.provided_for, {"options": 12}, 6, 7, False),
    (PCR, G.provided_for, {}, 1, 0, False),  # no options: nothing is provided for
    # PCR reg 72(1)(b), (c), (2): 50% of the original value, each modification on its own.
    (PCR, G.additional, {}, 49, 0, True),
    (PCR, G.additional, {}, 50, 0, True),
    (PCR, G.additional, {}, 51, 0, False),
    (PCR, G.additional, {}, 50, 50, True),  # reg 72(2): the limit applies to each
    (PCR, G.unforeseeable, {}, 49, 0, True),
    (PCR, G.unforeseeable, {}, 50, 0, True),
    (PCR, G.unforeseeable, {}, 51, 0, False),
    # PCR reg 72(1)(d): a new contractor is not an extension.
    (PCR, G.replacement_contractor, {}, 1, 0, False),
    # PCR reg 72(1)(e), (8): no figure; the judgement is the council's.
    (PCR, G.not_substantial, {}, 99, 0, True),
    # PCR reg 72(5)-(6): below 10% (services, goods) or 15% (works), cumulatively; strict.
    (PCR, G.below_threshold, {}, 9, 0, True),
    (PCR, G.below_threshold, {}, 10, 0, False),
    (PCR, G.below_threshold, {}, 11, 0, False),
    (PCR, G.below_threshold, {}, 5, 4, True),
    (PCR, G.below_threshold, {}, 5, 5, False),
    (PCR, G.below_threshold, {"kind": ContractType.goods}, 9, 0, True),
    (PCR, G.below_threshold, {"kind": ContractType.goods}, 10, 0, False),
    (PCR, G.below_threshold, {"kind": ContractType.works}, 14, 0, True),
    (PCR, G.below_threshold, {"kind": ContractType.works}, 15, 0, False),
    (PCR, G.below_threshold, {"kind": ContractType.works}, 16, 0, False),
    # PCR reg 12: exempt, whatever the figures.
    (PCR, G.in_house, {}, 240, 0, True),
    # Grounds the 2015 Regulations do not have.
    (PCR, G.urgency, {}, 1, 0, False),
    (PCR, G.known_risk, {}, 1, 0, False),
    # PA Sch 8 para 1.
    (PA, G.provided_for, {"options": 12}, 12, 0, True),
    (PA, G.provided_for, {"options": 12}, 13, 0, False),
    (PA, G.provided_for, {}, 1, 0, False),
    # PA Sch 8 para 2: no figure.
    (PA, G.urgency, {}, 99, 0, True),
    # PA Sch 8 paras 4, 5 and additional goods, services or works: 50%.
    (PA, G.unforeseeable, {}, 49, 0, True),
    (PA, G.unforeseeable, {}, 50, 0, True),
    (PA, G.unforeseeable, {}, 51, 0, False),
    (PA, G.known_risk, {}, 50, 0, True),
    (PA, G.known_risk, {}, 51, 0, False),
    (PA, G.additional, {}, 50, 0, True),
    (PA, G.additional, {}, 51, 0, False),
    (PA, G.replacement_contractor, {}, 1, 0, False),
    # PA s.74(3)(a): more than 10% of the maximum term on award is substantial.
    (PA, G.not_substantial, {}, 9, 0, True),
    (PA, G.not_substantial, {}, 10, 0, True),
    (PA, G.not_substantial, {}, 11, 0, False),
    # PA s.74(4): not more than 10% / 15%, in aggregate; inclusive.
    (PA, G.below_threshold, {}, 9, 0, True),
    (PA, G.below_threshold, {}, 10, 0, True),
    (PA, G.below_threshold, {}, 11, 0, False),
    (PA, G.below_threshold, {}, 4, 6, True),
    (PA, G.below_threshold, {}, 4, 7, False),
    (PA, G.below_threshold, {"kind": ContractType.works}, 14, 0, True),
    (PA, G.below_threshold, {"kind": ContractType.works}, 15, 0, True),
    (PA, G.below_threshold, {"kind": ContractType.works}, 16, 0, False),
    # PA Sch 2 para 2: exempt.
    (PA, G.in_house, {}, 240, 0, True),
    # A light-touch contract under the Act is outside the modification test.
    (PA, G.not_substantial, {"light_touch": True}, 99, 0, True),
    (PA, G.below_threshold, {"light_touch": True}, 99, 0, True),
]


@pytest.mark.parametrize(("regime", "ground", "facts", "months", "earlier", "holds"), CASES)
def test_each_ground_at_under_and_over_its_cap(
    regime: ProcurementRegime,
    ground: Ground,
    facts: dict[str, Any],
    months: int,
    earlier: int,
    holds: bool,
) -> None:
    verdict = assess(agreement(regime, **facts), ground, months, earlier, TODAY)
    assert verdict.holds is holds, verdict.reason
    assert (verdict.reason is None) is holds
    if not holds:
        assert verdict.reason is not None and "T-001" in verdict.reason


def test_every_ground_of_both_regimes_is_in_the_table() -> None:
    tested = {(r, g) for r, g, *_ in CASES}
    assert set(RULES) <= tested
    assert {(PCR, G.urgency), (PCR, G.known_risk)} <= tested  # the grounds PCR lacks


@pytest.mark.parametrize(
    ("regime", "kind", "light_touch", "started", "threshold"),
    [
        (PCR, ContractType.services, False, date(2019, 3, 1), 21_490_400),
        (PCR, ContractType.works, False, date(2019, 3, 1), 537_260_900),
        (PCR, ContractType.services, True, date(2019, 3, 1), 66_354_000),
        (PA, ContractType.goods, False, date(2025, 6, 2), 21_490_400),
        (PA, ContractType.goods, False, date(2026, 3, 2), 20_772_000),
        (PA, ContractType.works, False, date(2026, 3, 2), 519_300_000),
    ],
)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_below_threshold_at_under_and_over_the_threshold_amount(
    regime: ProcurementRegime,
    kind: ContractType,
    light_touch: bool,
    started: date,
    threshold: int,
    offset: int,
) -> None:
    """One month worth the threshold, a penny under or over; the value on award so large the
    percentage never binds. The threshold is the reg 5 amount when a PCR contract is modified
    (last amended for 2024), the Act's amount when a PA procurement began."""
    assert threshold_pence(regime, kind, light_touch, started, TODAY) == threshold
    a = agreement(
        regime,
        kind=kind,
        light_touch=light_touch and regime == PCR,
        started=started,
        annual=(threshold + offset) * 12,
        award_value=10**14,
    )
    verdict = assess(a, G.below_threshold, 1, 0, TODAY)
    assert verdict.holds is (offset < 0), verdict.reason
    if offset >= 0:
        assert verdict.reason is not None and "threshold" in verdict.reason


def test_the_refusal_names_the_ground_and_the_figure_that_broke_it() -> None:
    """The issue's own example: 12 more months of a 36-month contract under the Act."""
    a = agreement(PA, annual=1_200_000, award_months=36)
    verdict = assess(a, G.not_substantial, 12, 0, TODAY)
    assert verdict.reason == (
        "a 12-month extension of a 36-month contract (T-001) changes the term by 33.3%, more "
        "than the 10% that makes a modification not substantial (Procurement Act 2023 "
        "s.74(3)(a))"
    )
    value = assess(agreement(PCR), G.unforeseeable, 51, 0, TODAY)
    assert value.reason is not None
    assert "£51,000, 51% of its £100,000 value on award" in value.reason
    assert "50% each modification may add under PCR 2015 reg 72(1)(c), (2)" in value.reason


def test_missing_facts_and_no_ground_hold_nothing() -> None:
    bare = agreement(PCR, award_months=None)  # type: ignore[arg-type]
    bare.award_max_months = None
    bare.contract_type = None
    v = assess(bare, G.in_house, 1, 0, TODAY)
    assert not v.holds and v.missing == ("contract_type", "award_max_months")
    assert v.reason is not None and "may not be extended until they are known" in v.reason
    v = assess(agreement(PA), None, 1, 0, TODAY)
    assert not v.holds and v.reason == "the proposal names no lawful ground for the modification"
    assert refusal([v, v, v]) == (
        "the proposal names no lawful ground for the modification; it does not hold for 2 more "
        "agreements either"
    )


@pytest.mark.parametrize(
    ("regime", "ground", "facts", "months", "notices"),
    [
        (PCR, G.additional, {}, 10, (MODIFICATION_NOTICE,)),  # reg 72(3)
        (PCR, G.unforeseeable, {}, 10, (MODIFICATION_NOTICE,)),
        (PCR, G.not_substantial, {}, 10, ()),
        (PCR, G.provided_for, {"options": 12}, 10, ()),
        (PA, G.not_substantial, {}, 10, ()),  # value change within 10%: s.75 exception
        (PA, G.unforeseeable, {}, 11, (CONTRACT_CHANGE_NOTICE,)),
        (PA, G.unforeseeable, {"kind": ContractType.works}, 15, ()),
        (PA, G.unforeseeable, {"kind": ContractType.works}, 16, (CONTRACT_CHANGE_NOTICE,)),
        (PA, G.unforeseeable, {"light_touch": True}, 40, ()),  # light touch: no notice
        (PA, G.in_house, {}, 40, ()),
    ],
)
def test_the_notice_each_ground_needs(
    regime: ProcurementRegime,
    ground: Ground,
    facts: dict[str, Any],
    months: int,
    notices: tuple[str, ...],
) -> None:
    verdict = assess(agreement(regime, **facts), ground, months, 0, TODAY)
    assert verdict.holds
    assert verdict.notices == notices


# Procurement Act 2023 s.75(2)(b): no contract change notice where the term changes by 10%
# or less of the maximum term on award, whatever the value does. A 120-month award worth
# £30,000 at £12,000 a year: each month adds 0.83% to the term and 3.3% to the value, so from
# 11 months on the value is beyond limb (a) for every kind (36.7% > 10%, 15%) and limb (b)
# alone decides: 11 months (9.17%), 12 (exactly 10%) and 13 (10.83%).
S75_TERM = {"award_months": 120, "award_value": 3_000_000, "annual": 1_200_000}


@pytest.mark.parametrize("kind", [ContractType.goods, ContractType.services, ContractType.works])
@pytest.mark.parametrize(
    ("months", "exception", "notices"),
    [
        (11, "Procurement Act 2023 s.75(2)(b)", ()),  # just under 10% of the term
        (12, "Procurement Act 2023 s.75(2)(b)", ()),  # at 10%: "10 per cent or less"
        (13, None, (CONTRACT_CHANGE_NOTICE,)),  # just over: s.75(1)
    ],
)
def test_s75_2_b_a_term_change_of_ten_percent_or_less_needs_no_notice(
    kind: ContractType, months: int, exception: str | None, notices: tuple[str, ...]
) -> None:
    at = agreement(PA, kind=kind, **S75_TERM)  # type: ignore[arg-type]
    verdict = assess(at, G.unforeseeable, months, 0, TODAY)
    assert verdict.holds  # within Sch 8 para 4's 50%: the notice is the only question
    assert verdict.figures is not None
    assert verdict.figures.value_change_pct > 15  # limb (a) cannot help
    assert ccn_exception(RULES[(PA, G.unforeseeable)], at, verdict.figures) == exception
    assert verdict.notice_exception == exception  # what the case answer cites
    assert verdict.notices == notices


@pytest.mark.parametrize(
    ("kind", "months", "award_value", "exception"),
    [
        # Limb (a) alone: 13 or 15 months of 120 is more than 10% of the term, but the value
        # (£1,000 a month) moves by 10% or less (goods, services) or 15% or less (works).
        (ContractType.services, 13, 13_000_000, "Procurement Act 2023 s.75(2)(a)"),  # 10%
        (ContractType.services, 13, 12_900_000, None),  # 10.08%
        (ContractType.works, 15, 10_000_000, "Procurement Act 2023 s.75(2)(a)"),  # 15%
        (ContractType.works, 15, 9_900_000, None),  # 15.15%
    ],
)
def test_s75_2_a_either_limb_is_enough(
    kind: ContractType, months: int, award_value: int, exception: str | None
) -> None:
    at = agreement(PA, kind=kind, award_months=120, award_value=award_value, annual=1_200_000)
    verdict = assess(at, G.unforeseeable, months, 0, TODAY)
    assert verdict.figures is not None and verdict.figures.term_change_pct > 10
    assert ccn_exception(RULES[(PA, G.unforeseeable)], at, verdict.figures) == exception
    assert verdict.notices == (() if exception else (CONTRACT_CHANGE_NOTICE,))


def test_s75_2_neither_limb_for_a_novation_on_corporate_restructuring() -> None:
    """s.75(2) "unless the modification is a permitted modification under paragraph 9 of
    Schedule 8": one month of 120 is within both limbs, and still no exception."""
    at = agreement(PA, **S75_TERM)  # type: ignore[arg-type]
    figures = assess(at, G.unforeseeable, 1, 0, TODAY).figures
    assert figures is not None
    assert ccn_exception(RULES[(PA, G.unforeseeable)], at, figures) is not None
    assert ccn_exception(RULES[(PA, G.replacement_contractor)], at, figures) is None


def test_section_77_publication_above_five_million() -> None:
    """PA 2023 s.77: a modification of a contract worth more than £5m is published."""
    at = agreement(PA, award_value=499_000_000, annual=1_200_000)  # £4.99m + £10,000
    assert not assess(at, G.unforeseeable, 10, 0, TODAY).publish_modification
    over = agreement(PA, award_value=499_000_001, annual=1_200_000)
    assert assess(over, G.unforeseeable, 10, 0, TODAY).publish_modification
    assert not assess(
        agreement(PCR, award_value=10**12), G.unforeseeable, 1, 0, TODAY
    ).publish_modification


FIGURED = [(r, g) for (r, g), rule in RULES.items() if not rule.exempt and rule.extends]


@given(
    case=st.sampled_from(FIGURED),
    months=st.integers(1, 239),
    earlier=st.integers(0, 120),
    award_months=st.integers(1, 240),
    annual=st.integers(1, 10**9),
    award_value=st.integers(1, 10**11),
    kind=st.sampled_from(list(ContractType)),
)
def test_a_shorter_extension_never_fails_where_a_longer_one_holds(
    case: tuple[ProcurementRegime, Ground],
    months: int,
    earlier: int,
    award_months: int,
    annual: int,
    award_value: int,
    kind: ContractType,
) -> None:
    regime, ground = case
    a = agreement(
        regime,
        kind=kind,
        options=120,
        annual=annual,
        award_value=award_value,
        award_months=award_months,
    )
    longer = assess(a, ground, months + 1, earlier, TODAY)
    shorter = assess(a, ground, months, earlier, TODAY)
    assert not longer.holds or shorter.holds


@given(months=st.integers(1, 240), award_months=st.integers(1, 240))
def test_not_substantial_under_the_act_is_exactly_the_ten_per_cent_rule(
    months: int, award_months: int
) -> None:
    """s.74(3)(a) in whole numbers: holds iff months * 100 <= 10 * the maximum term."""
    verdict = assess(agreement(PA, award_months=award_months), G.not_substantial, months, 0, TODAY)
    assert verdict.holds is (months * 100 <= 10 * award_months)


def test_thresholds_are_in_date_order() -> None:
    days = [t.from_day for t in THRESHOLDS]
    assert days == sorted(days)
