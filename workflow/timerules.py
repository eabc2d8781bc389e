"""The rules of time (SPEC §4 and §5) as pure functions of dates and settings.

Nothing here reads the clock, a database or the scheduler: "now" is always a parameter, so the
same answer comes out of a guard, a deadline recomputation, a scheduler pass and a test. Dates
are Europe/London calendar days; instants are aware and returned in UTC.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "ReminderMoment",
    "add_months",
    "add_working_days",
    "at_london_time",
    "call_in_end",
    "clear_days_between",
    "clear_working_days_between",
    "duty_due_on",
    "escalation_moment",
    "implementable_from",
    "is_working_day",
    "last_working_day_on_or_before",
    "latest_agenda_date",
    "latest_notice_date",
    "london_date",
    "next_term_start",
    "next_working_day_after",
    "notice_in_time",
    "reminder_moments",
    "term_end",
]

LONDON: ZoneInfo = ZoneInfo("Europe/London")

_ONE_DAY = timedelta(days=1)


# --- Calendar months and terms -------------------------------------------------------------


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


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a bank holiday in England (substitute days included)."""
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def last_working_day_on_or_before(d: date) -> date:
    """``d`` itself if it is a working day, else the nearest working day before it."""
    while not is_working_day(d):
        d -= _ONE_DAY
    return d


def next_working_day_after(d: date) -> date:
    """The first working day strictly after ``d``."""
    d += _ONE_DAY
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def add_working_days(d: date, n: int) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself never counts, working or not)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    for _ in range(n):
        d = next_working_day_after(d)
    return d


def _nth_working_day_before(d: date, n: int) -> date:
    """The ``n``-th working day strictly before ``d``; ``d`` itself when ``n`` is 0."""
    for _ in range(n):
        d -= _ONE_DAY
        while not is_working_day(d):
            d -= _ONE_DAY
    return d


def clear_working_days_between(notice: date, meeting: date) -> int:
    """Working days strictly between the notice and the meeting.

    Agendas are counted this way because clear days for them exclude weekends and bank
    holidays (R v Swansea CC ex p Elitestone). Never negative.
    """
    count = 0
    d = notice + _ONE_DAY
    while d < meeting:
        if is_working_day(d):
            count += 1
        d += _ONE_DAY
    return count


def latest_agenda_date(meeting: date, clear_working_days: int) -> date:
    """The last day the agenda may be published with ``clear_working_days`` clear working days.

    It is the day before the N-th working day before the meeting: the law's own day, which
    may be a weekend (meeting Mon 18 Sep 2023, N=5 -> Sun 10 Sep). With N=0 it is the day
    before the meeting, since an agenda must at least precede its meeting.
    """
    if clear_working_days < 0:
        raise ValueError(f"clear working days cannot be negative: {clear_working_days}")
    return _nth_working_day_before(meeting, clear_working_days) - _ONE_DAY


# --- Call-in -------------------------------------------------------------------------------


def call_in_end(notice_published_on: date, working_days: int) -> date:
    """The day call-in closes: at the close of the N-th working day after publication.

    The publication day itself never counts, even when it is a working day.
    """
    return add_working_days(notice_published_on, working_days)


def implementable_from(call_in_end_date: date) -> date:
    """The first day a called-in-able decision may be implemented: the next working day."""
    return next_working_day_after(call_in_end_date)


# --- Duties for people ---------------------------------------------------------------------


def duty_due_on(last_lawful_day: date) -> date:
    """When a person is told a duty is due: the last working day on or before the law's day.

    Guards still accept the law's own day; this only keeps us from telling anyone a Sunday
    or a bank holiday, when nobody is at work to publish anything.
    """
    return last_working_day_on_or_before(last_lawful_day)


# --- Instants ------------------------------------------------------------------------------


def _require_aware(instant: datetime) -> None:
    """Naive instants are refused: guessing their zone is how reminders go out an hour off."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant must be timezone-aware, got naive {instant.isoformat()}")


def london_date(instant: datetime) -> date:
    """The Europe/London calendar date of an aware instant (every rule counts London days)."""
    _require_aware(instant)
    return instant.astimezone(LONDON).date()


def at_london_time(d: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant at which London's wall clock shows ``hour:minute`` on ``d``.

    The offset is taken for that very day, so 09:00 is 09:00 UTC in winter and 08:00 UTC in
    summer. For a wall time that does not exist (the spring-forward gap) the pre-change offset
    is used, which lands just after the gap; for one that occurs twice (autumn) the first.
    """
    local = datetime.combine(d, time(hour, minute), tzinfo=LONDON)
    return local.astimezone(UTC)


# --- Reminders and escalation --------------------------------------------------------------


@dataclass(frozen=True)
class ReminderMoment:
    """One planned reminder for a deadline.

    ``offset_days`` is the number of days before ``due_on``; for a coalesced reminder it is the
    smallest offset it stands for. ``fire_at`` is aware UTC. ``coalesced`` marks a reminder that
    stands for one or more offsets whose moment had already passed when it was planned.
    """

    offset_days: int
    fire_at: datetime
    coalesced: bool


def reminder_moments(
    due_on: date, offsets_days: Sequence[int], hour: int, now: datetime
) -> list[ReminderMoment]:
    """Plan the reminders for a duty due on ``due_on`` as seen at ``now``.

    One moment per distinct offset at ``hour``:00 London on ``due_on - offset``. Offsets whose
    moment has already passed are not sent in a burst (SPEC §5): while the due date itself has
    not passed they coalesce into one reminder at ``now``, labelled with the smallest missed
    offset (the most urgent one it stands for). A due date already past plans nothing; the
    escalation covers it. Sorted by ``fire_at``.
    """
    _require_aware(now)
    if any(offset < 0 for offset in offsets_days):
        raise ValueError(f"reminder offsets are days before the deadline: {list(offsets_days)}")
    now_utc = now.astimezone(UTC)
    if london_date(now_utc) > due_on:
        return []

    missed: list[int] = []
    planned: list[ReminderMoment] = []
    for offset in sorted(set(offsets_days)):
        fire_at = at_london_time(due_on - timedelta(days=offset), hour)
        if fire_at < now_utc:
            missed.append(offset)
        else:
            planned.append(ReminderMoment(offset_days=offset, fire_at=fire_at, coalesced=False))

    planned.sort(key=lambda moment: moment.fire_at)
    if missed:
        catch_up = ReminderMoment(offset_days=min(missed), fire_at=now_utc, coalesced=True)
        planned.insert(0, catch_up)
    return planned


def escalation_moment(due_on: date, hour: int, now: datetime) -> datetime:
    """When to escalate a duty left undone: ``hour``:00 London the day after ``due_on``.

    If that moment has already passed (the deadline was set or moved into the past), escalate
    at ``now`` rather than never.
    """
    _require_aware(now)
    moment = at_london_time(due_on + _ONE_DAY, hour)
    return max(moment, now.astimezone(UTC))
