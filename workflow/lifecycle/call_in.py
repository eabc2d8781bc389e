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

from workflow.context import Ctx
from workflow.errors import FieldProblem, InvalidInput
from workflow.lifecycle import change
from workflow.lifecycle.call_in_requests import members_asking, record_request
from workflow.lifecycle.decision import decide
from workflow.lifecycle.events import fire
from workflow.lifecycle.guards import enough_members_call_in
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import Case, User
from workflow.schemas import CallInIn


def request_call_in(
    ctx: Ctx, case_id: int, data: CallInIn, member: User, expected_version: int | None = None
) -> Case:
    """A scrutiny member asks to call the decision in. Below the number the constitution
    asks for, the request is recorded (and audited) and the case waits; the request that
    reaches it calls the decision in.

    Whether the member may ask is ``call_in``'s own decision (``decide``): the state, the
    right, the payload and the call-in period all refuse as ``call_in`` would; only "not
    enough members yet" makes this a request rather than the call-in itself."""
    bundle = change.open_case(ctx, case_id, expected_version)
    case = bundle.case
    decision = decide(ctx, bundle, member, "call_in", data)
    waiting = [f for f in decision.failures if f.name == enough_members_call_in.name]
    refusal = decision.refusal()
    if refusal is None:
        return fire(ctx, case_id, "call_in", member, data)
    if not waiting or decision.out_of_reach or decision.problems or waiting != decision.failures:
        raise refusal
    asking = members_asking(ctx, bundle)
    if member.id in asking:
        raise InvalidInput(
            "the call-in request cannot be recorded",
            [FieldProblem("body", "you have already asked to call this decision in")],
        )
    record_request(ctx, bundle, member, data.reason)
    change.record(
        ctx,
        bundle,
        event="call_in_request",
        actor=member,
        from_state=case.state,
        data={
            "reason": data.reason,
            "members_asking": len(asking) + 1,
            "members_needed": ctx.settings.call_in_members_needed,
        },
        exempt_paragraph=exempt_paragraph_of(case),
        replan=False,
    )
    return case


__all__ = ["request_call_in"]
