"""Recording a notice of the executive meeting procedure on a case (SI 2012/2089).

SPEC §9 pins ``POST /cases/{id}/notices {kind, published_on, reference}`` for notices; these
are the meeting's kinds (``agenda``, ``private_further_notice``, ``urgency_reasons``,
``private_urgency_reasons``, ``decision_record``). The domain decides who may and when.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Id
from api.responses import WRITE, problems
from api.routes.cases import IfMatch, case_answer, version_expected
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.lifecycle.read import CaseOut
from workflow.schemas import MeetingNoticeIn

router = APIRouter(prefix=API_PREFIX, tags=["cases"], route_class=IdempotentRoute)


@router.post(
    "/cases/{case_id}/notices",
    status_code=201,
    response_model=CaseOut,
    responses=problems(*WRITE, 404, 409, 412),
    summary="Record a notice of the meeting procedure (democratic services)",
)
def post_notice(
    case_id: Id,
    data: MeetingNoticeIn,
    ctx: CtxDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """The agenda's publication, the further private notice, an urgency reasons notice or the
    publication of a sign-off's decision record: each discharges its duty once its date has
    come. Answers the case; its ETag is the case's new version."""
    expected = version_expected(ctx, case_id, if_match)
    case = record_meeting_notice(ctx, case_id, data, user, expected_version=expected)
    return case_answer(ctx, case, user, response)
