"""Firing an event on a case: the one way a case changes state.

The order of checks is the order a clerk would give reasons in: does the event exist (404),
does the case (404), is the caller's copy current (412), does the state allow it (409, with the
events that are allowed), may this person fire it (403), is the payload well formed (422), do
the guards pass (409, naming each failing one). An event that cannot happen from this state is
answered as such whatever its body (SPEC §3), so a client is never sent to correct a payload
only to be told the event was never possible. Only then is anything written, and all of it in
the caller's transaction: the state (by a conditional UPDATE on ``version``, so of two
concurrent writers exactly one wins), the event's own records, the audit event and the
re-planned deadlines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import update
from sqlmodel import col, select

from workflow import audit, timerules
from workflow.context import Ctx
from workflow.deadlines import planning
from workflow.deadlines.rules import next_term_start
from workflow.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    GuardFailure,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    TransitionRefused,
)
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.lifecycle.call_in_requests import members_asking, record_request
from workflow.lifecycle.guards import GuardContext
from workflow.lifecycle.machine import EVENTS, CaseStateHolder, allowed_events, machine
from workflow.models import (
    Case,
    Delegation,
    Resolution,
    SignOff,
    User,
    pk,
)
from workflow.schemas import EVENT_PAYLOADS


def guard_context(
    ctx: Ctx, bundle: CaseBundle, actor: User | None, payload: Any = None
) -> GuardContext:
    people: dict[int, User] = {}
    wanted = set()
    if bundle.delegation is not None:
        wanted |= {bundle.delegation.delegate_id, bundle.delegation.consultee_id}
    case = bundle.case  # the office holders the urgency routes name (SI 2012/2089)
    wanted |= {case.urgency_chair_told_id, case.urgency_agreed_by_id}
    wanted |= {case.private_urgency_agreed_by_id}
    if payload is not None:
        wanted |= {getattr(payload, "delegate_id", None), getattr(payload, "consultee_id", None)}
        wanted |= {getattr(payload, "urgent_agreed_by_id", None)}
    for uid in wanted - {None}:
        user = ctx.session.get(User, uid)
        if user is not None and not user.is_system:
            people[user.id] = user  # type: ignore[index]
    return GuardContext(
        case=bundle.case,
        actor=actor,
        settings=ctx.settings,
        now=ctx.now(),
        today=ctx.today(),
        report=bundle.report,
        options=bundle.options,
        agreements=bundle.agreements,
        resolution=bundle.approval,
        delegation=bundle.delegation,
        consultations=bundle.consultations,
        people=people,
        months_used=bundle.months_used,
        payload=payload,
        call_in_members=members_asking(ctx, bundle),
    )


def events_allowed(ctx: Ctx, bundle: CaseBundle, actor: User | None) -> list[str]:
    return allowed_events(guard_context(ctx, bundle, actor))


def validate_payload(event: str, payload: dict[str, Any] | BaseModel | None) -> BaseModel:
    model = EVENT_PAYLOADS[event]
    if isinstance(payload, model):
        return payload
    if isinstance(payload, BaseModel):
        payload = payload.model_dump()
    try:
        return model.model_validate(payload or {})
    except ValidationError as exc:
        raise invalid_input(exc, f"the '{event}' payload is not valid") from exc


def invalid_input(exc: ValidationError, detail: str) -> InvalidInput:
    problems = [
        FieldProblem(".".join(str(p) for p in err["loc"]) or "body", err["msg"])
        for err in exc.errors()
    ]
    return InvalidInput(detail, problems)


def fire(
    ctx: Ctx,
    case_id: int,
    event: str,
    actor: User,
    payload: dict[str, Any] | BaseModel | None = None,
    expected_version: int | None = None,
) -> Case:
    spec = EVENTS.get(event)
    if spec is None:
        raise NotFound(f"there is no event '{event}'; events are {', '.join(EVENTS)}")
    case = get_case(ctx, case_id)
    if expected_version is not None and expected_version != case.version:
        raise PreconditionFailed(
            f"case {case_id} is at version {case.version}, not {expected_version}; reload it"
        )
    bundle = load(ctx, case)
    # The state and the right never depend on the payload: decide them before reading it.
    bare = guard_context(ctx, bundle, actor)
    if case.state not in spec.sources:
        raise TransitionRefused(event, case.state, allowed_events(bare))
    if not spec.who.check(bare):
        raise Forbidden(f"'{event}' may be fired by {spec.who.description}")
    body = validate_payload(event, payload)
    holder = CaseStateHolder(case.state, guard_context(ctx, bundle, actor, body))
    if not machine.events[event].trigger(holder):
        raise TransitionRefused(
            event,
            case.state,
            allowed_events(bare),
            [GuardFailure(name, reason) for name, reason in holder.failures],
        )
    from_state, to_state = case.state, holder.state
    claim_version(ctx, case, to_state)
    data = {"payload": body.model_dump(mode="json")}
    data.update(_EFFECTS[event](ctx, bundle, actor, body))
    case.updated_at = ctx.now()
    ctx.session.add(case)
    ctx.session.flush()
    audit.append(
        ctx.session,
        event=event,
        at=ctx.now(),
        actor_id=actor.id,
        case_id=case.id,
        from_state=from_state,
        to_state=to_state,
        data=data,
        exempt_paragraph=case.exempt_paragraph,
    )
    planning.sync(ctx, load(ctx, case))
    ctx.session.flush()
    return case


def claim_version(ctx: Ctx, case: Case, new_state: str | None = None) -> None:
    """Bump ``version`` only if nobody else has since we read it: one winner, others conflict."""
    values: dict[str, Any] = {"version": case.version + 1}
    if new_state is not None:
        values["state"] = new_state
    result = ctx.session.execute(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.version) == case.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"case {case.id} was changed by someone else while you acted; reload and try again"
        )
    case.version = values["version"]
    if new_state is not None:
        case.state = new_state
    # The row now holds these values; keep the ORM from writing them a second time.
    ctx.session.add(case)


# --- what each event writes besides the state ----------------------------------------------

Effect = Callable[[Ctx, CaseBundle, User, Any], dict[str, Any]]


def _nothing(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    return {}


def _defer(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    case = bundle.case
    previous = case.meeting_date
    case.meeting_date = body.meeting_date
    if body.meeting_date != previous:
        # A new meeting has its own agenda and further private notice (SI 2012/2089 regs 5(4)
        # and 7), and is late only on the chair's reason given for it.
        case.agenda_published_on = None
        case.private_further_notice_published_on = None
        case.late_item_reason = body.late_item_reason
    return {"previous_meeting_date": previous.isoformat() if previous else None}


def _approve(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    case = bundle.case
    resolution = Resolution(
        case_id=pk(case.id),
        outcome="approved",
        text=body.resolution,
        decided_on=body.decided_on,
        notice_published_on=body.notice_published_on,
        urgent_reason=body.urgent_reason,
        urgent_agreed_by_id=body.urgent_agreed_by_id if body.urgent_reason else None,
        meeting_date=case.meeting_date,
        adjourned_to=body.adjourned_to,
        reasons=body.reasons,
        conflicts_of_interest=body.conflicts_of_interest,
        dispensation=body.dispensation,
        cabinet_months=body.cabinet_months,
        # Reconsidering a decision scrutiny referred back (or to Council): no second call-in.
        reconsidered=bool(
            bundle.approval is not None
            and bundle.approval.call_in_outcome in ("referred_back", "referred_to_council")
        )
        or None,
        recorded_by_id=pk(actor.id),
        recorded_at=ctx.now(),
    )
    ctx.session.add(resolution)
    ctx.session.flush()
    max_months = body.max_months or case.proposal_max_months or 0
    start = next_term_start(case) or body.decided_on
    latest = timerules.envelope_end(start, max_months)
    case.entered_delegated_at = ctx.now()
    data: dict[str, Any] = {
        "resolution_id": resolution.id,
        "cabinet_months": body.cabinet_months,
        "envelope": {"max_months": max_months, "latest_end_date": latest.isoformat()},
    }
    if body.delegate_id is None:  # a decision with no delegation (Oldham): Cabinet's term only
        ctx.session.flush()
        return {**data, "delegation_id": None}
    delegation = Delegation(
        case_id=pk(case.id),
        resolution_id=pk(resolution.id),
        delegate_id=body.delegate_id,
        consultee_id=body.consultee_id,
        consultee_must_agree=body.consultee_must_agree or None,
        # The delegation covers only what lies beyond Cabinet's own months (fault 1).
        max_months=max_months - (body.cabinet_months or 0),
        latest_end_date=latest,
        created_at=ctx.now(),
    )
    ctx.session.add(delegation)
    ctx.session.flush()
    return {**data, "delegation_id": delegation.id}


def _implement(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    """Cabinet's own first term starts: the agreements run to its end (issue 12, fault 1)."""
    case, resolution = bundle.case, bundle.approval
    assert resolution is not None and resolution.cabinet_months
    start = next_term_start(case)
    assert start is not None
    end = timerules.term_end(start, resolution.cabinet_months)
    case.term_start, case.term_end = start, end
    for agreement in bundle.agreements:
        agreement.end_date = end
        agreement.updated_at = ctx.now()
        ctx.session.add(agreement)
    ctx.session.flush()
    return {
        "resolution_id": resolution.id,
        "term": {"start_date": start.isoformat(), "end_date": end.isoformat()},
    }


