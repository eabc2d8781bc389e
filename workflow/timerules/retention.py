"""Retention periods: a period of N years beginning with the date of the decision.

"Beginning with" is the wording of the texts of these periods read here, the Local Government
Act 1972 ss.100C(1) and 100D(2): a meeting's minutes are open to inspection "until the
expiration of the period of six years beginning with the date of the meeting", its background
papers for "the period of four years beginning with the date of the meeting". The Openness
Regulations (SI 2014/2095 reg 8) and SI 2012/2089 (regs 14 and 15) are assumed to count the
same way from the decision; their own text was not in the stored corpus (see
``workflow/retention``)."""

from __future__ import annotations

from datetime import date, timedelta

from workflow.timerules.terms import add_months


def kept_through(decided_on: date, years: int) -> date:
    """The last day of a period of ``years`` years beginning with ``decided_on``.

    A period that begins with a day ends with the day before its corresponding date
    (16 Sep 2024 + 6 years: kept through 15 Sep 2030; 1 Mar 2023 + 1 year: through 29 Feb
    2024). Where there is no corresponding date (a decision of 29 Feb, N years on in a common
    year) the period runs to the end of that month (28 Feb), never a day short.
    """
    corresponding = add_months(decided_on, 12 * years)
    if corresponding.day != decided_on.day:  # clamped: 29 Feb has no corresponding date
        return corresponding
    return corresponding - timedelta(days=1)
