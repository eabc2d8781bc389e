"""Reports the executive owes the council (SI 2012/2089 regs 18 and 19), for a period."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, problems
from api.schemas import CouncilReportOut
from workflow.lifecycle.council_reports import (
    key_decision_procedure_report,
    special_urgency_report,
)
from workflow.schemas import Day

router = APIRouter(prefix=API_PREFIX, tags=["reports to council"], route_class=IdempotentRoute)

From = Annotated[Day, Query(alias="from", description="decided on or after")]
To = Annotated[Day, Query(description="decided on or before")]


@router.get(
    "/reports/special-urgency",
    response_model=CouncilReportOut,
    responses=problems(*AUTH, 403),
    summary="Decisions taken under special urgency (reg 19)",
)
def get_special_urgency(ctx: CtxDep, user: CurrentUser, start: From, to: To) -> dict[str, Any]:
    """The leader's report to the council, at least annually, of the executive decisions
    taken under special urgency (SI 2012/2089 reg 11) in the period."""
    return special_urgency_report(ctx, user, start, to)


@router.get(
    "/reports/key-decisions",
    response_model=CouncilReportOut,
    responses=problems(*AUTH, 403),
    summary="Key decisions not taken by the key-decision procedure (reg 18)",
)
def get_key_decisions(ctx: CtxDep, user: CurrentUser, start: From, to: To) -> dict[str, Any]:
    """Key decisions taken in the period without a forward-plan notice in time (SI 2012/2089
    reg 9), with the urgency route taken instead: the matter of a report under reg 18."""
    return key_decision_procedure_report(ctx, user, start, to)
