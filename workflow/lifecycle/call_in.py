"""Call-in as scrutiny runs it (issue 12, fault 7).

Members of the overview and scrutiny committee ask, one by one, for a decision to be called
in; each request is recorded, and the decision is called in when as many members as the
constitution asks for (``Settings.call_in_members_needed``) have asked: the member whose
request reaches that number fires ``call_in``. The committee then meets and decides one of
three outcomes, recorded by democratic services as events of the machine: no further action
(the decision is implemented at once), refer it back to the decision maker, or refer it to
full Council. The decision Cabinet then takes on reconsideration cannot be called in again.
(Local Government Act 2000 s.9F(2)(a)-(b) and s.9FE; the numbers are the constitution's.)
"""

from __future__ import annotations

from workflow import audit
from workflow.context import Ctx
from workflow.errors import (
    FieldProblem,
    Forbidden,
    GuardFailure,
    InvalidInput,
    PreconditionFailed,
    TransitionRefused,
)
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.call_in_requests import members_asking, record_request
from workflow.lifecycle.events import claim_version, events_allowed, fire, guard_context
from workflow.lifecycle.guards import within_call_in_period
from workflow.models import Case, Role, State, User, pk
from workflow.schemas import CallInIn


def request_call_in(
    ctx: Ctx, case_id: int, data: CallInIn, member: User, expected_version: int | None = None
) -> Case:
    """A scrutiny member asks to call the decision in. Below the number the constitution
    asks for, the request is recorded (and audited) and the case waits; the request that
    reaches it calls the decision in."""
    case = get_case(ctx, case_id)
    if expected_version is not None and expected_version != case.version:
        raise PreconditionFailed(f"case {case_id} is at version {case.version}; reload it")
    bundle = load(ctx, case)
    if case.state != State.delegated_approval:
        raise TransitionRefused("call_in", case.state, events_allowed(ctx, bundle, member))
    if not member.has_role(Role.scrutiny):
        raise Forbidden("a call-in is asked for by members of the scrutiny committee")
    reason = within_call_in_period.failure(guard_context(ctx, bundle, member))
    if reason is not None:
        raise TransitionRefused(
            "call_in",
            case.state,
            events_allowed(ctx, bundle, member),
            [GuardFailure(within_call_in_period.name, reason)],
        )
    asking = members_asking(ctx, bundle)
    if member.id in asking:
        raise InvalidInput(
            "the call-in request cannot be recorded",
            [FieldProblem("body", "you have already asked to call this decision in")],
        )
    if len(asking | {pk(member.id)}) >= ctx.settings.call_in_members_needed:
        return fire(ctx, case_id, "call_in", member, data)
    claim_version(ctx, case)
    record_request(ctx, bundle, member, data.reason)
    case.updated_at = ctx.now()
    ctx.session.add(case)
    ctx.session.flush()
    audit.append(
        ctx.session,
        event="call_in_request",
        at=ctx.now(),
        actor_id=member.id,
        case_id=pk(case.id),
        from_state=case.state,
        to_state=case.state,
        data={
            "reason": data.reason,
            "members_asking": len(asking) + 1,
            "members_needed": ctx.settings.call_in_members_needed,
        },
        exempt_paragraph=case.exempt_paragraph,
    )
    return case


__all__ = ["request_call_in"]
