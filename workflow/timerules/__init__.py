"""The rules of time (SPEC §4 and §5) as pure functions of dates and settings.

Nothing here reads the clock, a database or the scheduler: "now" is always a parameter, so the
same answer comes out of a guard, a deadline recomputation, a scheduler pass and a test. Dates
are Europe/London calendar days; instants are aware and returned in UTC.
"""

from __future__ import annotations

from workflow.timerules.days import (
    add_working_days,
    call_in_end,
    clear_days_between,
    clear_working_days_between,
    duty_due_on,
    implementable_from,
    is_working_day,
    last_working_day_on_or_before,
    latest_agenda_date,
    latest_notice_date,
    latest_working_notice_date,
    next_working_day_after,
    notice_in_time,
    notice_in_time_working,
)
from workflow.timerules.instants import LONDON, at_london_time, london_date
from workflow.timerules.moments import ReminderMoment, escalation_moment, reminder_moments
from workflow.timerules.retention import kept_through
from workflow.timerules.terms import add_months, envelope_end, next_term_start, term_end

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
    "envelope_end",
    "escalation_moment",
    "implementable_from",
    "is_working_day",
    "kept_through",
    "last_working_day_on_or_before",
    "latest_agenda_date",
    "latest_notice_date",
    "latest_working_notice_date",
    "london_date",
    "next_term_start",
    "next_working_day_after",
    "notice_in_time",
    "notice_in_time_working",
    "reminder_moments",
    "term_end",
]
