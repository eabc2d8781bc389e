"""A notice duty is done exactly when submit's guard would accept the notice (SPEC §3, §5).

The forward-plan and private-meeting notice duties used to count as done as soon as any date
was entered, even a date still to come or one too late for the 28 clear days, while the submit
guards refused: people stopped being reminded of a duty the case could not pass. Both now ask
``timerules.notice_in_time``; the forward-plan duty is also done by an urgency route that meets
its own rule, decided by the very function the ``key_decision_notice`` guard uses.

The case is for the Cabinet of Thu 5 Sep 2024: a notice 28 clear days ahead is due by Wed 7 Aug,
a general exception notice 5 clear working days ahead by Wed 28 Aug (issue 11: working days by
default). Agendas may go out the day before, so that only the notice guards can refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import Work, allowed, london, new_case, reminders_of
from sqlmodel import select

from workflow import timerules
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.deadlines.notices import refresh_notices_now_published
from workflow.lifecycle.bundle import get_case
from workflow.lifecycle.cases import patch_case
from workflow.lifecycle.events import fire
from workflow.models import Deadline, User
from workflow.schemas import CasePatch, UrgencyIn
from workflow.settings import Settings

People = dict[str, User]
MEETING = date(2024, 9, 5)


# --- the one rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "today", "counts"),
    [
        (None, date(2024, 8, 1), False),
        (date(2024, 8, 7), date(2024, 8, 7), True),  # published today, 28 clear days
        (date(2024, 8, 7), date(2024, 9, 1), True),
        (date(2024, 8, 8), date(2024, 9, 1), False),  # 27 clear days
        (date(2024, 8, 7), date(2024, 8, 6), False),  # in time, but still to come
        (date(2024, 7, 1), date(2024, 6, 30), False),
    ],
)
def test_notice_in_time(published_on: date | None, today: date, counts: bool) -> None:
    assert timerules.notice_in_time(published_on, MEETING, 28, today) is counts


def test_notice_in_time_counts_clear_days_like_clear_days_between() -> None:
    # Oldham (SPEC §4): for Mon 18 Sep 2023, Sun 20 Aug gives 28 clear days and Mon 21 Aug 27.
    meeting, today = date(2023, 9, 18), date(2023, 9, 1)
    assert timerules.notice_in_time(date(2023, 8, 20), meeting, 28, today)
    assert not timerules.notice_in_time(date(2023, 8, 21), meeting, 28, today)
    assert timerules.notice_in_time(date(2023, 9, 1), meeting, 5, today)
    assert not timerules.notice_in_time(date(2023, 9, 18), meeting, 0, today)


# --- the duty agrees with the guard -------------------------------------------------------


CHAIR = "the scrutiny chair"  # replaced by that person's id once the people exist


def _general(notified_on: date | None, told: str | None = CHAIR) -> dict[str, Any]:
    return {
        "key_decision": True,
        "urgency": {
            "route": "general_exception",
            "reason": "Contracts end 30 Sep.",
            "notified_on": notified_on,
            "chair_told_id": told,
        },
    }


def _special(agreed_by: str | None, agreed_on: date = date(2024, 8, 31)) -> dict[str, Any]:
    return {
        "key_decision": True,
        "urgency": {
            "route": "special_urgency",
            "reason": "Cannot wait.",
            "agreed_by": "Chair of Overview and Scrutiny",
            "agreed_by_id": agreed_by,
            "agreed_on": agreed_on,
        },
    }


def _with_people(facts: dict[str, Any], people: People) -> dict[str, Any]:
    urgency = facts.get("urgency")
    if urgency is None:
        return facts
    ids = {CHAIR: people["scrutiny"].id, None: None}
    named = {k: ids[v] if k.endswith("_id") else v for k, v in urgency.items()}
    return {**facts, "urgency": UrgencyIn.model_validate(named)}


FORWARD, PRIVATE = "forward_plan_notice", "private_meeting_notice"

SCENARIOS: list[tuple[str, date, dict[str, Any], str, bool]] = [
    (
        "forward plan in time",
        date(2024, 8, 8),
        {"key_decision": True, "forward_plan_published_on": date(2024, 8, 7)},
        FORWARD,
        True,
    ),
    (
        "forward plan dated in the future",
        date(2024, 7, 1),
        {"key_decision": True, "forward_plan_published_on": date(2024, 7, 2)},
        FORWARD,
        False,
    ),
    (
        "forward plan a day too late",
        date(2024, 8, 9),
        {"key_decision": True, "forward_plan_published_on": date(2024, 8, 8)},
        FORWARD,
        False,
    ),
    (
        "general exception told in time",
        date(2024, 8, 31),
        _general(date(2024, 8, 28)),
        FORWARD,
        True,
    ),
    (
        "general exception 5 calendar but 3 working clear days ahead",
        date(2024, 8, 31),
        _general(date(2024, 8, 30)),
        FORWARD,
        False,
    ),
    (
        "general exception without the scrutiny chair told",
        date(2024, 8, 31),
        _general(date(2024, 8, 28), told=None),
        FORWARD,
        False,
    ),
    (
        "general exception told too late",
        date(2024, 8, 31),
        _general(date(2024, 8, 31)),
        FORWARD,
        False,
    ),
    (
        "general exception still to be told",
        date(2024, 7, 1),
        _general(date(2024, 8, 28)),
        FORWARD,
        False,
    ),
    ("general exception untold", date(2024, 8, 31), _general(None), FORWARD, False),
    (
        "special urgency agreed",
        date(2024, 8, 31),
        _special(CHAIR),
        FORWARD,
        True,
    ),
    (
        "special urgency while the general exception was still practicable",
        date(2024, 8, 31),
        _special(CHAIR, agreed_on=date(2024, 8, 27)),
        FORWARD,
        False,
    ),
    ("special urgency not agreed", date(2024, 8, 31), _special(None), FORWARD, False),
    (
        "late forward plan rescued by special urgency",
        date(2024, 8, 31),
        {
            **_special(CHAIR),
            "forward_plan_published_on": date(2024, 8, 8),
        },
        FORWARD,
        True,
    ),
    (
        "private notice in time",
        date(2024, 8, 8),
        {"exempt_paragraph": 3, "private_notice_published_on": date(2024, 8, 7)},
        PRIVATE,
        True,
    ),
    (
        "private notice dated in the future",
        date(2024, 7, 1),
        {"exempt_paragraph": 3, "private_notice_published_on": date(2024, 8, 7)},
        PRIVATE,
        False,
    ),
    (
        "private notice a day too late",
        date(2024, 8, 9),
        {"exempt_paragraph": 3, "private_notice_published_on": date(2024, 8, 8)},
        PRIVATE,
        False,
    ),
]


def status_of(ctx: Ctx, case_id: int, kind: str) -> str:
    (row,) = ctx.session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind)
    ).all()
    return row.status


@pytest.mark.parametrize(
    ("today", "facts", "kind", "done"),
    [pytest.param(*s[1:], id=s[0]) for s in SCENARIOS],
)
def test_a_notice_duty_is_done_exactly_when_the_submit_guard_accepts_it(
    work: Work,
    clock: FrozenClock,
    people: People,
    settings: Settings,
    today: date,
    facts: dict[str, Any],
    kind: str,
    done: bool,
) -> None:
    settings.agenda_clear_working_days = 0
    clock.travel_to(london(today.year, today.month, today.day, 10))
    with work() as ctx:
        case_id = new_case(ctx, people, **_with_people(facts, people))
    with work() as ctx:
        assert status_of(ctx, case_id, kind) == ("done" if done else "open")
        # Only the notice guard can refuse here, so submit is allowed exactly when it is done.
        assert ("submit" in allowed(ctx, case_id, people["officer"])) is done
        # An open duty keeps its reminders; a done one has none pending.
        assert bool(reminders_of(ctx, case_id, kind)) is not done


def test_a_notice_dated_in_the_future_is_done_once_its_day_has_come(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Entering the date a notice will go out leaves the duty open and its reminders running;
    once the day has come the next change to the case (here, submit) discharges it."""
    clock.travel_to(london(2024, 7, 1, 10))
    with work() as ctx:
        case_id = new_case(ctx, people, key_decision=True, exempt_paragraph=3)
    with work() as ctx:
        pending = reminders_of(ctx, case_id, FORWARD)
        assert pending
        patch_case(
            ctx,
            case_id,
            CasePatch(
                forward_plan_published_on=date(2024, 7, 8),
                private_notice_published_on=date(2024, 7, 8),
            ),
            people["officer"],
        )
    with work() as ctx:
        assert status_of(ctx, case_id, FORWARD) == "open"
        assert status_of(ctx, case_id, PRIVATE) == "open"
        assert reminders_of(ctx, case_id, FORWARD) == pending
        assert "submit" not in allowed(ctx, case_id, people["officer"])

    clock.travel_to(london(2024, 7, 8, 10))
    with work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])
    with work() as ctx:
        assert status_of(ctx, case_id, FORWARD) == "done"
        assert status_of(ctx, case_id, PRIVATE) == "done"
        assert reminders_of(ctx, case_id, FORWARD) == []
        assert reminders_of(ctx, case_id, PRIVATE) == []


