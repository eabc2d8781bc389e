"""After downtime the scheduler catches up: overdue reminders go out once per deadline, not in
a burst (SPEC §5: missed offsets coalesce), and an overdue escalation stands for them all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import reminder_rows
from reminder_rows import Work
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from scheduler.tick import run_tick
from workflow import demo, timerules
from workflow.clock import FrozenClock
from workflow.models import Reminder
from workflow.people.users import ensure_admin
from workflow.settings import Settings

DUE = date(2024, 8, 29)


def _planned_by_hand(work: Work) -> dict[str, int]:
    """The reminders planning makes for a duty due on ``DUE``, keyed by offset or 'escalation'."""
    with work() as ctx:
        now = ctx.now()
        d = reminder_rows.deadline(ctx.session, now, reminder_rows.case(ctx.session, now))
        ids = {}
        for offset in (28, 14, 7, 1):
            at = timerules.at_london_time(DUE - timedelta(days=offset), 9)
            ids[str(offset)] = reminder_rows.reminder(
                ctx.session, now, d, fire_at=at, offset_days=offset
            ).id
        at = timerules.escalation_moment(DUE, 9, now)
        ids["escalation"] = reminder_rows.reminder(
            ctx.session, now, d, fire_at=at, purpose="escalation"
        ).id
    return ids  # type: ignore[return-value]


def _statuses(work: Work, ids: dict[str, int]) -> dict[str, str]:
    with work() as ctx:
        return {k: ctx.session.get(Reminder, v).status for k, v in ids.items()}  # type: ignore[union-attr]


def test_missed_offsets_coalesce_into_the_most_urgent_one(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    ids = _planned_by_hand(work)
    clock.travel_to(datetime(2024, 8, 28, 12, 0, tzinfo=UTC))  # down since 1 July
    result = run_tick(engine, clock, settings)
    assert (result["sent"], result["cancelled"]) == (1, 3)
    assert _statuses(work, ids) == {
        "28": "cancelled", "14": "cancelled", "7": "cancelled", "1": "sent",
        "escalation": "pending",
    }  # fmt: skip
    with work() as ctx:
        note = ctx.session.get(Reminder, ids["28"]).last_error  # type: ignore[union-attr]
    assert note == f"not sent: coalesced into reminder {ids['1']}"

    clock.travel_to(datetime(2024, 8, 30, 9, 0, tzinfo=UTC))
    assert run_tick(engine, clock, settings)["sent"] == 1
    assert _statuses(work, ids)["escalation"] == "sent"


def test_an_overdue_escalation_stands_for_every_missed_reminder(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    ids = _planned_by_hand(work)
    clock.travel_to(datetime(2024, 9, 2, 9, 0, tzinfo=UTC))
    result = run_tick(engine, clock, settings)
    assert (result["sent"], result["cancelled"]) == (1, 4)
    assert _statuses(work, ids)["escalation"] == "sent"


def test_on_time_reminders_each_go_out_at_their_moment(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    ids = _planned_by_hand(work)
    for offset in ("28", "14", "7", "1"):
        with work() as ctx:
            at = ctx.session.get(Reminder, ids[offset]).fire_at  # type: ignore[union-attr]
        clock.travel_to(at)
        assert run_tick(engine, clock, settings)["sent"] == 1
    assert list(_statuses(work, ids).values()) == ["sent"] * 4 + ["pending"]


def test_catch_up_on_the_domains_own_plan_sends_one_per_deadline_and_channel(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(update={"reminder_channels": ["log", "webhook"]})
    with work() as ctx:
        ctx.settings = settings
        demo.load(ctx, ensure_admin(ctx, "cf_admin_token_for_tests"))
    clock.travel_to(datetime(2024, 9, 20, 10, 0, tzinfo=UTC))  # down for eleven weeks
    run_tick(engine, clock, settings)
    with work() as ctx:
        rows = ctx.session.exec(
            select(Reminder.deadline_id, Reminder.channel, func.count())
            .where(col(Reminder.status).in_(["sent", "failed"]))  # webhook has no URL: fails
            .group_by(col(Reminder.deadline_id), col(Reminder.channel))
        ).all()
        overdue = ctx.session.exec(
            select(func.count(func.distinct(Reminder.deadline_id))).where(
                col(Reminder.fire_at) <= clock.now(), col(Reminder.status) != "pending"
            )
        ).one()
    assert rows and all(n == 1 for *_, n in rows)
    assert len({d for d, *_ in rows}) == overdue
    assert {c for _, c, _ in rows} == {"log", "webhook"}
