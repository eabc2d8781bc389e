"""Issue 12, fault 8: each notice rule counts its days as the constitution says, and the
council's own closure days (27-31 December) are no working days anywhere.

The defaults are SPEC §4's and keep every answer as it was; the properties hold each rule's
``DayRule`` to the plain rules of ``workflow.timerules``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework import (
    Work,
    approve_payload,
    deadline_kinds,
    london,
    new_case,
    sign_off_payload,
    to_cabinet,
    to_delegated,
)
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import ValidationError

from workflow.clock import FrozenClock
from workflow.errors import TransitionRefused
from workflow.lifecycle.events import fire
from workflow.lifecycle.guards import forward_plan_refusal
from workflow.models import Case, User
from workflow.settings import DAY_RULES, Settings
from workflow.timerules import (
    DayRule,
    add_working_days,
    call_in_end,
    clear_days_between,
    clear_working_days_between,
    duty_due_on,
    implementable_from,
    is_working_day,
    latest_agenda_date,
    latest_notice_date,
    parse_closures,
)

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
DAYS = st.integers(min_value=1, max_value=40)
CHRISTMAS = ["12-27..12-31"]
slow_ok = hsettings(deadline=None)


# --- The defaults are today's rules ---------------------------------------------------------


@slow_ok
@given(DATES, st.sampled_from(sorted(DAY_RULES)))
def test_prop_default_rules_count_as_before(d: date, name: str) -> None:
    """With no setting changed, every rule gives the day the fixed rule of SPEC §4 gave."""
    defaults = Settings()
    rule = defaults.day_rule(name)
    calendar = {"forward_plan", "private_notice", "private_further_notice"}
    assert rule.working is (name not in calendar)
    n = getattr(defaults, DAY_RULES[name])
    assert rule.days == n
    if rule.working:
        assert rule.latest_notice(d) == latest_agenda_date(d, n)
        assert rule.after(d) == add_working_days(d, n)
    else:
        assert rule.latest_notice(d) == latest_notice_date(d, n)
    assert defaults.day_rule("call_in").after(d) == call_in_end(d, defaults.call_in_working_days)


# --- Each rule, calendar or working ---------------------------------------------------------


@slow_ok
@given(DATES, DAYS, st.booleans(), st.booleans())
def test_prop_latest_notice_gives_exactly_the_days(
    meeting: date, n: int, working: bool, christmas: bool
) -> None:
    """The latest notice gives exactly N clear days of the rule's kind; a day later, fewer."""
    rule = DayRule(n, working, parse_closures(CHRISTMAS if christmas else []))
    latest = rule.latest_notice(meeting)
    assert rule.clear_between(latest, meeting) == n
    assert rule.clear_between(latest + timedelta(days=1), meeting) < n


@slow_ok
@given(DATES, DATES, DAYS, st.booleans(), st.booleans())
def test_prop_in_time_is_enough_clear_days_published_by_today(
    published: date, meeting: date, n: int, working: bool, christmas: bool
) -> None:
    rule = DayRule(n, working, parse_closures(CHRISTMAS if christmas else []))
    today = published + timedelta(days=3)
    assert rule.in_time(published, meeting, today) == (rule.clear_between(published, meeting) >= n)
    assert not rule.in_time(published, meeting, published - timedelta(days=1))
    assert not rule.in_time(None, meeting, today)


@slow_ok
@given(DATES, DAYS, st.booleans())
def test_prop_after_counts_n_days_of_its_kind(d: date, n: int, christmas: bool) -> None:
    closed = parse_closures(CHRISTMAS if christmas else [])
    assert DayRule(n, False, closed).after(d) == d + timedelta(days=n)
    end = DayRule(n, True, closed).after(d)
    assert is_working_day(end, closed)
    assert clear_working_days_between(d, end, closed) == n - 1
    assert clear_days_between(d, end) >= n - 1


def test_a_forward_plan_counted_in_working_days_needs_an_earlier_notice() -> None:
    """Oldham, Mon 18 Sep 2023: a notice on Sun 20 Aug gives 28 clear calendar days, but 28
    clear working days (Mon 28 Aug a bank holiday) needed it by Mon 7 Aug."""
    case = Case(meeting_date=date(2023, 9, 18), forward_plan_published_on=date(2023, 8, 20))
    today = date(2023, 9, 1)
    assert forward_plan_refusal(case, Settings(), today) is None
    working = Settings(forward_plan_in_working_days=True)
    reason = forward_plan_refusal(case, working, today)
    assert reason is not None
    assert "by Mon 07 Aug 2023 (28 clear working days before the meeting)" in reason
    case.forward_plan_published_on = date(2023, 8, 7)
    assert forward_plan_refusal(case, working, today) is None


@pytest.fixture
def settings(database_url: str, request: pytest.FixtureRequest) -> Settings:
    extra = getattr(request, "param", {})
    return Settings(database_url=database_url, reminder_channels=["log"], **extra)