# --- a notice recorded ahead of its date ------------------------------------------------------


def test_a_notice_dated_ahead_is_done_on_its_day_without_anyone_touching_the_case(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """The officer records on 1 Jul that the forward plan goes out on 2 Aug. On 1 Aug the duty
    is still open; on the morning of 2 Aug the scheduler's pass marks it done and stops its
    reminders, once: a second pass the same day changes nothing."""
    with work() as ctx:
        case_id = new_case(
            ctx, people, key_decision=True, forward_plan_published_on=date(2024, 8, 2)
        )
    with work() as ctx:
        assert refresh_notices_now_published(ctx) == []
        duty = ctx.session.exec(
            select(Deadline).where(
                Deadline.case_id == case_id, Deadline.kind == "forward_plan_notice"
            )
        ).one()
        assert duty.status == "open"
        assert reminders_of(ctx, case_id, "forward_plan_notice")  # reminders are planned
        version = _version(ctx, case_id)
    clock.travel_to(london(2024, 8, 1, 23, 59))
    with work() as ctx:
        assert refresh_notices_now_published(ctx) == []
    clock.travel_to(london(2024, 8, 2, 7, 0))
    with work() as ctx:
        assert refresh_notices_now_published(ctx) == [case_id]
    with work() as ctx:
        assert ctx.session.get(Deadline, duty.id).status == "done"  # type: ignore[union-attr]
        assert reminders_of(ctx, case_id, "forward_plan_notice") == []
        assert _version(ctx, case_id) == version + 1
        assert refresh_notices_now_published(ctx) == []


def _version(ctx: Ctx, case_id: int) -> int:
    return get_case(ctx, case_id).version
