"""What a case leaves behind: its audit trail and the officer decision record of a sign-off.

Both can carry exempt content, so both come from ``workflow.lifecycle.views``, which redacts them
for
anyone not entitled exactly as it redacts the case itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Cursor, Id, Limit
from api.responses import AUTH, problems
from api.schemas import AuditEventOut, DecisionRecordOut, Page
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.views import audit_of, decision_record
from workflow.paging import check_limit, decode_cursor, page

router = APIRouter(prefix=API_PREFIX, tags=["cases"], route_class=IdempotentRoute)


@router.get(
    "/cases/{case_id}/audit",
    response_model=Page[AuditEventOut],
    responses=problems(*AUTH, 404),
    summary="The case's audit trail",
)
def get_audit(
    case_id: Id, ctx: CtxDep, user: CurrentUser, cursor: Cursor = None, limit: Limit = 50
) -> dict[str, Any]:
    """Oldest first. Each event carries the hash of the one before it (``prev_hash``), so a
    reader can check the chain; ``councilflow audit verify`` checks all of it."""
    bundle = load(ctx, get_case(ctx, case_id))
    after, limit = decode_cursor(cursor), check_limit(limit)
    rows = audit_of(ctx, bundle, user, after_id=after, limit=limit + 1)
    items, next_cursor = page(rows, limit, lambda e: e["id"])
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/cases/{case_id}/decision-record",
    response_model=DecisionRecordOut,
    responses=problems(*AUTH, 404),
    summary="The officer decision record of a sign-off (the latest unless sign_off_id is given)",
)
def get_decision_record(
    case_id: Id, ctx: CtxDep, user: CurrentUser, sign_off_id: int | None = None
) -> dict[str, Any]:
    """Date, decision, reasons, the officer's alternatives considered and rejected, the
    consultee, what they said and their interests, and conflicts declared (SI 2012/2089 reg
    13). ``sign_off_ids`` lists every sign-off's record. 404 until the case has been signed
    off, or for a sign-off not of this case."""
    return decision_record(ctx, load(ctx, get_case(ctx, case_id)), user, sign_off_id)
