"""The figures a modification is tested by, computed from the agreement and the proposal and
never typed in (issue 9): the term change as a percentage of the maximum term on award
(Procurement Act 2023 s.74(3)(a)), and the value change as a percentage of the value on
award, alone (PCR 2015 reg 72(2): each modification) and in aggregate with the earlier
modifications of the same agreement (PCR reg 72(6); PA s.74(4)).

An extension's value is what the agreement costs for the months added, at its annual value:
``annual * months / 12``. Exact fractions, so no rounding ever decides which side of a cap a
modification falls.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Figures:
    months: int  # this modification
    earlier_months: int  # earlier modifications of the same agreement
    award_max_months: int
    annual_value_pence: int
    award_value_pence: int

    @property
    def term_change_pct(self) -> Fraction:
        return Fraction(self.months * 100, self.award_max_months)

    @property
    def aggregate_term_change_pct(self) -> Fraction:
        return Fraction((self.months + self.earlier_months) * 100, self.award_max_months)

    @property
    def value_change_pence(self) -> Fraction:
        return Fraction(self.annual_value_pence * self.months, 12)

    @property
    def aggregate_value_change_pence(self) -> Fraction:
        return Fraction(self.annual_value_pence * (self.months + self.earlier_months), 12)

    @property
    def value_change_pct(self) -> Fraction:
        return self.value_change_pence * 100 / self.award_value_pence

    @property
    def aggregate_value_change_pct(self) -> Fraction:
        return self.aggregate_value_change_pence * 100 / self.award_value_pence


def pct(value: Fraction) -> str:
    """A percentage as people write it: whole where it is whole, else to one decimal place."""
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.1f}%"


def pounds(pence: Fraction | int) -> str:
    whole = int(Fraction(pence) / 100)
    return f"£{whole:,}"


def months_words(months: int) -> str:
    return f"{months}-month"
