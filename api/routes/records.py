"""What a case leaves behind: its audit trail and the officer decision record of a sign-off.

Both can carry exempt content, so both come from the read scope ``workflow.lifecycle.read``,
which redacts them for anyone not entitled exactly as it redacts the case itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Cursor, Id, Limit
from api.responses import AUTH, problems
from api.schemas import Page
from workflow.documents.ocds import contract_change_notice
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.read import AuditEventOut, CaseScope, DecisionRecordOut
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
) -> Page[AuditEventOut]:
    """Oldest first. Each event carries its keyed hash and the one before it in the case's
    chain (``prev_hash``), null for a reader not entitled to the case's exempt information;
    ``councilflow audit verify``, which holds the key, checks all of it."""
    bundle = load(ctx, get_case(ctx, case_id))
    after, limit = decode_cursor(cursor), check_limit(limit)
    rows = CaseScope(ctx, user).audit(bundle, after_id=after, limit=limit + 1)
    items, next_cursor = page(rows, limit, lambda e: e.id)
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}/decision-record",
    response_model=DecisionRecordOut,
    responses=problems(*AUTH, 404),
    summary="The officer decision record of a sign-off (the latest unless sign_off_id is given)",
)
def get_decision_record(
    case_id: Id, ctx: CtxDep, user: CurrentUser, sign_off_id: int | None = None
) -> DecisionRecordOut:
    """Date, decision, reasons, the officer's alternatives considered and rejected, the
    consultee, what they said and their interests, and conflicts declared (SI 2012/2089 reg
    13). ``sign_off_ids`` lists every sign-off's record. 404 until the case has been signed
    off, or for a sign-off not of this case."""
    bundle = load(ctx, get_case(ctx, case_id))
    return CaseScope(ctx, user).decision_record(bundle, sign_off_id)


@router.get(
    "/cases/{case_id}/contract-change-notice",
    responses=problems(*AUTH, 404),
    summary="The draft contract change notice, as an OCDS 1.1 release package",
)
def get_contract_change_notice(case_id: Id, ctx: CtxDep, user: CurrentUser) -> dict[str, Any]:
    """One ``contractAmendment`` release per agreement the case modifies, its amendment's
    ``rationale`` the case's lawful ground (Procurement Act 2023 s.75; SPEC §9). A draft for
    the council to check and publish; the web page ``/cases/{id}/documents/`` has it as HTML
    and PDF. Exempt figures are left out for a reader not entitled to them."""
    bundle = load(ctx, get_case(ctx, case_id))
    return contract_change_notice(ctx, bundle, user).package
