"""Calendar months and terms (SPEC §4): the corresponding-date rule."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """The numerically corresponding date ``months`` later (or earlier, if negative).

    Clamped to the target month's last day when it has no such date (31 Aug + 6 -> 28 Feb),
    because that is how a month-denominated term is read in contracts.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def term_end(start: date, months: int) -> date:
    """Last day of a term of ``months`` months starting on ``start`` (SPEC §4 "Terms").

    The day before the corresponding date ``months`` later; where that month has no such date
    the term ends on that month's last day (31 Aug 2024 + 6 -> 28 Feb 2025, not 27 Feb), so
    that the extension, starting the day after, starts on 1 Mar and no day is lost.
    """
    if months < 1:
        raise ValueError(f"a term is at least one month, not {months}")
    corresponding = add_months(start, months)
    if corresponding.day < start.day:
        # The target month has no such date: add_months clamped to its last day.
        return corresponding
    return corresponding - _ONE_DAY


def next_term_start(current_end: date | None, proposal_start: date | None) -> date | None:
    """When the next term starts: the day after the current end date for an extension, else
    the proposal's start date for a first term (SPEC §4 "Terms")."""
    if current_end is not None:
        return current_end + _ONE_DAY
    return proposal_start