@pytest.mark.parametrize(
    ("settings", "call_in_ends", "sign_off_on"),
    [
        ({}, date(2024, 9, 13), london(2024, 9, 16)),  # 5 working days, Mon 16 Sep
        ({"call_in_in_working_days": False}, date(2024, 9, 11), london(2024, 9, 12)),
        ({"call_in_working_days": 3}, date(2024, 9, 11), london(2024, 9, 12)),
    ],
    indirect=["settings"],
)
def test_call_in_counts_as_the_constitution_says(
    work: Work,
    clock: FrozenClock,
    people: dict[str, User],
    call_in_ends: date,
    sign_off_on: object,
) -> None:
    """Cabinet decided Thu 5 Sep 2024, notice Fri 6 Sep: call-in ends after five working days
    (Fri 13 Sep), or five calendar days (Wed 11 Sep), or three working days (Wed 11 Sep)."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id, consultee_id=None)
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["call_in_end"] == {call_in_ends}
    clock.travel_to(sign_off_on)  # type: ignore[arg-type]
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload())


# --- Closure days ---------------------------------------------------------------------------


def test_closures_parse_days_ranges_and_every_year() -> None:
    closed = parse_closures(["12-27..12-31", "2026-01-02", "2027-04-06..2027-04-07"])
    assert date(2024, 12, 27) in closed and date(2031, 12, 31) in closed
    assert date(2026, 1, 2) in closed and date(2027, 1, 2) not in closed
    assert date(2027, 4, 7) in closed and date(2027, 4, 8) not in closed
    over_new_year = parse_closures(["12-30..01-02"])
    assert date(2024, 12, 30) in over_new_year and date(2025, 1, 2) in over_new_year
    assert date(2025, 1, 3) not in over_new_year
    assert date(2024, 2, 29) in parse_closures(["02-29"])


@pytest.mark.parametrize("bad", ["27-12", "2026-12-31..2026-12-27", "Christmas", "2026-02-30"])
def test_a_closure_the_settings_cannot_read_is_refused_at_start(bad: str) -> None:
    with pytest.raises(ValidationError, match="closure"):
        Settings(closure_days=[bad])


def test_christmas_closure_is_no_working_day() -> None:
    """Over Christmas 2024: Wed 25 and Thu 26 Dec are bank holidays, 27-31 Dec the council's
    closure, Wed 1 Jan 2025 a bank holiday; Thu 2 Jan is the first day back."""
    closed = Settings(closure_days=CHRISTMAS).closures
    assert is_working_day(date(2024, 12, 27)) and not is_working_day(date(2024, 12, 27), closed)
    # Call-in from a notice on Fri 20 Dec: Tue 31 Dec without the closure, Mon 6 Jan with it.
    assert call_in_end(date(2024, 12, 20), 5) == date(2024, 12, 31)
    assert call_in_end(date(2024, 12, 20), 5, closed) == date(2025, 1, 6)
    assert implementable_from(date(2024, 12, 24), closed) == date(2025, 1, 2)
    # The agenda for Mon 6 Jan 2025: Thu 26 Dec without the closure, Thu 19 Dec with it.
    assert latest_agenda_date(date(2025, 1, 6), 5) == date(2024, 12, 26)
    assert latest_agenda_date(date(2025, 1, 6), 5, closed) == date(2024, 12, 19)
    # A duty whose lawful day is Mon 30 Dec is due on Tue 24 Dec when the council is closed.
    assert duty_due_on(date(2024, 12, 30)) == date(2024, 12, 30)
    assert duty_due_on(date(2024, 12, 30), closed) == date(2024, 12, 24)


@pytest.mark.parametrize(
    ("settings", "call_in_ends"),
    [
        ({}, date(2024, 12, 31)),
        ({"closure_days": CHRISTMAS}, date(2025, 1, 6)),
    ],
    indirect=["settings"],
)
def test_call_in_over_christmas_skips_the_councils_closure(
    work: Work, clock: FrozenClock, people: dict[str, User], call_in_ends: date
) -> None:
    """Cabinet on Thu 19 Dec 2024, notice Fri 20 Dec: call-in ends Tue 31 Dec, or Mon 6 Jan
    2025 when the council is closed 27-31 Dec, so a sign-off on Thu 2 Jan is refused then."""
    with work() as ctx:
        case_id = new_case(ctx, people, meeting_date=date(2024, 12, 19))
    clock.travel_to(london(2024, 12, 2))
    to_cabinet(work, people, case_id)
    clock.travel_to(london(2024, 12, 20))
    approve = approve_payload(
        people,
        decided_on=date(2024, 12, 19),
        notice_published_on=date(2024, 12, 20),
        consultee_id=None,
    )
    with work() as ctx:
        fire(ctx, case_id, "approve", people["clerk"], approve)
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["call_in_end"] == {call_in_ends}
    clock.travel_to(london(2025, 1, 2))
    with work() as ctx:
        if call_in_ends < date(2025, 1, 2):
            fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload())
            return
        with pytest.raises(TransitionRefused) as refused:
            fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload())
    assert "the call-in period ends on Mon 06 Jan 2025" in str(refused.value.guards)
