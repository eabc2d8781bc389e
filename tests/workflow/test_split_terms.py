"""Issue 12, fault 2: split terms fit their own envelope, even at month ends.

The envelope's last day is where chained terms of its months reach (SPEC §4's corresponding-date
rule, applied term by term), so every split of its months fits it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework import (
    CONSULTED_AT,
    GROUND,
    Work,
    case_of,
    consult,
    new_case,
    sign_off_payload,
    to_active,
)
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from workflow.clock import FrozenClock
from workflow.lifecycle.events import fire
from workflow.models import Delegation, User
from workflow.schemas import ProposalIn
from workflow.timerules import envelope_end, term_end

ONE_DAY = timedelta(days=1)


def chain(start: date, split: list[int]) -> date:
    """Where terms of ``split`` months reach, each starting the day after the last ends."""
    end = start - ONE_DAY
    for months in split:
        end = term_end(end + ONE_DAY, months)
    return end


def every_chain_end(start: date, months: int) -> set[date]:
    """The ends of every split of ``months`` months from ``start`` (all 2**(months-1) of them),
    found by walking the starts each number of months can reach."""
    starts: dict[int, set[date]] = {0: {start}}
    for done in range(1, months + 1):
        starts[done] = {
            term_end(s, done - before) + ONE_DAY for before in range(done) for s in starts[before]
        }
    return {s - ONE_DAY for s in starts[months]}


@pytest.mark.parametrize(
    ("start", "split", "end"),
    [
        (date(2024, 10, 31), [6, 6], date(2025, 10, 31)),
        (date(2024, 8, 29), [6, 6], date(2025, 8, 31)),
        (date(2024, 8, 30), [6, 6], date(2025, 8, 31)),
        (date(2024, 8, 31), [6, 6], date(2025, 8, 31)),
        (date(2024, 11, 30), [3, 3], date(2025, 5, 31)),
        (date(2025, 3, 31), [6, 6], date(2026, 3, 31)),
    ],
)
def test_the_issues_splits_fit_their_envelope(start: date, split: list[int], end: date) -> None:
    assert chain(start, split) == end
    assert envelope_end(start, sum(split)) >= end


def test_the_envelope_of_31_october_is_where_6_plus_6_reaches() -> None:
    assert term_end(date(2024, 10, 31), 12) == date(2025, 10, 30)  # one term of twelve months
    assert envelope_end(date(2024, 10, 31), 12) == date(2025, 10, 31)


def test_an_envelope_from_the_first_of_a_month_is_one_term() -> None:
    assert envelope_end(date(2024, 10, 1), 12) == date(2025, 9, 30)  # Sefton


@pytest.mark.parametrize("year", [2024, 2025])
def test_every_split_from_every_start_day_fits_and_one_reaches_the_end(year: int) -> None:
    """Every start day of a leap and a common year, every envelope of 1 to 12 months, every
    split of its months: all fit the envelope, and the envelope is no longer than some split
    reaches (it gives away no day beyond what chained terms can use)."""
    day = date(year, 1, 1)
    while day.year == year:
        for months in range(1, 13):
            ends = every_chain_end(day, months)
            assert max(ends) == envelope_end(day, months), (day, months)
        day += ONE_DAY


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    split=st.lists(st.integers(min_value=1, max_value=24), min_size=1, max_size=8),
)
def test_any_split_fits_its_envelope(start: date, split: list[int]) -> None:
    assert chain(start, split) <= envelope_end(start, sum(split))


def test_extend_of_31_october_6_plus_6_is_allowed(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Start 31 Oct 2024, envelope 12 months, taken as 6 + 6: the second term ends 31 Oct 2025
    and is within the envelope (before the fix, extend was refused as needing a new case)."""
    with work() as ctx:
        proposal = ProposalIn(
            start_date=date(2024, 10, 31), initial_months=6, max_months=12, ground=GROUND
        )
        case_id = new_case(ctx, people, proposal=proposal)
    to_active(work, clock, people, case_id)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert case.term_end == date(2025, 4, 30)
        delegation = (
            ctx.session.exec(select(Delegation).where(Delegation.case_id == case_id)).unique().one()
        )
        assert delegation.latest_end_date == date(2025, 10, 31)
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "Re-procuring."})
    clock.travel_to(max(clock.now(), CONSULTED_AT) + timedelta(days=30))
    with work() as ctx:
        consult(ctx, people, case_id)
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(6))
    with work() as ctx:
        assert case_of(ctx, case_id).term_end == date(2025, 10, 31)
