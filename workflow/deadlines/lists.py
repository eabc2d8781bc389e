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

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.models import (
    Case,
    Deadline,
    DeadlineStatus,
    Delegation,
    DelegationConsultee,
    Reminder,
    Role,
    User,
    pk,
)
from workflow.paging import check_limit, decode_cursor, page

SEES_EVERY_CASE = (Role.democratic_services, Role.admin)


def named_in(uid: int) -> ColumnElement[bool]:
    """Whether a case (``cases.id``) names the person in a delegation, as its delegate or as
    any of its consultees (issue 12, fault 8): a condition for the one statement that asks,
    each half an indexed subquery (``delegations.delegate_id``,
    ``delegation_consultees.user_id``), so a list costs no more with more consultees."""
    delegate = select(Delegation.case_id).where(col(Delegation.delegate_id) == uid)
    consultee = select(DelegationConsultee.case_id).where(col(DelegationConsultee.user_id) == uid)
    return or_(col(Case.id).in_(delegate), col(Case.id).in_(consultee))


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
        query = query.where(or_(col(Case.author_id) == uid, named_in(uid)))
    query = query.order_by(col(Deadline.due_on), col(Deadline.id))
    rows = ctx.session.exec(query if limit is None else query.limit(limit)).all()
    return [(d, c) for d, c in rows]
