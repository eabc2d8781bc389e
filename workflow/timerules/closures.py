"""Days a council is closed beyond England's bank holidays (issue 12, fault 8).

Many councils close between Christmas and New Year (27-31 December): nobody is at work to
publish a notice or an agenda, so the constitution counts those days out of its working days
as it does bank holidays. A closure is written in the settings as a day or a range of days,
either of one year (``2026-12-29``, ``2026-12-29..2026-12-31``) or of every year
(``12-27..12-31``; a yearly range may run over New Year, ``12-29..01-02``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)
_LEAP = 2000  # a leap year, so that 29 February can be named as a yearly closure


@dataclass(frozen=True)
class Closures:
    """The council's own closure days: dates of one year, and (month, day) of every year."""

    dates: frozenset[date] = frozenset()
    yearly: frozenset[tuple[int, int]] = frozenset()

    def __contains__(self, d: object) -> bool:
        if not isinstance(d, date):
            return False
        return d in self.dates or (d.month, d.day) in self.yearly

    def __bool__(self) -> bool:
        return bool(self.dates or self.yearly)


NO_CLOSURES = Closures()


def _day(text: str, yearly: bool) -> date:
    try:
        return date.fromisoformat(f"{_LEAP}-{text}" if yearly else text)
    except ValueError:
        form = "MM-DD" if yearly else "YYYY-MM-DD"
        raise ValueError(f"closure day {text!r} is not a date written {form}") from None


def _span(first: date, last: date) -> list[date]:
    out = []
    while first <= last:
        out.append(first)
        first += _ONE_DAY
    return out


def parse_closures(entries: Iterable[str]) -> Closures:
    """The closures the settings name; a ValueError says which entry is wrong and why."""
    dates: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    for raw in entries:
        text = raw.strip()
        first_text, _, last_text = text.partition("..")
        every_year = len(first_text.strip()) <= len("MM-DD")
        first = _day(first_text.strip(), every_year)
        last = _day(last_text.strip(), every_year) if last_text else first
        if every_year:
            if last < first:  # over New Year: to the end of December, then from 1 January
                days = _span(first, date(_LEAP, 12, 31)) + _span(date(_LEAP, 1, 1), last)
            else:
                days = _span(first, last)
            yearly |= {(d.month, d.day) for d in days}
        else:
            if last < first:
                raise ValueError(f"closure {text!r} ends before it starts")
            dates |= set(_span(first, last))
    return Closures(frozenset(dates), frozenset(yearly))
