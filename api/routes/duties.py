"""Deadlines and reminders: filtered, keyset-paged lists, and an admin's retry of a reminder
that could not be delivered."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, MAX_ID, Cursor, Id, Limit
from api.responses import AUTH, problems
from api.schemas import Page
from workflow.deadlines.lists import DutyFilter, list_deadlines, list_reminders
from workflow.deadlines.read import DutyScope, ReminderOut
from workflow.lifecycle.read import DeadlineOut
from workflow.models import DeadlineKind, DeadlineStatus, ReminderStatus
from workflow.reminders.retry import retry_reminder
from workflow.schemas import Day

router = APIRouter(prefix=API_PREFIX, tags=["deadlines and reminders"], route_class=IdempotentRoute)


def duty_filter(
    case_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this case")] = None,
    kind: Annotated[DeadlineKind | None, Query(description="the deadline's kind")] = None,
    due_from: Annotated[Day | None, Query(description="due on or after")] = None,
    due_to: Annotated[Day | None, Query(description="due on or before")] = None,
) -> DutyFilter:
    return DutyFilter(case_id=case_id, kind=kind, due_from=due_from, due_to=due_to)


Filter = Annotated[DutyFilter, Depends(duty_filter)]


@router.get(
    "/deadlines", response_model=Page[DeadlineOut], responses=problems(*AUTH), summary="Deadlines"
)
def get_deadlines(
    ctx: CtxDep,
    user: CurrentUser,
    where: Filter,
    status: DeadlineStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DeadlineOut]:
    rows, next_cursor = list_deadlines(ctx, replace(where, status=status), cursor, limit)
    return Page(items=DutyScope(ctx, user).deadlines(rows), next_cursor=next_cursor)


@router.get(
    "/reminders", response_model=Page[ReminderOut], responses=problems(*AUTH), summary="Reminders"
)
def get_reminders(
    ctx: CtxDep,
    user: CurrentUser,
    where: Filter,
    status: ReminderStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ReminderOut]:
    """``status=dead`` lists the dead letters: reminders that failed every attempt.
    ``recipients`` is null for a person who may not see the case's people, save their own
    address (``workflow.deadlines.read``)."""
    rows, next_cursor = list_reminders(ctx, replace(where, status=status), cursor, limit)
    return Page(items=DutyScope(ctx, user).reminders(rows), next_cursor=next_cursor)


@router.post(
    "/reminders/{reminder_id}/retry",
    response_model=ReminderOut,
    responses=problems(*AUTH, 403, 404, 409),
    summary="Send a dead or failed reminder again (admin)",
)
def post_retry(reminder_id: Id, ctx: CtxDep, user: CurrentUser) -> ReminderOut:
    """Back to ``pending``, due now, with a fresh set of attempts and the same id (so the
    same idempotency key reaches the receiver). 409 for any other status; 403 for anyone
    but an admin (the domain decides)."""
    return DutyScope(ctx, user).reminder(retry_reminder(ctx, reminder_id, user))
