"""Retention periods: "a period of N years beginning with the date on which the decision was
made" (SI 2014/2095 reg 8; SI 2012/2089 regs 14 and 15, see ``workflow/retention``)."""

from __future__ import annotations

from datetime import date, timedelta

from workflow.timerules.terms import add_months


def kept_through(decided_on: date, years: int) -> date:
    """The last day of a period of ``years`` years beginning with ``decided_on``.

    A period that begins with a day ends with the day before its corresponding date
    (15 Jun 2024 + 6 years: kept through 14 Jun 2030). Counted from the day before, so that
    where there is no corresponding date the period still runs to the month's end (a decision
    of 29 Feb 2024 is kept through 28 Feb 2030, as one of 1 Mar 2024 is), never a day short.
    """
    return add_months(decided_on - timedelta(days=1), 12 * years)
