"""When reminders and escalations go out (SPEC §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from workflow.timerules.instants import _require_aware, at_london_time, london_date

_ONE_DAY = timedelta(days=1)


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
