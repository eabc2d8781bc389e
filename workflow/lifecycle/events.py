"""Firing an event on a case: the one way a case changes state.

The order of checks is the order a clerk would give reasons in: does the event exist (404),
does the case (404), is the caller's copy current (412), does the state allow it (409, with the
events that are allowed), may this person fire it (403), is the payload well formed (422), do
the guards pass (409, naming each failing one) — all of it the one answer of
``workflow.lifecycle.decision.decide``. An event that cannot happen from this state is
answered as such whatever its body (SPEC §3), so a client is never sent to correct a payload
only to be told the event was never possible. Only then is anything written, and all of it in
the caller's transaction through ``workflow.lifecycle.change``: the case is read under its row
lock, so of two concurrent writers the second waits and then sees the state the first left
(exactly one wins, SPEC §3); then the event's own records, the version, the audit event and
the re-planned deadlines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, or_, select

from workflow import timerules
from workflow.context import Ctx
from workflow.deadlines.rules import next_term_start
from workflow.errors import Conflict, NotFound, TransitionRefused
from workflow.lifecycle import change
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.call_in_requests import members_asking, record_request
from workflow.lifecycle.change import open_case
from workflow.lifecycle.decision import (
    decide,
    events_allowed,
    guard_context,
    invalid_input,
    validate_payload,
)
from workflow.lifecycle.machine import EVENTS
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import (
    REFERRED_BACK,
    Case,
    Delegation,
    DelegationConsultee,
    Resolution,
    SignOff,
    User,
    pk,
)


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
    bundle = open_case(ctx, case_id, expected_version)
    case = bundle.case
    decision = decide(ctx, bundle, actor, event, payload if payload is not None else {})
    refusal = decision.refusal()
    if refusal is not None:
        raise refusal
    assert decision.outcome is not None and decision.body is not None
    body = decision.body
    from_state = case.state
    case.state = decision.outcome.dest
    data = {"payload": body.model_dump(mode="json")}
    data.update(_EFFECTS[event](ctx, bundle, actor, body))
    change.record(
        ctx,
        bundle,
        event=event,
        actor=actor,
        from_state=from_state,
        data=data,
        exempt_paragraph=exempt_paragraph_of(case),
    )
    return case


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
            bundle.approval is not None and bundle.approval.call_in_outcome in REFERRED_BACK
        )
        or None,
        recorded_by_id=pk(actor.id),
        recorded_at=ctx.now(),
    )
    ctx.session.add(resolution)
    ctx.session.flush()
    # Keep the bundle in step with what is written, so the re-plan reads it without a reload.
    bundle.resolution = bundle.approval = resolution
    bundle.delegation, bundle.consultations = None, []
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
        named=[
            DelegationConsultee(case_id=pk(case.id), user_id=uid, position=i)
            for i, uid in enumerate(body.named_consultees())
        ],
        consultee_must_agree=body.consultee_must_agree or None,
        # The delegation covers only what lies beyond Cabinet's own months (fault 1).
        max_months=max_months - (body.cabinet_months or 0),
        latest_end_date=latest,
        created_at=ctx.now(),
    )
    ctx.session.add(delegation)
    ctx.session.flush()
    bundle.delegation = delegation
    return {**data, "delegation_id": delegation.id}


def _implement(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    """Cabinet's own first term starts (issue 12, fault 1), or the term of the delegate's key
    decision once call-in is over: the agreements run to its end."""
    case, resolution, officer = bundle.case, bundle.approval, bundle.officer_decision
    if officer is not None:
        officer.implemented_on = ctx.today()
        ctx.session.add(officer)
        _start_term(ctx, bundle, officer.term_start, officer.term_end)
        ctx.session.flush()
        return {"sign_off_id": officer.id, "term": {"start_date": officer.term_start}}
    assert resolution is not None and resolution.cabinet_months
    start = next_term_start(case)
    assert start is not None
    end = timerules.term_end(start, resolution.cabinet_months)
    _start_term(ctx, bundle, start, end)
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
    bundle.resolution = resolution
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
    if case.state == "delegated_approval":
        # An officer key decision subject to call-in (issue 12): its term starts when
        # call-in is over (``implement``), counted from the day of the decision.
        sign_off.call_in_ends_on = ctx.settings.day_rule("call_in").after(sign_off.signed_on)
    else:
        _start_term(ctx, bundle, start, end)
    ctx.session.flush()
    bundle.sign_offs.append(sign_off)
    return {
        "sign_off_id": sign_off.id,
        "term": {"start_date": start, "end_date": end},
        "call_in_ends_on": sign_off.call_in_ends_on,
    }


def _start_term(ctx: Ctx, bundle: CaseBundle, start: date, end: date) -> None:
    """A term takes effect: the case's term and every agreement's end date."""
    bundle.case.term_start, bundle.case.term_end = start, end
    for agreement in bundle.agreements:
        agreement.end_date = end
        agreement.updated_at = ctx.now()
        ctx.session.add(agreement)


def _extend(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    bundle.case.entered_delegated_at = ctx.now()
    return {}


def _call_in(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    """The member whose request completes the number is recorded too; the decision waits
    for the scrutiny committee."""
    record_request(ctx, bundle, actor, body.reason)
    members = sorted(members_asking(ctx, bundle))
    _called_in_decision(ctx, bundle).call_in_outcome = "called_in"
    return {"members": members}


def _called_in_decision(ctx: Ctx, bundle: CaseBundle) -> Resolution | SignOff:
    """The decision call-in is about: the delegate's key decision awaiting call-in, else
    Cabinet's resolution (added to the session, so its outcome is written)."""
    decision: Resolution | SignOff | None = bundle.officer_decision or bundle.approval
    assert decision is not None
    ctx.session.add(decision)
    return decision


