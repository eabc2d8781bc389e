"""The scrutiny members' call-in requests of a decision (issue 12, fault 7), read by the
``call_in`` guard and written by ``workflow.lifecycle.call_in`` and ``call_in``'s effect."""

from __future__ import annotations

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.lifecycle.bundle import CaseBundle
from workflow.models import CallInRequest, User, pk


def members_asking(ctx: Ctx, bundle: CaseBundle) -> frozenset[int]:
    """The scrutiny members who have asked to call in the case's latest decision: the
    delegate's key decision awaiting call-in, else Cabinet's resolution."""
    approval = bundle.approval
    if approval is None or approval.id is None:
        return frozenset()
    officer = bundle.officer_decision
    sign_off_id = officer.id if officer is not None else None
    if bundle.call_in_requests is not None:  # preloaded with a page (``bundle.load_many``)
        return frozenset(
            m for r, s, m in bundle.call_in_requests if r == approval.id and s == sign_off_id
        )
    rows = ctx.session.exec(
        select(CallInRequest.member_id).where(
            CallInRequest.case_id == bundle.case.id,
            CallInRequest.resolution_id == approval.id,
            col(CallInRequest.sign_off_id).is_(None)
            if sign_off_id is None
            else CallInRequest.sign_off_id == sign_off_id,
        )
    ).all()
    return frozenset(rows)


def record_request(ctx: Ctx, bundle: CaseBundle, member: User, reason: str) -> None:
    """Record ``member``'s request once (``call_in``'s effect calls this for the member who
    completes the number)."""
    approval = bundle.approval
    assert approval is not None
    if member.id in members_asking(ctx, bundle):
        return
    ctx.session.add(
        CallInRequest(
            case_id=pk(bundle.case.id),
            resolution_id=pk(approval.id),
            sign_off_id=bundle.officer_decision.id if bundle.officer_decision else None,
            member_id=pk(member.id),
            reason=reason,
            requested_at=ctx.now(),
        )
    )
    ctx.session.flush()
