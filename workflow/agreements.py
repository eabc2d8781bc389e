"""The agreements register: contracts and SLAs, each with one counterparty."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.errors import Conflict, Forbidden, NotFound
from workflow.models import Agreement, Role, User
from workflow.paging import check_limit, decode_cursor, page
from workflow.schemas import AgreementIn

MAY_REGISTER = (Role.officer, Role.democratic_services, Role.admin)


def may_register(actor: User) -> bool:
    return any(actor.has_role(r) for r in MAY_REGISTER)


def create_agreement(ctx: Ctx, data: AgreementIn, actor: User) -> Agreement:
    if not may_register(actor):
        raise Forbidden("only officers, democratic services and admins may register agreements")
    existing = ctx.session.exec(
        select(Agreement).where(Agreement.reference == data.reference)
    ).first()
    if existing is not None:
        raise Conflict(f"an agreement with reference {data.reference!r} already exists")
    now = ctx.now()
    agreement = Agreement(**data.model_dump(), created_at=now, updated_at=now)
    ctx.session.add(agreement)
    ctx.session.flush()
    audit.append(
        ctx.session,
        event="agreement_created",
        at=now,
        actor_id=actor.id,
        data={"agreement_id": agreement.id, "reference": agreement.reference},
    )
    return agreement


def upsert_agreement(ctx: Ctx, data: AgreementIn) -> tuple[Agreement, bool]:
    """Create, or update the agreement with the same reference; answers (row, created)."""
    now = ctx.now()
    row = ctx.session.exec(select(Agreement).where(Agreement.reference == data.reference)).first()
    created = row is None
    if row is None:
        row = Agreement(**data.model_dump(), created_at=now, updated_at=now)
    else:
        for name, value in data.model_dump().items():
            setattr(row, name, value)
        row.updated_at = now
    ctx.session.add(row)
    return row, created


def get_agreement(ctx: Ctx, agreement_id: int) -> Agreement:
    agreement = ctx.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"agreement {agreement_id} does not exist")
    return agreement


def list_agreements(
    ctx: Ctx,
    *,
    kind: str | None = None,
    directorate: str | None = None,
    end_from: date | None = None,
    end_to: date | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Agreement], str | None]:
    limit = check_limit(limit)
    query = select(Agreement).where(col(Agreement.id) > decode_cursor(cursor))
    if kind is not None:
        query = query.where(Agreement.kind == kind)
    if directorate is not None:
        query = query.where(Agreement.directorate == directorate)
    if end_from is not None:
        query = query.where(col(Agreement.end_date) >= end_from)
    if end_to is not None:
        query = query.where(col(Agreement.end_date) <= end_to)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            col(Agreement.title).ilike(like)
            | col(Agreement.counterparty).ilike(like)
            | col(Agreement.reference).ilike(like)
        )
    rows = ctx.session.exec(query.order_by(col(Agreement.id)).limit(limit + 1)).all()
    return page(rows, limit, lambda a: a.id)
