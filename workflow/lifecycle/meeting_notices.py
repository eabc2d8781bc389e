"""Recording the notices of the executive meeting procedure (SI 2012/2089).

Democratic services publish them; recording one is what discharges its duty (the agenda of
reg 7, the further private notice of reg 5(4)-(5), the reasons notices of regs 5(7), 10(3)
and 11(2), and the reg 13 record of a sign-off). A notice may be recorded ahead of its date:
the duty is done on the day it goes out (``workflow.deadlines.notices``).
"""

from __future__ import annotations

from workflow.context import Ctx
from workflow.errors import FieldProblem, Forbidden, InvalidInput
from workflow.lifecycle import change
from workflow.lifecycle.change import open_case
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import Case, Role, State, User
from workflow.schemas import MeetingNoticeIn

BEFORE_CABINET = (State.drafted, State.cabinet_consideration)

# kind: (the case field it fills, the states it may be recorded in)
CASE_FIELDS: dict[str, tuple[str, tuple[State, ...]]] = {
    "agenda": ("agenda_published_on", BEFORE_CABINET),
    "private_further_notice": ("private_further_notice_published_on", BEFORE_CABINET),
    "urgency_reasons": (
        "urgency_reasons_published_on",
        (*BEFORE_CABINET, State.delegated_approval),
    ),
    "private_urgency_reasons": (
        "private_urgency_reasons_published_on",
        (*BEFORE_CABINET, State.delegated_approval),
    ),
}


def record_meeting_notice(
    ctx: Ctx, case_id: int, data: MeetingNoticeIn, actor: User, expected_version: int | None = None
) -> Case:
    bundle = open_case(ctx, case_id, expected_version)
    case = bundle.case
    if not actor.has_role(Role.democratic_services):
        raise Forbidden("notices of the meeting procedure are recorded by democratic services")
    problem = _refusal(case, data, bool(bundle.sign_offs))
    if problem is not None:
        raise InvalidInput("the notice cannot be recorded", [FieldProblem("kind", problem)])
    if data.kind == "decision_record":
        last = bundle.sign_offs[-1]
        if data.published_on < last.signed_on:
            raise InvalidInput(
                "the notice cannot be recorded",
                [FieldProblem("published_on", "a record cannot be published before the decision")],
            )
    if data.kind == "decision_record":
        last.record_published_on = data.published_on
        ctx.session.add(last)
    else:
        setattr(case, CASE_FIELDS[data.kind][0], data.published_on)
    change.record(
        ctx,
        bundle,
        event="notice",
        actor=actor,
        from_state=case.state,
        data={"notice": data.model_dump(mode="json")},
        exempt_paragraph=exempt_paragraph_of(case),
    )
    return case


def _refusal(case: Case, data: MeetingNoticeIn, signed_off: bool) -> str | None:
    if data.kind == "decision_record":
        return None if signed_off else "the case has no sign-off whose record to publish"
    _, states = CASE_FIELDS[data.kind]
    if case.state not in states:
        return f"a {data.kind} notice is not recorded for a case in {case.state}"
    if data.kind == "agenda" and case.meeting_date is None:
        return "the case has no meeting whose agenda this is"
    if data.kind == "private_further_notice" and exempt_paragraph_of(case) is None:
        return "only an exempt item's meeting is held in private"
    if data.kind == "urgency_reasons" and case.urgency_route is None:
        return "no urgency route is recorded"
    if data.kind == "private_urgency_reasons" and not case.private_urgency_reason:
        return "no private-meeting urgency is recorded"
    return None
