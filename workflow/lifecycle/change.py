"""One change to a case: the one way anything about a case is written (issue 8).

Every writer — events, draft edits, consultations, notice dates, register re-plans — opens the
case with ``open_case`` and ends with ``record``. ``open_case`` takes the case's row lock
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the transaction already holds the database's
write lock), so a second writer waits for the first to commit and then reads what it left:
a request without ``If-Match`` never fails because someone else was quicker, and one whose
state has moved on is refused for the state (SPEC §3, "exactly one wins"). A stale
``If-Match`` is still 412. ``record`` bumps the version, stamps the audit event and re-plans
the deadlines, once, in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from workflow import audit
from workflow.context import Ctx
from workflow.deadlines import planning
from workflow.errors import PreconditionFailed
from workflow.lifecycle.bundle import CaseBundle, load_locked
from workflow.lifecycle.guards import envelope_lapses_after
from workflow.models import State, User


def open_case(ctx: Ctx, case_id: int, expected_version: int | None = None) -> CaseBundle:
    """The case and all it reads, the case locked for this transaction and current as of
    the lock (``bundle.load_locked``), so the version and state checked are the ones the lock
    protects."""
    bundle = load_locked(ctx, case_id)
    case = bundle.case
    if expected_version is not None and expected_version != case.version:
        raise PreconditionFailed(
            f"case {case_id} is at version {case.version}, not {expected_version}; reload it"
        )
    return bundle


def record(
    ctx: Ctx,
    bundle: CaseBundle,
    *,
    event: str | None,
    actor: User | None,
    from_state: str | None,
    data: dict[str, Any],
    exempt_paragraph: int | None = None,
    replan: bool = True,
) -> None:
    """Finish a change to ``bundle.case`` opened with ``open_case``: the version and
    ``updated_at`` (written with the rest of the row in one UPDATE), the audit event, and the
    deadlines re-planned from ``bundle``, which the caller keeps in step with what it wrote.

    ``event=None`` records no audit event: the scheduler re-planning a case because a notice
    date has arrived is no act of a person, and changes no fact of the case.
    """
    case = bundle.case
    case.version += 1
    case.updated_at = ctx.now()
    case.lapses_after = (
        envelope_lapses_after(case, bundle.approval, bundle.delegation)
        if case.state == State.delegated_approval and bundle.officer_decision is None
        else None
    )
    ctx.session.add(case)
    if event is not None:
        audit.append(
            ctx,
            event=event,
            at=ctx.now(),
            actor_id=actor.id if actor is not None else None,
            case_id=case.id,
            from_state=from_state,
            to_state=case.state,
            data=data,
            exempt_paragraph=exempt_paragraph,
        )
    if replan:
        planning.sync(ctx, bundle)
    ctx.session.flush()
