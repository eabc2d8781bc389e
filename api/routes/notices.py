"""Recording a notice on a case: SPEC §9 pins ``POST /cases/{id}/notices {kind,
published_on, reference}``.

The meeting procedure's kinds (SI 2012/2089: ``agenda``, ``private_further_notice``,
``urgency_reasons``, ``private_urgency_reasons``, ``decision_record``) and procurement law's
(``contract_change_notice``, ``modification_notice``, ``modification_publication``,
``termination_notice``; an optional ``agreement_id``, and ``term_start``: which
modification's notice, when more than one owes it). The domain decides who may and when.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Id
from api.responses import WRITE, problems
from api.routes.cases import IfMatch, case_answer, version_expected
from workflow.errors import FieldProblem, InvalidInput
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.lifecycle.procurement_notices import record_procurement_notice
from workflow.lifecycle.read import CaseOut
from workflow.procurement.notices import RECORDED_KINDS
from workflow.schemas import MeetingNoticeIn, NoticeIn

router = APIRouter(prefix=API_PREFIX, tags=["cases"], route_class=IdempotentRoute)


@router.post(
    "/cases/{case_id}/notices",
    status_code=201,
    response_model=CaseOut,
    responses=problems(*WRITE, 404, 409, 412),
    summary="Record a published notice: the meeting procedure's, or procurement law's",
)
def post_notice(
    case_id: Id,
    data: NoticeIn,
    ctx: CtxDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """The agenda's publication, the further private notice, an urgency reasons notice or the
    publication of a sign-off's decision record (democratic services), each discharging its
    duty once its date has come; or a procurement notice (a contract change notice, which
    starts its standstill, a modification notice, the publication of a modification, a
    termination notice). Answers the case; its ETag is the case's new version."""
    expected = version_expected(ctx, case_id, if_match)
    if data.kind in RECORDED_KINDS:
        case = record_procurement_notice(ctx, case_id, data, user, expected_version=expected)
        return case_answer(ctx, case, user, response)
    procurement_only = [
        FieldProblem(name, "a notice of the meeting procedure is the case's")
        for name in ("agreement_id", "term_start")
        if getattr(data, name) is not None
    ]
    if procurement_only:
        raise InvalidInput("the notice cannot be recorded", procurement_only)
    meeting = MeetingNoticeIn.model_validate(
        data.model_dump(exclude={"agreement_id", "term_start"})
    )
    case = record_meeting_notice(ctx, case_id, meeting, user, expected_version=expected)
    return case_answer(ctx, case, user, response)
