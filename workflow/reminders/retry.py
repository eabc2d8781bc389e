"""An admin sends a dead or failed reminder again (``POST /reminders/{id}/retry``).

The reminder goes back to ``pending`` due now with a fresh set of attempts, keeping its id,
so it carries the same idempotency key as every earlier try. The audit trail records who did it.

Only an admin may do it. That is decided here, not in the route (CONVENTIONS: who may do what
is the domain's), so every caller gets the same answer.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from workflow import audit
from workflow.context import Ctx
from workflow.errors import Conflict, Forbidden, NotFound
from workflow.models import Reminder, ReminderStatus, Role, User

RETRYABLE = (ReminderStatus.dead.value, ReminderStatus.failed.value)


def retry_reminder(ctx: Ctx, reminder_id: int, actor: User) -> Reminder:
    """Put a dead or failed reminder back in the queue; answers it, now pending.

    Forbidden unless ``actor`` is an admin, checked before anything is read, so nobody else
    learns whether a reminder exists and nothing changes. Conflict when it is in any other
    status (sent, cancelled, pending, claimed): those are either done or already on their
    way. Conditional on the status read, so two admins pressing retry at once queue it once.
    """
    if not actor.has_role(Role.admin):
        raise Forbidden("only an admin may send a reminder again")
    reminder = ctx.session.get(Reminder, reminder_id)
    if reminder is None or not ctx.sees(reminder.council_id):
        raise NotFound(f"reminder {reminder_id} does not exist")
    previous = reminder.status
    if previous not in RETRYABLE:
        raise Conflict(
            f"reminder {reminder_id} is {previous}; only a dead or failed reminder can be retried"
        )
    now = ctx.now()
    result = ctx.session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.status) == previous)
        .values(
            status=ReminderStatus.pending.value,
            fire_at=now,
            attempts=0,
            claimed_by=None,
            claimed_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"reminder {reminder_id} changed while you acted; reload and try again")
    ctx.session.refresh(reminder)
    audit.append(
        ctx,
        event="retry_reminder",
        at=now,
        actor_id=actor.id,
        case_id=reminder.case_id,
        data={"reminder_id": reminder_id, "previous_status": previous},
        case_locked=False,  # only the reminder row was written: other writers may append
    )
    return reminder
