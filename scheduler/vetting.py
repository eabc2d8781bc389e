"""Deciding, just after the claim, which claimed reminders are still worth sending.

Three reasons not to send:

- the deadline is no longer open, or has moved (planning re-planned it; a claimed reminder
  is beyond its reach, so it is checked here instead);
- a later reminder of the same deadline over the same channel is already due or done — after
  downtime the 28-, 14- and 7-day reminders must not go out in a burst, only the most
  urgent one (SPEC §5: missed offsets coalesce), and an overdue escalation stands for them all;
- the reminder has been claimed more often than ``max_attempts`` without any outcome
  recorded: something kills the worker holding it, so it is dead-lettered, not retried forever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from workflow.models import Deadline, DeadlineStatus, Reminder, ReminderPurpose, ReminderStatus

S = ReminderStatus
# Siblings that stand for a later moment of the same deadline and have been (or are being) sent.
_STARTED = (S.claimed.value, S.failed.value, S.sent.value)


@dataclass
class Verdicts:
    send: list[Reminder] = field(default_factory=list)
    cancel: dict[int, str] = field(default_factory=dict)
    dead: dict[int, str] = field(default_factory=dict)


def rank(r: Reminder) -> tuple[int, int, int]:
    """Later moments of one deadline rank higher: an escalation above every reminder, then
    the smaller offset (nearer the due date), then the newer row."""
    escalation = 1 if r.purpose == ReminderPurpose.escalation else 0
    return (escalation, -(r.offset_days or 0), r.id or 0)


def vet(session: Session, claimed: list[Reminder], now: datetime, max_attempts: int) -> Verdicts:
    verdicts = Verdicts()
    if not claimed:
        return verdicts
    deadline_ids = sorted({r.deadline_id for r in claimed})
    deadlines = {
        d.id: d
        for d in session.exec(select(Deadline).where(col(Deadline.id).in_(deadline_ids))).all()
    }
    siblings = session.exec(
        select(Reminder).where(
            col(Reminder.deadline_id).in_(deadline_ids),
            (col(Reminder.status).in_(_STARTED))
            | ((col(Reminder.status) == S.pending.value) & (col(Reminder.fire_at) <= now)),
        )
    ).all()
    best: dict[tuple[int, str], Reminder] = {}
    for s in [*siblings, *claimed]:
        key = (s.deadline_id, s.channel)
        if key not in best or rank(s) > rank(best[key]):
            best[key] = s

    for r in claimed:
        assert r.id is not None
        deadline = deadlines.get(r.deadline_id)
        top = best[(r.deadline_id, r.channel)]
        if r.attempts > max_attempts:
            verdicts.dead[r.id] = (
                f"claimed {r.attempts} times without an outcome: the worker holding it "
                "stopped each time"
            )
        elif deadline is None or deadline.status != DeadlineStatus.open:
            state = "gone" if deadline is None else deadline.status
            verdicts.cancel[r.id] = f"not sent: the deadline is {state}"
        elif deadline.due_on != r.due_on:
            verdicts.cancel[r.id] = f"not sent: the deadline moved to {deadline.due_on}"
        elif r.purpose == ReminderPurpose.reminder and top.id != r.id:
            verdicts.cancel[r.id] = f"not sent: coalesced into reminder {top.id}"
        else:
            verdicts.send.append(r)
    return verdicts
