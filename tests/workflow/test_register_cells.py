"""Reading one register cell (``workflow.register.cells``): exact pence and dates, what cannot be
read for certain refused, and the annual value a whole-contract total stands for.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from registerfiles import (
    Work,
    agreements,
    officer,
    register,
    run,
)

from workflow.register.cells import contract_months, derive_annual_pence, parse_date, parse_pence


@pytest.mark.parametrize(
    ("cell", "pence"),
    [
        ("£1,234,567.89", 123_456_789),
        ("1234567", 123_456_700),
        ("£5,000", 500_000),
        ("5000.5", 500_050),
        ("£0.99", 99),
        ("0", 0),
        ("£ 12,345.00 ", 1_234_500),
        ("GBP 250,000", 25_000_000),
        ("£1.2m", 120_000_000),
        ("£250k", 25_000_000),
        ("1234.5600000001", 123_456),  # a spreadsheet's float artefact, to the penny
        ("1234.565", 123_457),  # half a penny rounds up
        ("", None),
        ("N/A", None),
        ("TBC", None),
    ],
)
def test_parse_pence(cell: str, pence: int | None) -> None:
    assert parse_pence(cell) == pence


@pytest.mark.parametrize("cell", ["£1,23", "12,34,567", "ten pounds", "£1.2.3", "-£5", "(£5)"])
def test_parse_pence_refuses_what_it_cannot_read_for_certain(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_pence(cell)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("01/04/2024", date(2024, 4, 1)),
        ("1/4/2024", date(2024, 4, 1)),
        ("31.03.2025", date(2025, 3, 31)),
        ("2024-04-01", date(2024, 4, 1)),
        ("2024-04-01 00:00:00", date(2024, 4, 1)),
        ("01/04/2024 00:00", date(2024, 4, 1)),
        ("1 Apr 2024", date(2024, 4, 1)),
        ("1 April 2024", date(2024, 4, 1)),
        ("1st Sept 2024", date(2024, 9, 1)),
        ("29-Feb-2024", date(2024, 2, 29)),
        ("", None),
        ("n/a", None),
    ],
)
def test_parse_date(cell: str, day: date | None) -> None:
    assert parse_date(cell) == day


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("29/02/2023", "not a date on the calendar"),
        ("01/04/24", "two-digit year"),
        ("April 2024", "not a date"),
        ("04/01/2024 extra", "not a date"),
    ],
)
def test_parse_date_refuses(cell: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_date(cell)


def test_money_and_date_formats_land_exactly(work: Work) -> None:
    cases = [
        ("M-1", "01/04/2024", "31/03/2025", "£1,234,567.89", 123_456_789),
        ("M-2", "2024-04-01", "2025-03-31", "1234567", 123_456_700),
        ("M-3", "1 Apr 2024", "31 Mar 2025", "£5,000", 500_000),
        ("M-4", "1 April 2024", "31-Mar-2025", "£0.07", 7),
    ]
    rows = [
        [ref, "Service", "Dunmere Ltd", "Place", start, end, value]
        for ref, start, end, value, _ in cases
    ]
    result = run(work, register(rows), officer(work))
    assert result.refused == []
    stored = agreements(work)
    for ref, *_, pence in cases:
        assert stored[ref].annual_value_pence == pence
        assert (stored[ref].start_date, stored[ref].end_date) == (
            date(2024, 4, 1),
            date(2025, 3, 31),
        )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 4, 1), date(2027, 3, 31), 36),
        (date(2024, 4, 1), date(2027, 3, 30), 36),  # a day short: nearest whole month
        (date(2024, 4, 1), date(2027, 4, 2), 36),  # two days over: still 36
        (date(2024, 4, 1), date(2027, 4, 20), 37),  # most of another month
        (date(2024, 8, 31), date(2025, 2, 28), 6),  # SPEC §4's term: 31 Aug + 6 ends 28 Feb
        (date(2024, 4, 1), date(2024, 4, 1), 1),  # never less than a month
        (date(2024, 10, 1), date(2025, 3, 31), 6),  # Sefton's initial six months
    ],
)
def test_contract_months(start: date, end: date, months: int) -> None:
    assert contract_months(start, end) == months


@given(
    pence=st.integers(min_value=0, max_value=10**13),
    style=st.sampled_from(
        ["£{p:,}.{d:02d}", "{p}.{d:02d}", "GBP {p:,}.{d:02d}", " £ {p}.{d:02d} "]
    ),
)
def test_formatted_pence_round_trip(pence: int, style: str) -> None:
    pounds, part = divmod(pence, 100)
    assert parse_pence(style.format(p=pounds, d=part)) == pence


@given(pounds=st.integers(min_value=0, max_value=10**11))
def test_whole_pounds_round_trip(pounds: int) -> None:
    assert parse_pence(f"£{pounds:,}") == parse_pence(str(pounds)) == pounds * 100


@given(
    total=st.integers(min_value=0, max_value=10**12),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    days=st.integers(min_value=0, max_value=3650),
)
def test_derived_annual_value_is_exact_decimal_arithmetic(
    total: int, start: date, days: int
) -> None:
    end = date.fromordinal(start.toordinal() + days)
    months = contract_months(start, end)
    exact = Decimal(total) * 12 / Decimal(months)
    derived = derive_annual_pence(total, start, end)
    assert abs(Decimal(derived) - exact) <= Decimal("0.5")
