"""Recording that the delegate consulted the consultee (SPEC §2, the sign-off guard)."""

from __future__ import annotations

from workflow.context import Ctx
from workflow.errors import (
    FieldProblem,
    Forbidden,
    InvalidInput,
    TransitionRefused,
)
from workflow.lifecycle import change
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.change import open_case
from workflow.lifecycle.events import events_allowed, guard_context
from workflow.lifecycle.guards import consultees_outstanding
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import Consultation, State, User, pk
from workflow.schemas import ConsultationIn


def may_record_consultation(bundle: CaseBundle, actor: User) -> bool:
    """Whether ``actor`` may record a consultation now: in delegated approval, with a named
    consultee, by the delegate or the consultee. The one rule ``record_consultation`` enforces
    and the pages read to decide whether to offer the form."""
    delegation = bundle.delegation
    return (
        bundle.case.state == State.delegated_approval
        and delegation is not None
        and bool(delegation.consultees())
        and actor.id in (delegation.delegate_id, *delegation.consultees())
    )


def still_to_consult(ctx: Ctx, bundle: CaseBundle, actor: User) -> list[User]:
    """The consultees still to be consulted whose consultation ``actor`` may record, in
    Cabinet's order: all of them for the delegate, only themselves for a consultee, nobody
    for anyone else. Who counts as consulted is the sign-off guard's own list
    (``guards.consultees_outstanding``), so the form never offers someone the guard has
    already counted, nor hides one it still waits for."""
    if not may_record_consultation(bundle, actor):
        return []
    context = guard_context(ctx, bundle, actor)
    owed = consultees_outstanding(context)
    if bundle.delegation is not None and actor.id != bundle.delegation.delegate_id:
        owed = [uid for uid in owed if uid == actor.id]
    return [context.people[uid] for uid in owed if uid in context.people]


def record_consultation(
    ctx: Ctx, case_id: int, data: ConsultationIn, actor: User, expected_version: int | None = None
) -> Consultation:
    bundle = open_case(ctx, case_id, expected_version)
    case = bundle.case
    delegation = bundle.delegation
    if case.state != State.delegated_approval or delegation is None:
        raise TransitionRefused("consult", case.state, events_allowed(ctx, bundle, actor))
    named = delegation.consultees()
    if actor.id not in (delegation.delegate_id, *named):
        raise Forbidden("a consultation is recorded by the delegate or a consultee")
    if actor.id != delegation.delegate_id and actor.id != data.consultee_id:
        raise Forbidden("a consultee records only their own consultation")
    problems = []
    if not named:
        problems.append(FieldProblem("consultee_id", "Cabinet named no consultee for this case"))
    elif data.consultee_id not in named:
        who = ", ".join(f"user {uid}" for uid in named)
        problems.append(
            FieldProblem(
                "consultee_id",
                f"user {data.consultee_id} is not a consultee of this case: Cabinet named {who}",
            )
        )
    if data.consulted_on > ctx.today():
        problems.append(FieldProblem("consulted_on", "cannot be in the future"))
    if problems:
        raise InvalidInput("the consultation cannot be recorded", problems)
    consultation = Consultation(
        case_id=pk(case.id),
        delegation_id=pk(delegation.id),
        consultee_id=data.consultee_id,
        consulted_on=data.consulted_on,
        response=data.response,
        conflicts_of_interest=data.conflicts_of_interest,
        dispensation=data.dispensation,
        agreed=data.agreed,
        recorded_by_id=pk(actor.id),
        recorded_at=ctx.now(),
    )
    ctx.session.add(consultation)
    ctx.session.flush()
    bundle.consultations.append(consultation)
    change.record(
        ctx,
        bundle,
        event="consultation",
        actor=actor,
        from_state=case.state,
        data={"consultation_id": consultation.id, **data.model_dump(mode="json")},
        exempt_paragraph=exempt_paragraph_of(case),
    )
    return consultation
