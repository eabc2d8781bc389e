"""Clear days, working days in England, call-in, and when a duty is due for people (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from workflow.timerules.closures import NO_CLOSURES, Closures

_ONE_DAY = timedelta(days=1)


# --- Clear days ----------------------------------------------------------------------------


def clear_days_between(notice: date, meeting: date) -> int:
    """Whole days strictly between the notice and the meeting (neither day counts).

    Never negative: a notice on or after the meeting gives no clear days at all.
    """
    return max(0, (meeting - notice).days - 1)


def notice_in_time(published_on: date | None, meeting: date, clear_days: int, today: date) -> bool:
    """Whether a notice counts for ``meeting``: published on or before ``today``, with at least
    ``clear_days`` clear days before the meeting.

    A notice dated after ``today`` has not been published yet, so it cannot count however
    early its date. The submit guards and the notice duties both ask this one question, so a
    duty is never shown as done while the guard still refuses.
    """
    return (
        published_on is not None
        and published_on <= today
        and clear_days_between(published_on, meeting) >= clear_days
    )


def latest_notice_date(meeting: date, clear_days: int) -> date:
    """The last publication date that still gives ``clear_days`` clear days before ``meeting``.

    This is the law's own day and may fall on a weekend; see ``duty_due_on`` for people.
    """
    if clear_days < 0:
        raise ValueError(f"clear days cannot be negative: {clear_days}")
    return meeting - timedelta(days=clear_days + 1)


# --- Working days --------------------------------------------------------------------------


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays for one year, computed once and frozen.

    Built per year into an immutable set rather than sharing one lazily-expanding
    ``holidays`` object, so that API threads and scheduler jobs can read it concurrently
    without one of them mutating it mid-lookup.
    """
    england = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(england.keys())


def is_working_day(d: date, closed: Closures = NO_CLOSURES) -> bool:
    """Monday to Friday, not a bank holiday in England (substitute days included) and not one
    of the council's own closure days (``closed``, issue 12 fault 8)."""
    return d.weekday() < 5 and d not in _bank_holidays(d.year) and d not in closed


def last_working_day_on_or_before(d: date, closed: Closures = NO_CLOSURES) -> date:
    """``d`` itself if it is a working day, else the nearest working day before it."""
    while not is_working_day(d, closed):
        d -= _ONE_DAY
    return d


def next_working_day_after(d: date, closed: Closures = NO_CLOSURES) -> date:
    """The first working day strictly after ``d``."""
    d += _ONE_DAY
    while not is_working_day(d, closed):
        d += _ONE_DAY
    return d


def add_working_days(d: date, n: int, closed: Closures = NO_CLOSURES) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself never counts, working or not)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    for _ in range(n):
        d = next_working_day_after(d, closed)
    return d


def _nth_working_day_before(d: date, n: int, closed: Closures = NO_CLOSURES) -> date:
    """The ``n``-th working day strictly before ``d``; ``d`` itself when ``n`` is 0."""
    for _ in range(n):
        d -= _ONE_DAY
        while not is_working_day(d, closed):
            d -= _ONE_DAY
    return d


def clear_working_days_between(notice: date, meeting: date, closed: Closures = NO_CLOSURES) -> int:
    """Working days strictly between the notice and the meeting.

    Agendas are counted this way because clear days for them exclude weekends and bank
    holidays (R v Swansea CC ex p Elitestone). Never negative.
    """
    count = 0
    d = notice + _ONE_DAY
    while d < meeting:
        if is_working_day(d, closed):
            count += 1
        d += _ONE_DAY
    return count


def latest_agenda_date(
    meeting: date, clear_working_days: int, closed: Closures = NO_CLOSURES
) -> date:
    """The last day the agenda may be published with ``clear_working_days`` clear working days.

    It is the day before the N-th working day before the meeting: the law's own day, which
    may be a weekend (meeting Mon 18 Sep 2023, N=5 -> Sun 10 Sep). With N=0 it is the day
    before the meeting, since an agenda must at least precede its meeting.
    """
    if clear_working_days < 0:
        raise ValueError(f"clear working days cannot be negative: {clear_working_days}")
    return _nth_working_day_before(meeting, clear_working_days, closed) - _ONE_DAY


