"""The voluntary standstill after a contract change notice (Procurement Act 2023 s.76).

The period is at least eight working days *beginning with* the day the notice is published:
the day of publication is the first day when it is a working day (unlike call-in, where the
day of the notice never counts). England's working days are those of SPEC §4 (``days``); a
council that counts bank holidays of every part of the UK names those regions too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

import holidays

from workflow.timerules.days import is_working_day

_ONE_DAY = timedelta(days=1)


@cache
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year).keys())


def _working(d: date, regions: tuple[str, ...]) -> bool:
    if not is_working_day(d):
        return False
    return all(d not in _bank_holidays(r, d.year) for r in regions if r != "ENG")


def standstill_end(published_on: date, working_days: int = 8, regions: Iterable[str] = ()) -> date:
    """The last day of a standstill of ``working_days`` working days beginning with the day
    of publication; the modification may be made from the day after.

    Published Friday 19 Dec 2025: 19, 22, 23, 24, 29, 30, 31 Dec and 2 Jan (25, 26 Dec and
    1 Jan are bank holidays in England) — it ends on Friday 2 Jan 2026.
    """
    if working_days < 1:
        raise ValueError(f"a standstill lasts at least one working day, not {working_days}")
    wanted = tuple(sorted(set(regions)))
    d, counted = published_on, 0
    while True:
        if _working(d, wanted):
            counted += 1
            if counted == working_days:
                return d
        d += _ONE_DAY


def latest_publication_for(
    before: date, working_days: int = 8, regions: Iterable[str] = ()
) -> date:
    """The last day a notice may be published for its standstill to end before ``before``."""
    day = before - _ONE_DAY
    while standstill_end(day, working_days, regions) >= before:
        day -= _ONE_DAY
    return day