def _scrutiny_outcome(outcome: str) -> Effect:
    def effect(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
        decision = _called_in_decision(ctx, bundle)
        decision.call_in_outcome = outcome
        if isinstance(decision, SignOff):
            return {"outcome": outcome, "sign_off_id": decision.id}
        return {"outcome": outcome, "resolution_id": decision.id}

    return effect


def _refer_to_council(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    """Scrutiny refers the decision called in (Cabinet's, or the delegate's key decision) to
    full Council, from its meeting's day: Council's meeting is due by the constitution's
    working days from then (``council_decision``). The day is kept on Cabinet's resolution,
    under which the delegate's decision was also taken (``Resolution.council_referred_on``)."""
    out = _scrutiny_outcome("referred_to_council")(ctx, bundle, actor, body)
    assert bundle.approval is not None
    bundle.approval.council_referred_on = body.met_on
    ctx.session.add(bundle.approval)
    return out


def _council_decides(ctx: Ctx, bundle: CaseBundle, actor: User, body: Any) -> dict[str, Any]:
    """Full Council lets the decision stand (LGA 2000 s.9F(4)(b)): Cabinet's takes effect at
    once (the delegate may sign off, Cabinet's own term starts at the next pass); the
    delegate's key decision takes effect now, its signed-off term starting, as ``implement``
    would have started it when call-in was over."""
    officer = bundle.officer_decision
    out = _scrutiny_outcome("council_decided")(ctx, bundle, actor, body)
    if officer is None:
        return out
    officer.implemented_on = ctx.today()
    _start_term(ctx, bundle, officer.term_start, officer.term_end)
    ctx.session.flush()
    return {**out, "term": {"start_date": officer.term_start, "end_date": officer.term_end}}


_EFFECTS: dict[str, Effect] = {
    "submit": _nothing,
    "defer": _defer,
    "refer_back": _nothing,
    "approve": _approve,
    "reject": _reject,
    "call_in": _call_in,
    "no_further_action": _scrutiny_outcome("no_further_action"),
    "refer_back_to_decision_maker": _scrutiny_outcome("referred_back"),
    "refer_to_council": _refer_to_council,
    "council_decides": _council_decides,
    "council_refers_back": _scrutiny_outcome("council_referred_back"),
    "sign_off": _sign_off,
    "extend": _extend,
    "expire": _nothing,
    "withdraw": _nothing,
    "decline": _nothing,  # the reasons are the audit event's payload
    "decline_further": _nothing,
    "lapse": _nothing,
    "implement": _implement,
}


def fire_each(
    ctx: Ctx, case_ids: Iterable[int], event: str, actor: User, limit: int = 100
) -> list[int]:
    """Fire ``event`` on each candidate the scheduler found, each in its own savepoint, so one
    refusal (the guards said no, or another scheduler got there first) does not undo the
    others; answers the case ids it moved, at most ``limit``. The candidates' queries only
    narrow the search: the guards decide."""
    moved: list[int] = []
    for case_id in case_ids:
        if len(moved) >= limit:
            break
        try:
            with ctx.session.begin_nested():
                fire(ctx, case_id, event, actor)
            moved.append(case_id)
        except (Conflict, TransitionRefused):
            continue
    return moved


def expire_due(ctx: Ctx, actor: User, today: date | None = None, limit: int = 100) -> list[int]:
    """Fire ``expire`` on active cases whose term has ended; answers the case ids expired."""
    today = today or ctx.today()
    candidates = ctx.session.exec(
        select(Case.id)
        .where(Case.state == "active", col(Case.term_end) < today)
        .where(ctx.within(col(Case.council_id)))
        .order_by(col(Case.id))
        .limit(limit)
    ).all()
    return fire_each(ctx, (pk(i) for i in candidates), "expire", actor, limit)


def implement_due(ctx: Ctx, actor: User, limit: int = 100) -> list[int]:
    """Start Cabinet's own terms whose call-in is over: fire ``implement`` on cases in
    delegated approval whose latest resolution approved months of its own and that have no
    term yet (issue 12, fault 1), or whose delegate's key decision awaits call-in."""
    officers = ctx.session.exec(
        select(Case.id)
        .join(SignOff, col(SignOff.case_id) == col(Case.id))
        .where(
            Case.state == "delegated_approval",
            col(SignOff.implemented_on).is_(None),
            or_(
                (col(SignOff.call_in_ends_on) < ctx.today())
                & col(SignOff.call_in_outcome).is_(None),
                col(SignOff.call_in_outcome) == "no_further_action",
            ),
            # The pass runs council by council: another council's case is not this one's to
            # start (``fire`` would not find it).
            ctx.within(col(Case.council_id)),
        )
        .distinct()
    ).all()
    candidates = ctx.session.exec(
        select(Case.id)
        .join(Resolution, col(Resolution.case_id) == col(Case.id))
        .where(
            Case.state == "delegated_approval",
            col(Case.term_end).is_(None),
            col(Resolution.cabinet_months).is_not(None),
            ctx.within(col(Case.council_id)),
        )
        .distinct()
        .order_by(col(Case.id))
    ).all()
    due = sorted({pk(i) for i in candidates} | {pk(i) for i in officers})
    return fire_each(ctx, due, "implement", actor, limit)


def lapse_due(ctx: Ctx, actor: User, limit: int = 100) -> list[int]:
    """Fire ``lapse`` on cases in delegated approval whose envelope's time has passed (issue
    12, fault 3). One indexed query selects only those: ``cases.lapses_after``, the last day
    the envelope could be used, is kept on the row by every change (``change.record``), so a
    pass reads no case that is not due however many wait in delegated approval."""
    candidates = ctx.session.exec(
        select(Case.id)
        .where(
            Case.state == "delegated_approval",
            col(Case.lapses_after) < ctx.today(),
            ctx.within(col(Case.council_id)),
        )
        .order_by(col(Case.id))
        .limit(limit)
    ).all()
    return fire_each(ctx, (pk(i) for i in candidates), "lapse", actor, limit)


__all__ = [
    "events_allowed",
    "expire_due",
    "fire",
    "fire_each",
    "guard_context",
    "implement_due",
    "invalid_input",
    "lapse_due",
    "validate_payload",
]