def latest_working_notice_date(
    meeting: date, clear_working_days: int, closed: Closures = NO_CLOSURES
) -> date:
    """The last day a notice counted in clear working days may go out (SI 2012/2089 reg 10(1)(c)
    counted as the agenda is): the same day ``latest_agenda_date`` gives."""
    return latest_agenda_date(meeting, clear_working_days, closed)


def notice_in_time_working(
    published_on: date | None,
    meeting: date,
    clear_working_days: int,
    today: date,
    closed: Closures = NO_CLOSURES,
) -> bool:
    """``notice_in_time`` with the clear days counted as working days."""
    return (
        published_on is not None
        and published_on <= today
        and published_on <= latest_agenda_date(meeting, clear_working_days, closed)
    )


# --- Call-in -------------------------------------------------------------------------------


def call_in_end(
    notice_published_on: date, working_days: int, closed: Closures = NO_CLOSURES
) -> date:
    """The day call-in closes: at the close of the N-th working day after publication.

    The publication day itself never counts, even when it is a working day.
    """
    return add_working_days(notice_published_on, working_days, closed)


def implementable_from(call_in_end_date: date, closed: Closures = NO_CLOSURES) -> date:
    """The first day a called-in-able decision may be implemented: the next working day."""
    return next_working_day_after(call_in_end_date, closed)


# --- Duties for people ---------------------------------------------------------------------


def duty_due_on(last_lawful_day: date, closed: Closures = NO_CLOSURES) -> date:
    """When a person is told a duty is due: the last working day on or before the law's day.

    Guards still accept the law's own day; this only keeps us from telling anyone a Sunday
    or a bank holiday, when nobody is at work to publish anything.
    """
    return last_working_day_on_or_before(last_lawful_day, closed)


# --- One rule's days (issue 12, fault 8) ----------------------------------------------------


@dataclass(frozen=True)
class DayRule:
    """How one notice rule counts its days: how many, and whether calendar or working days.

    Constitutions differ: one counts the forward plan's 28 clear days as calendar days, another
    the agenda's 5 in working days (R v Swansea CC ex p Elitestone), another its call-in in
    calendar days. Each rule reads its own ``DayRule`` from the settings
    (``Settings.day_rule``), so the guards, the duties and the records count alike.
    """

    days: int
    working: bool
    closed: Closures = NO_CLOSURES

    def latest_notice(self, meeting: date) -> date:
        """The last day a notice may go out and still give the clear days before ``meeting``."""
        if self.working:
            return latest_agenda_date(meeting, self.days, self.closed)
        return latest_notice_date(meeting, self.days)

    def in_time(self, published_on: date | None, meeting: date, today: date) -> bool:
        """A notice published by ``today`` that gives the clear days before ``meeting``."""
        return (
            published_on is not None
            and published_on <= today
            and published_on <= self.latest_notice(meeting)
        )

    def clear_between(self, notice: date, meeting: date) -> int:
        """The clear days, of this rule's kind, strictly between ``notice`` and ``meeting``."""
        if self.working:
            return clear_working_days_between(notice, meeting, self.closed)
        return clear_days_between(notice, meeting)

    def after(self, d: date) -> date:
        """The day this rule's period ends when it runs from ``d`` (``d`` never counts): the
        close of call-in, the day a record or reasons notice is due."""
        if self.days <= 0:
            return d
        if self.working:
            return add_working_days(d, self.days, self.closed)
        return d + timedelta(days=self.days)

    @property
    def words(self) -> str:
        """``28 clear days`` or ``5 clear working days``, for a refusal's reason."""
        return f"{self.days} clear {'working ' if self.working else ''}days"
