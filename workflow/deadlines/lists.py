"""The deadlines and reminders people look at: filtered lists, and which deadlines belong
in a person's calendar. (An admin's retry of a dead reminder is ``workflow.reminders.retry``.)

Deadlines and reminders carry kinds, dates, states and addresses, never report content; what
a person may see of them (recipients, the envelope's last day) is decided when they are read,
by ``workflow.deadlines.read.DutyScope``. The calendar shows only case titles, which SPEC §6
leaves public even for exempt items, and only to people entitled to the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import or_
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.models import (
    Case,
    Deadline,
    DeadlineStatus,
    Delegation,
    Reminder,
    Role,
    User,
    pk,
)
from workflow.paging import check_limit, decode_cursor, page

SEES_EVERY_CASE = (Role.democratic_services, Role.admin)


@dataclass(frozen=True)
class DutyFilter:
    """What the deadline and reminder lists filter by (SPEC §7): case, kind, due range, status."""

    case_id: int | None = None
    kind: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    status: str | None = None


Row = TypeVar("Row", Deadline, Reminder)


def _filtered(
    ctx: Ctx, model: type[Row], kind: Any, where: DutyFilter, cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    limit = check_limit(limit)
    query = select(model).where(
        col(model.id) > decode_cursor(cursor), ctx.within(col(model.council_id))
    )
    if where.case_id is not None:
        query = query.where(col(model.case_id) == where.case_id)
    if where.kind is not None:
        query = query.where(kind == where.kind)
    if where.due_from is not None:
        query = query.where(col(model.due_on) >= where.due_from)
    if where.due_to is not None:
        query = query.where(col(model.due_on) <= where.due_to)
    if where.status is not None:
        query = query.where(col(model.status) == where.status)
    rows = ctx.session.exec(query.order_by(col(model.id)).limit(limit + 1)).all()
    return page(rows, limit, lambda r: r.id)


def list_deadlines(
    ctx: Ctx, where: DutyFilter, cursor: str | None = None, limit: int = 50
) -> tuple[list[Deadline], str | None]:
    return _filtered(ctx, Deadline, col(Deadline.kind), where, cursor, limit)


def list_reminders(
    ctx: Ctx, where: DutyFilter, cursor: str | None = None, limit: int = 50
) -> tuple[list[Reminder], str | None]:
    """``kind`` is the kind of the reminder's deadline."""
    return _filtered(ctx, Reminder, col(Reminder.deadline_kind), where, cursor, limit)


def calendar_deadlines(
    ctx: Ctx, viewer: User, due_to: date | None = None, limit: int | None = None
) -> list[tuple[Deadline, Case]]:
    """The open deadlines of the viewer's cases (due on or before ``due_to`` when given):
    those they wrote, or were delegated or are to be consulted on; democratic services and
    admins follow every case."""
    query = (
        select(Deadline, Case)
        .join(Case, col(Case.id) == col(Deadline.case_id))
        .where(Deadline.status == DeadlineStatus.open, ctx.within(col(Deadline.council_id)))
    )
    if due_to is not None:
        query = query.where(col(Deadline.due_on) <= due_to)
    if not any(viewer.has_role(r) for r in SEES_EVERY_CASE):
        uid = pk(viewer.id)
        delegated = select(Delegation.case_id).where(
            or_(col(Delegation.delegate_id) == uid, col(Delegation.consultee_id) == uid)
        )
        query = query.where(or_(col(Case.author_id) == uid, col(Case.id).in_(delegated)))
    query = query.order_by(col(Deadline.due_on), col(Deadline.id))
    rows = ctx.session.exec(query if limit is None else query.limit(limit)).all()
    return [(d, c) for d, c in rows]
