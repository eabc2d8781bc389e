"""Rules of time (SPEC §4, §5): the spec's worked examples, then properties over 2000-2100."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.timerules import (
    LONDON,
    ReminderMoment,
    add_months,
    add_working_days,
    at_london_time,
    call_in_end,
    clear_days_between,
    clear_working_days_between,
    duty_due_on,
    escalation_moment,
    implementable_from,
    is_working_day,
    last_working_day_on_or_before,
    latest_agenda_date,
    latest_notice_date,
    london_date,
    next_working_day_after,
    reminder_moments,
    term_end,
)

OLDHAM_MEETING = date(2023, 9, 18)  # Monday: Oldham Cabinet, Miocare SLA
DEFAULT_OFFSETS = (28, 14, 7, 1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2024, 10, 1), 6, date(2025, 3, 31)),  # Sefton: the initial six months
        (date(2024, 10, 1), 12, date(2025, 9, 30)),  # Sefton: the full twelve
        (date(2024, 8, 31), 6, date(2025, 2, 28)),  # February has no 31st: its last day
        (date(2024, 8, 28), 6, date(2025, 2, 27)),  # the 28th exists: the day before
    ],
)
def test_term_end_spec_examples(start: date, months: int, end: date) -> None:
    assert term_end(start, months) == end


def test_sefton_extension_starts_the_day_after_the_initial_term() -> None:
    first = term_end(date(2024, 10, 1), 6)
    assert term_end(first + timedelta(days=1), 6) == term_end(date(2024, 10, 1), 12)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2023, 8, 29), date(2024, 2, 28)),  # 29 Feb 2024 exists: the day before it
        (date(2024, 8, 29), date(2025, 2, 28)),  # no 29 Feb 2025: February's last day
        (date(2024, 8, 30), date(2025, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year: last day is the 29th
    ],
)
def test_term_end_around_february(start: date, end: date) -> None:
    assert term_end(start, 6) == end


def test_term_end_refuses_an_empty_term() -> None:
    with pytest.raises(ValueError):
        term_end(date(2024, 10, 1), 0)


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
        (date(2025, 2, 15), -3, date(2024, 11, 15)),
        (date(2024, 5, 31), 0, date(2024, 5, 31)),
    ],
)
def test_add_months(d: date, months: int, expected: date) -> None:
    assert add_months(d, months) == expected


# --- Clear days: forward plan, private notice -----------------------------------------------


def test_forward_plan_notice_on_sunday_20_august_is_in_time() -> None:
    assert clear_days_between(date(2023, 8, 20), OLDHAM_MEETING) == 28
    assert latest_notice_date(OLDHAM_MEETING, 28) == date(2023, 8, 20)


def test_forward_plan_notice_on_21_august_is_too_late() -> None:
    assert clear_days_between(date(2023, 8, 21), OLDHAM_MEETING) == 27


def test_forward_plan_duty_is_due_the_friday_before() -> None:
    assert duty_due_on(date(2023, 8, 20)) == date(2023, 8, 18)


def test_clear_days_are_never_negative() -> None:
    assert clear_days_between(OLDHAM_MEETING, OLDHAM_MEETING) == 0
    assert clear_days_between(OLDHAM_MEETING + timedelta(days=3), OLDHAM_MEETING) == 0
    assert clear_days_between(OLDHAM_MEETING - timedelta(days=1), OLDHAM_MEETING) == 0


# --- Working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "working"),
    [
        (date(2023, 9, 18), True),  # an ordinary Monday
        (date(2023, 9, 16), False),  # Saturday
        (date(2023, 9, 17), False),  # Sunday
        (date(2023, 12, 25), False),  # Christmas Day
        (date(2023, 12, 26), False),  # Boxing Day
        (date(2024, 1, 1), False),  # New Year's Day
        (date(2024, 3, 29), False),  # Good Friday
        (date(2024, 4, 1), False),  # Easter Monday
        (date(2021, 12, 27), False),  # substitute day for Christmas on a Saturday
        (date(2021, 12, 28), False),  # substitute day for Boxing Day on a Sunday
        (date(2022, 9, 19), False),  # one-off: the Queen's state funeral
        (date(2023, 5, 8), False),  # one-off: the coronation
        (date(2023, 3, 17), True),  # St Patrick's Day is a holiday in NI, not England
        (date(2023, 11, 30), True),  # St Andrew's Day is a holiday in Scotland, not England
    ],
)
def test_is_working_day(d: date, working: bool) -> None:
    assert is_working_day(d) is working


def test_last_and_next_working_day() -> None:
    assert last_working_day_on_or_before(date(2023, 9, 18)) == date(2023, 9, 18)
    assert last_working_day_on_or_before(date(2023, 9, 17)) == date(2023, 9, 15)
    assert last_working_day_on_or_before(date(2024, 4, 1)) == date(2024, 3, 28)
    assert next_working_day_after(date(2023, 9, 15)) == date(2023, 9, 18)
    assert next_working_day_after(date(2023, 12, 22)) == date(2023, 12, 27)


def test_add_working_days_needs_at_least_one() -> None:
    assert add_working_days(date(2023, 9, 15), 1) == date(2023, 9, 18)
    with pytest.raises(ValueError):
        add_working_days(date(2023, 9, 15), 0)


# --- Agenda: clear working days --------------------------------------------------------------


def test_agenda_may_go_out_as_late_as_sunday_10_september() -> None:
    latest = latest_agenda_date(OLDHAM_MEETING, 5)
    assert latest == date(2023, 9, 10)
    assert clear_working_days_between(latest, OLDHAM_MEETING) == 5
    assert clear_working_days_between(date(2023, 9, 11), OLDHAM_MEETING) == 4


def test_agenda_duty_is_due_friday_8_september() -> None:
    assert duty_due_on(latest_agenda_date(OLDHAM_MEETING, 5)) == date(2023, 9, 8)


def test_agenda_clear_working_days_skip_bank_holidays() -> None:
    # Meeting Thu 4 Jan 2024: working days before it are 3, 2 Jan, 29, 28, 27 Dec
    # (1 Jan, 26 and 25 Dec are bank holidays), so the agenda may go out on Tue 26 Dec,
    # and whoever publishes it must do so by Fri 22 Dec.
    meeting = date(2024, 1, 4)
    assert latest_agenda_date(meeting, 5) == date(2023, 12, 26)
    assert duty_due_on(latest_agenda_date(meeting, 5)) == date(2023, 12, 22)


def test_agenda_with_no_clear_working_days_is_the_day_before() -> None:
    assert latest_agenda_date(OLDHAM_MEETING, 0) == date(2023, 9, 17)


# --- Call-in --------------------------------------------------------------------------------


def test_call_in_over_christmas_skips_the_bank_holidays() -> None:
    # Published Thu 21 Dec 2023: Fri 22 (1), [Mon 25, Tue 26 holidays], Wed 27 (2), Thu 28 (3),
    # Fri 29 (4), [Mon 1 Jan holiday], Tue 2 Jan (5).
    end = call_in_end(date(2023, 12, 21), 5)
    assert end == date(2024, 1, 2)
    assert implementable_from(end) == date(2024, 1, 3)


def test_call_in_over_easter() -> None:
    # Published Wed 27 Mar 2024: Thu 28 (1), [Good Friday 29, Easter Monday 1 Apr],
    # Tue 2 (2), Wed 3 (3), Thu 4 (4), Fri 5 (5); implementable Monday 8 April.
    end = call_in_end(date(2024, 3, 27), 5)
    assert end == date(2024, 4, 5)
    assert implementable_from(end) == date(2024, 4, 8)


def test_call_in_from_a_weekend_publication() -> None:
    # Publication on a Saturday does not count; Mon-Fri are days 1-5.
    assert call_in_end(date(2023, 9, 16), 5) == date(2023, 9, 22)
    assert implementable_from(date(2023, 9, 22)) == date(2023, 9, 25)


# --- Instants -------------------------------------------------------------------------------


def test_london_date_follows_british_summer_time() -> None:
    assert london_date(utc(2024, 7, 1, 23, 30)) == date(2024, 7, 2)  # 00:30 BST
    assert london_date(utc(2024, 1, 1, 23, 30)) == date(2024, 1, 1)  # 23:30 GMT


def test_london_date_refuses_naive_instants() -> None:
    with pytest.raises(ValueError):
        london_date(datetime(2024, 1, 1, 12, 0))


def test_at_london_time_in_winter_and_summer() -> None:
    assert at_london_time(date(2024, 1, 15), 9) == utc(2024, 1, 15, 9, 0)
    assert at_london_time(date(2024, 7, 15), 9) == utc(2024, 7, 15, 8, 0)
    assert at_london_time(date(2024, 7, 15), 9, 30) == utc(2024, 7, 15, 8, 30)
    assert at_london_time(date(2024, 7, 15), 9).tzinfo is UTC


def test_at_london_time_on_the_change_days() -> None:
    # Clocks go forward at 01:00 GMT on Sun 31 Mar 2024 and back at 02:00 BST on Sun 27 Oct.
    assert at_london_time(date(2024, 3, 31), 9) == utc(2024, 3, 31, 8, 0)
    assert at_london_time(date(2024, 10, 27), 9) == utc(2024, 10, 27, 9, 0)
    # 01:30 does not exist on 31 Mar: it lands after the gap (02:30 BST).
    assert at_london_time(date(2024, 3, 31), 1, 30) == utc(2024, 3, 31, 1, 30)
    # 01:30 happens twice on 27 Oct: the first (BST) one.
    assert at_london_time(date(2024, 10, 27), 1, 30) == utc(2024, 10, 27, 0, 30)


# --- Reminders ------------------------------------------------------------------------------


def _plain(offset: int, fire_at: datetime) -> ReminderMoment:
    return ReminderMoment(offset_days=offset, fire_at=fire_at, coalesced=False)


def test_reminders_in_winter_are_0900_utc() -> None:
    moments = reminder_moments(date(2024, 1, 31), DEFAULT_OFFSETS, 9, utc(2023, 12, 1))
    assert moments == [
        _plain(28, utc(2024, 1, 3, 9)),
        _plain(14, utc(2024, 1, 17, 9)),
        _plain(7, utc(2024, 1, 24, 9)),
        _plain(1, utc(2024, 1, 30, 9)),
    ]


def test_reminders_in_summer_are_0800_utc() -> None:
    moments = reminder_moments(date(2024, 7, 31), DEFAULT_OFFSETS, 9, utc(2024, 6, 1))
    assert moments == [
        _plain(28, utc(2024, 7, 3, 8)),
        _plain(14, utc(2024, 7, 17, 8)),
        _plain(7, utc(2024, 7, 24, 8)),
        _plain(1, utc(2024, 7, 30, 8)),
    ]


def test_reminders_across_the_clocks_going_forward() -> None:
    # Due Sun 7 Apr 2024; clocks go forward on Sun 31 Mar, the day of the 7-day reminder.
    moments = reminder_moments(date(2024, 4, 7), DEFAULT_OFFSETS, 9, utc(2024, 2, 1))
    assert [m.fire_at for m in moments] == [
        utc(2024, 3, 10, 9),
        utc(2024, 3, 24, 9),
        utc(2024, 3, 31, 8),
        utc(2024, 4, 6, 8),
    ]
    assert all(m.fire_at.astimezone(LONDON).hour == 9 for m in moments)


def test_reminders_across_the_clocks_going_back() -> None:
    # Due Sun 3 Nov 2024; clocks go back on Sun 27 Oct, the day of the 7-day reminder.
    moments = reminder_moments(date(2024, 11, 3), DEFAULT_OFFSETS, 9, utc(2024, 9, 1))
    assert [m.fire_at for m in moments] == [
        utc(2024, 10, 6, 8),
        utc(2024, 10, 20, 8),
        utc(2024, 10, 27, 9),
        utc(2024, 11, 2, 9),
    ]
    assert all(m.fire_at.astimezone(LONDON).hour == 9 for m in moments)


def test_missed_reminders_coalesce_into_one_sent_now() -> None:
    now = utc(2024, 5, 1, 9)  # 10:00 BST
    moments = reminder_moments(date(2024, 5, 11), DEFAULT_OFFSETS, 9, now)
    assert moments == [
        ReminderMoment(offset_days=14, fire_at=now, coalesced=True),
        _plain(7, utc(2024, 5, 4, 8)),
        _plain(1, utc(2024, 5, 10, 8)),
    ]


def test_all_reminders_missed_on_the_due_day_still_send_one() -> None:
    now = utc(2024, 5, 11, 14)
    assert reminder_moments(date(2024, 5, 11), DEFAULT_OFFSETS, 9, now) == [
        ReminderMoment(offset_days=1, fire_at=now, coalesced=True)
    ]


def test_no_reminders_once_the_due_date_has_passed() -> None:
    # 00:30 BST on 12 May is already the day after: the escalation's job, not a reminder's.
    assert reminder_moments(date(2024, 5, 11), DEFAULT_OFFSETS, 9, utc(2024, 5, 11, 23, 30)) == []


def test_a_moment_exactly_now_is_not_missed() -> None:
    now = utc(2024, 5, 10, 8)  # 09:00 BST on the day before
    assert reminder_moments(date(2024, 5, 11), (1,), 9, now) == [_plain(1, now)]


def test_duplicate_offsets_count_once() -> None:
    moments = reminder_moments(date(2024, 1, 31), (7, 1, 7, 1), 9, utc(2023, 12, 1))
    assert [m.offset_days for m in moments] == [7, 1]


def test_coalesced_moment_is_in_utc_even_when_now_is_given_in_london() -> None:
    now = datetime(2024, 5, 1, 10, 0, tzinfo=LONDON)
    first = reminder_moments(date(2024, 5, 11), DEFAULT_OFFSETS, 9, now)[0]
    assert first.coalesced
    assert first.fire_at == now
    assert first.fire_at.utcoffset() == timedelta(0)


def test_reminders_refuse_naive_now_and_negative_offsets() -> None:
    with pytest.raises(ValueError):
        reminder_moments(date(2024, 5, 11), DEFAULT_OFFSETS, 9, datetime(2024, 5, 1))
    with pytest.raises(ValueError):
        reminder_moments(date(2024, 5, 11), (7, -1), 9, utc(2024, 5, 1))


def test_escalation_is_the_morning_after_or_now() -> None:
    assert escalation_moment(date(2024, 5, 10), 9, utc(2024, 5, 1)) == utc(2024, 5, 11, 8)
    assert escalation_moment(date(2024, 1, 10), 9, utc(2024, 1, 1)) == utc(2024, 1, 11, 9)
    late = utc(2024, 5, 20, 15, 45)
    assert escalation_moment(date(2024, 5, 10), 9, late) == late
    with pytest.raises(ValueError):
        escalation_moment(date(2024, 5, 10), 9, datetime(2024, 5, 1))


# --- Properties -----------------------------------------------------------------------------

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
MONTHS = st.integers(min_value=1, max_value=120)
OFFSETS = st.lists(st.integers(min_value=0, max_value=60), max_size=8)
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 12, 31),
    timezones=st.sampled_from([UTC, LONDON]),
)
# Building a year's bank holidays the first time is slow; correctness, not speed, is tested here.
slow_ok = settings(deadline=None)


@slow_ok
@given(DATES, MONTHS)
def test_prop_term_end_is_before_the_corresponding_date(start: date, months: int) -> None:
    end = term_end(start, months)
    corresponding = add_months(start, months)
    assert start <= end <= corresponding
    if corresponding.day == start.day:
        # The date exists: the term ends the day before it.
        assert end == corresponding - timedelta(days=1)
    else:
        # It does not: add_months clamped to the month's last day, which is where the term ends.
        assert end == corresponding
        assert (end + timedelta(days=1)).day == 1


@slow_ok
@given(DATES.filter(lambda d: d.day <= 28), MONTHS)
def test_prop_term_end_strictly_before_when_the_day_exists(start: date, months: int) -> None:
    assert term_end(start, months) < add_months(start, months)


@slow_ok
@given(DATES.filter(lambda d: d.day <= 28), MONTHS, MONTHS)
def test_prop_terms_chain(start: date, a: int, b: int) -> None:
    next_start = term_end(start, a) + timedelta(days=1)
    assert term_end(next_start, b) == term_end(start, a + b)


@slow_ok
@given(DATES, st.integers(min_value=-240, max_value=240))
def test_prop_add_months_round_trips_for_days_every_month_has(d: date, months: int) -> None:
    if d.day <= 28:
        assert add_months(add_months(d, months), -months) == d
    shifted = add_months(d, months)
    assert (shifted.year * 12 + shifted.month) - (d.year * 12 + d.month) == months
    assert shifted.day <= d.day


@slow_ok
@given(DATES, st.integers(min_value=1, max_value=30))
def test_prop_call_in_end_and_add_working_days(d: date, n: int) -> None:
    end = add_working_days(d, n)
    assert is_working_day(end)
    assert end > d
    assert clear_working_days_between(d, end) == n - 1  # n-th working day: n-1 strictly between
    assert call_in_end(d, n) == end
    after = implementable_from(end)
    assert is_working_day(after)
    assert after > end
    assert clear_working_days_between(end, after) == 0


@slow_ok
@given(DATES)
def test_prop_duty_due_on_is_a_recent_working_day(d: date) -> None:
    due = duty_due_on(d)
    assert is_working_day(due)
    assert d - timedelta(days=7) < due <= d
    assert all(not is_working_day(due + timedelta(days=i)) for i in range(1, (d - due).days + 1))


@slow_ok
@given(DATES, st.integers(min_value=0, max_value=400))
def test_prop_latest_notice_gives_exactly_the_clear_days(meeting: date, n: int) -> None:
    latest = latest_notice_date(meeting, n)
    assert clear_days_between(latest, meeting) == n
    assert clear_days_between(latest + timedelta(days=1), meeting) < max(n, 1)


@slow_ok
@given(DATES, st.integers(min_value=1, max_value=30))
def test_prop_latest_agenda_gives_exactly_n_clear_working_days(meeting: date, n: int) -> None:
    latest = latest_agenda_date(meeting, n)
    assert clear_working_days_between(latest, meeting) == n
    assert clear_working_days_between(latest + timedelta(days=1), meeting) < n


@slow_ok
@given(INSTANTS, st.integers(min_value=-3, max_value=70), OFFSETS)
def test_prop_reminders_at_0900_never_before_now(
    now: datetime, days_ahead: int, offsets: list[int]
) -> None:
    due_on = london_date(now) + timedelta(days=days_ahead)
    moments = reminder_moments(due_on, offsets, 9, now)

    if days_ahead < 0:
        assert moments == []
    assert len(moments) <= len(set(offsets))
    assert sum(m.coalesced for m in moments) <= 1
    assert [m.fire_at for m in moments] == sorted(m.fire_at for m in moments)
    for m in moments:
        assert m.fire_at >= now
        assert m.fire_at.utcoffset() == timedelta(0)
        assert m.offset_days in offsets
        if m.coalesced:
            # Compared in UTC: PEP 495 makes == across zones False for gap/fold wall times.
            assert m.fire_at == now.astimezone(UTC)
        else:
            wall = m.fire_at.astimezone(LONDON)
            assert (wall.hour, wall.minute, wall.second) == (9, 0, 0)
            assert wall.date() == due_on - timedelta(days=m.offset_days)

    coalesced = [m for m in moments if m.coalesced]
    if coalesced:
        # Missed moments are the earliest ones, i.e. the largest offsets.
        assert all(m.offset_days < coalesced[0].offset_days for m in moments if not m.coalesced)


@slow_ok
@given(INSTANTS, st.integers(min_value=0, max_value=70), OFFSETS, st.integers(0, 23))
def test_prop_every_offset_is_accounted_for(
    now: datetime, days_ahead: int, offsets: list[int], hour: int
) -> None:
    due_on = london_date(now) + timedelta(days=days_ahead)
    moments = reminder_moments(due_on, offsets, hour, now)
    planned = {m.offset_days for m in moments if not m.coalesced}
    missed = set(offsets) - planned
    coalesced = [m for m in moments if m.coalesced]
    if missed:
        assert [m.offset_days for m in coalesced] == [min(missed)]
    else:
        assert coalesced == []


@slow_ok
@given(INSTANTS, st.integers(min_value=-10, max_value=70), st.integers(0, 23))
def test_prop_escalation_is_never_before_now_or_the_morning_after(
    now: datetime, days_ahead: int, hour: int
) -> None:
    due_on = london_date(now) + timedelta(days=days_ahead)
    moment = escalation_moment(due_on, hour, now)
    morning_after = at_london_time(due_on + timedelta(days=1), hour)
    assert moment == max(now.astimezone(UTC), morning_after)
    assert london_date(moment) > due_on
