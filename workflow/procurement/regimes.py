"""The two regimes a council's contracts are modified under, as data (issue 9, SPEC §9).

- **The Public Contracts Regulations 2015** (SI 2015/102), regulation 72, for contracts whose
  procurement began before 24 February 2025 (the Procurement Act 2023 (Commencement No. 3 and
  Transitional and Saving Provisions) Regulations 2024 keep the 2015 Regulations for them).
  Reg 72(5): a modification is de minimis when its value is below *both* the threshold of
  reg 5 and 10% of the initial contract value for service and supply contracts, 15% for works
  ("below": a strict comparison); reg 72(6): successive modifications are assessed on their
  net cumulative value. Reg 72(8) defines a substantial modification without any figure.
- **The Procurement Act 2023**, sections 74-77 and Schedule 8, for procurements begun on or
  after that day. s.74(3)(a): a modification is substantial if it would increase or
  decrease the term by *more than* 10% of the maximum term provided for on award; s.74(4):
  a below-threshold modification does not change the estimated value by more than 10% (goods
  or services) or 15% (works), in aggregate with earlier modifications ("not more than": an
  inclusive comparison).

The threshold amounts (PCR reg 5; PA 2023 Sch 1) are VAT-inclusive and revised every two
years; a table of the sub-central (local authority) amounts with the day each took effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.models import ContractType, ProcurementRegime

# The Act applies to procurements begun on or after this day (SI 2024/1441 transitional
# provisions); the 2015 Regulations to those begun before it.
PA2023_COMMENCED = date(2025, 2, 24)


@dataclass(frozen=True)
class Regime:
    key: ProcurementRegime
    name: str
    citation: str
    below_threshold_pct: dict[ContractType, int]
    # PCR reg 72(5)(b) "below ... 10%" is strict; PA s.74(4) "not more than 10%" is not.
    below_threshold_inclusive: bool
    below_threshold_citation: str
    # PA s.74(3)(a): more than this % of the maximum term on award is substantial; the 2015
    # Regulations set no such figure (reg 72(8)), so ``None``.
    substantial_term_pct: int | None


PCR2015 = Regime(
    key=ProcurementRegime.pcr2015,
    name="Public Contracts Regulations 2015",
    citation="PCR 2015 reg 72",
    below_threshold_pct={ContractType.goods: 10, ContractType.services: 10, ContractType.works: 15},
    below_threshold_inclusive=False,
    below_threshold_citation="PCR 2015 reg 72(5)-(6)",
    substantial_term_pct=None,
)
PA2023 = Regime(
    key=ProcurementRegime.pa2023,
    name="Procurement Act 2023",
    citation="Procurement Act 2023 s.74",
    below_threshold_pct={ContractType.goods: 10, ContractType.services: 10, ContractType.works: 15},
    below_threshold_inclusive=True,
    below_threshold_citation="Procurement Act 2023 s.74(1)(c), (4)",
    substantial_term_pct=10,
)
REGIMES = {PCR2015.key: PCR2015, PA2023.key: PA2023}


def regime_for(started_on: date) -> ProcurementRegime:
    """The regime a procurement begun on ``started_on`` is under."""
    return ProcurementRegime.pcr2015 if started_on < PA2023_COMMENCED else ProcurementRegime.pa2023


def regime_contradiction(started_on: date | None, regime: ProcurementRegime | None) -> str | None:
    """Why ``regime`` cannot be the regime of a procurement begun on ``started_on``, or
    ``None`` when it can (or either is not known yet)."""
    if started_on is None or regime is None:
        return None
    due = regime_for(started_on)
    if regime == due:
        return None
    return (
        f"a procurement begun on {started_on:%d/%m/%Y} is under {due.value}, not {regime.value} "
        "(the Procurement Act 2023 applies to procurements begun on or after 24/02/2025)"
    )


@dataclass(frozen=True)
class Thresholds:
    """Sub-central contracting authorities' threshold amounts in pence, VAT included."""

    from_day: date
    goods_services: int
    works: int
    light_touch: int  # social and other specific services (PCR reg 5(1)(d); PA Sch 1)


# PCR reg 5 as amended (2020, 2022, 2024); PA 2023 Sch 1 as amended by the Procurement Act
# 2023 (Threshold Amounts) (Amendment) Regulations 2025 from 1 January 2026.
THRESHOLDS = (
    Thresholds(date(2020, 1, 1), 18_933_000, 473_325_200, 66_354_000),
    Thresholds(date(2022, 1, 1), 21_347_700, 533_693_700, 66_354_000),
    Thresholds(date(2024, 1, 1), 21_490_400, 537_260_900, 66_354_000),
    Thresholds(date(2026, 1, 1), 20_772_000, 519_300_000, 66_354_000),
)


def threshold_pence(
    regime: ProcurementRegime,
    contract_type: ContractType,
    light_touch: bool,
    started_on: date,
    modified_on: date,
) -> int:
    """The threshold amount a modification is measured against.

    PCR reg 72(5)(a) reads "the relevant threshold mentioned in regulation 5" when the
    modification is made; reg 5 was last amended for 2024, so a PCR modification never reads
    a later row. Under the Act the 2026 amounts apply to procurements begun on or after
    1 January 2026, so a PA contract reads the row in force when its procurement began."""
    on = started_on if regime == ProcurementRegime.pa2023 else modified_on
    last = THRESHOLDS[0]
    for row in THRESHOLDS:
        if row.from_day <= on and (
            regime == ProcurementRegime.pa2023 or row.from_day < PA2023_COMMENCED
        ):
            last = row
    if light_touch:
        return last.light_touch
    return last.works if contract_type == ContractType.works else last.goods_services
