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


def envelope_end(start: date, months: int) -> date:
    """The last day a delegation of ``months`` months from ``start`` can reach (issue 12, fault 2).

    The envelope is spent in chained terms: each starts the day after the last one ends (SPEC
    §4), and each ends by the corresponding-date rule. Chained terms do not always land where
    one term of all the months would. From 31 Oct 2024, one 12-month term ends 30 Oct 2025,
    but 6 + 6 months end 30 Apr 2025 (April has no 31st, so the term runs to the month's last
    day) and then 31 Oct 2025 (1 May + 6 months): a clamped month end moves the chain onto the
    1st of the next month, and from there every term ends on a month's last day. So the
    envelope's last day is the furthest any split of its months reaches, and every split of
    its months then fits it. Before a first clamp every term starts on the start's own day
    of the month, and after it every term starts on a 1st and never clamps again, so splits
    into two terms (first term ``j`` months, then the rest) already reach every end any
    split can.
    """
    furthest = term_end(start, months)
    for first in range(1, months):
        then = term_end(term_end(start, first) + _ONE_DAY, months - first)
        furthest = max(furthest, then)
    return furthest


def next_term_start(current_end: date | None, proposal_start: date | None) -> date | None:
    """When the next term starts: the day after the current end date for an extension, else
    the proposal's start date for a first term (SPEC §4 "Terms")."""
    if current_end is not None:
        return current_end + _ONE_DAY
    return proposal_start