def _reject(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    resolution = Resolution(
        case_id=pk(bundle.case.id),
        outcome="rejected",
        text=body.resolution,
        decided_on=body.decided_on,
        meeting_date=bundle.case.meeting_date,
        adjourned_to=body.adjourned_to,
        reasons=body.reasons,
        conflicts_of_interest=body.conflicts_of_interest,
        dispensation=body.dispensation,
        recorded_by_id=pk(actor.id),
        recorded_at=ctx.now(),
    )
    ctx.session.add(resolution)
    ctx.session.flush()
    return {"resolution_id": resolution.id}


def _sign_off(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    case, delegation = bundle.case, bundle.delegation
    assert delegation is not None and delegation.id is not None
    start = next_term_start(case)
    assert start is not None
    end = timerules.term_end(start, body.months)
    sign_off = SignOff(
        case_id=pk(case.id),
        delegation_id=delegation.id,
        signer_id=pk(actor.id),
        months=body.months,
        term_start=start,
        term_end=end,
        reasons=body.reasons,
        conflicts_of_interest=body.conflicts_of_interest,
        dispensation=body.dispensation,
        alternatives_rejected=body.alternatives_rejected,
        signed_on=ctx.today(),
        signed_at=ctx.now(),
    )
    ctx.session.add(sign_off)
    case.term_start, case.term_end = start, end
    for agreement in bundle.agreements:
        agreement.end_date = end
        agreement.updated_at = ctx.now()
        ctx.session.add(agreement)
    ctx.session.flush()
    return {"sign_off_id": sign_off.id, "term": {"start_date": start, "end_date": end}}


def _extend(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    bundle.case.entered_delegated_at = ctx.now()
    return {}


def _call_in(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    """The member whose request completes the number is recorded too; the decision waits
    for the scrutiny committee."""
    record_request(ctx, bundle, actor, body.reason)
    resolution = bundle.approval
    assert resolution is not None
    resolution.call_in_outcome = "called_in"
    ctx.session.add(resolution)
    return {"members": sorted(members_asking(ctx, bundle))}


def _scrutiny_outcome(outcome: str) -> Effect:
    def effect(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
        resolution = bundle.approval
        assert resolution is not None
        resolution.call_in_outcome = outcome
        ctx.session.add(resolution)
        return {"outcome": outcome, "resolution_id": resolution.id}

    return effect


_EFFECTS: dict[str, Effect] = {
    "submit": _nothing,
    "defer": _defer,
    "refer_back": _nothing,
    "approve": _approve,
    "reject": _reject,
    "call_in": _call_in,
    "no_further_action": _scrutiny_outcome("no_further_action"),
    "refer_back_to_decision_maker": _scrutiny_outcome("referred_back"),
    "refer_to_council": _scrutiny_outcome("referred_to_council"),
    "sign_off": _sign_off,
    "extend": _extend,
    "expire": _nothing,
    "withdraw": _nothing,
    "decline": _nothing,  # the reasons are the audit event's payload
    "decline_further": _nothing,
    "lapse": _nothing,
    "implement": _implement,
}


def expire_due(ctx: Ctx, actor: User, today: date | None = None, limit: int = 100) -> list[int]:
    """Fire ``expire`` on active cases whose term has ended; answers the case ids expired.

    Each case is its own savepoint so one refusal (another scheduler got there first) does
    not undo the others.
    """
    today = today or ctx.today()
    candidates = ctx.session.exec(
        select(Case.id)
        .where(Case.state == "active", col(Case.term_end) < today)
        .order_by(col(Case.id))
        .limit(limit)
    ).all()
    expired = []
    for case_id in candidates:
        assert case_id is not None
        try:
            with ctx.session.begin_nested():
                fire(ctx, case_id, "expire", actor)
            expired.append(case_id)
        except (Conflict, TransitionRefused):
            continue
    return expired


def implement_due(ctx: Ctx, actor: User, limit: int = 100) -> list[int]:
    """Start Cabinet's own terms whose call-in is over: fire ``implement`` on cases in
    delegated approval whose latest resolution approved months of its own and that have no
    term yet (issue 12, fault 1). The guards decide; each case is its own savepoint."""
    candidates = ctx.session.exec(
        select(Case.id)
        .join(Resolution, col(Resolution.case_id) == col(Case.id))
        .where(
            Case.state == "delegated_approval",
            col(Case.term_end).is_(None),
            col(Resolution.cabinet_months).is_not(None),
        )
        .distinct()
        .order_by(col(Case.id))
    ).all()
    started: list[int] = []
    for case_id in candidates:
        assert case_id is not None
        try:
            with ctx.session.begin_nested():
                fire(ctx, case_id, "implement", actor)
            started.append(case_id)
        except (Conflict, TransitionRefused):
            continue
        if len(started) >= limit:
            break
    return started


def lapse_due(ctx: Ctx, actor: User, limit: int = 100) -> list[int]:
    """Fire ``lapse`` on cases in delegated approval whose envelope's time has passed (issue
    12, fault 3); answers the case ids lapsed. The guard decides; this only finds candidates
    (a next term due to have started before today), each in its own savepoint."""
    today = ctx.today()
    candidates = ctx.session.exec(
        select(Case).where(Case.state == "delegated_approval").order_by(col(Case.id))
    ).all()
    lapsed: list[int] = []
    for case in candidates:
        case_id = pk(case.id)
        start = timerules.next_term_start(case.term_end, case.proposal_start_date)
        if start is None or start >= today:
            continue
        try:
            with ctx.session.begin_nested():
                fire(ctx, case_id, "lapse", actor)
            lapsed.append(case_id)
        except (Conflict, TransitionRefused):
            continue
        if len(lapsed) >= limit:
            break
    return lapsed


__all__ = ["events_allowed", "expire_due", "fire", "guard_context", "implement_due", "lapse_due"]
