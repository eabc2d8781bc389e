"""Deadlines and reminders: filtered, keyset-paged lists, and an admin's retry of a reminder
that could not be delivered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AdminUser, CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Cursor, Id, Limit
from api.responses import AUTH, problems
from api.schemas import DeadlineOut, Page, ReminderOut
from scheduler.retry import retry_reminder
from workflow.duties import list_deadlines, list_reminders, reminder_view
from workflow.models import DeadlineKind, DeadlineStatus, ReminderStatus
from workflow.schemas import Day
from workflow.views import deadline_view

router = APIRouter(prefix=API_PREFIX, tags=["deadlines and reminders"], route_class=IdempotentRoute)

CaseFilter = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="only this case")]
DueFrom = Annotated[Day | None, Query(description="due on or after")]
DueTo = Annotated[Day | None, Query(description="due on or before")]


@router.get(
    "/deadlines", response_model=Page[DeadlineOut], responses=problems(*AUTH), summary="Deadlines"
)
def get_deadlines(
    ctx: CtxDep,
    user: CurrentUser,
    case_id: CaseFilter = None,
    kind: DeadlineKind | None = None,
    due_from: DueFrom = None,
    due_to: DueTo = None,
    status: DeadlineStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    rows, next_cursor = list_deadlines(
        ctx,
        case_id=case_id,
        kind=kind,
        due_from=due_from,
        due_to=due_to,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    today = ctx.today()
    return {"items": [deadline_view(d, today) for d in rows], "next_cursor": next_cursor}


@router.get(
    "/reminders", response_model=Page[ReminderOut], responses=problems(*AUTH), summary="Reminders"
)
def get_reminders(
    ctx: CtxDep,
    user: CurrentUser,
    case_id: CaseFilter = None,
    kind: Annotated[DeadlineKind | None, Query(description="the deadline's kind")] = None,
    due_from: DueFrom = None,
    due_to: DueTo = None,
    status: ReminderStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    """``status=dead`` lists the dead letters: reminders that failed every attempt."""
    rows, next_cursor = list_reminders(
        ctx,
        case_id=case_id,
        kind=kind,
        due_from=due_from,
        due_to=due_to,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    return {"items": [reminder_view(r) for r in rows], "next_cursor": next_cursor}


@router.post(
    "/reminders/{reminder_id}/retry",
    response_model=ReminderOut,
    responses=problems(*AUTH, 403, 404, 409),
    summary="Send a dead or failed reminder again (admin)",
)
def post_retry(reminder_id: Id, ctx: CtxDep, admin: AdminUser) -> dict[str, Any]:
    """Back to ``pending``, due now, with a fresh set of attempts and the same id (so the
    same idempotency key reaches the receiver). 409 for any other status."""
    return reminder_view(retry_reminder(ctx, reminder_id, admin))
