"""May this person fire this event on this case now? Answered here and nowhere else (issue 8).

``decide`` gives every part of the answer at once — is the state right, is the person
entitled, is the payload valid, which guards fail and why — and, when nothing stands in the
way, a preview of the outcome (the state it moves to; for a sign-off the term it sets).
``fire`` raises ``Decision.refusal()``; ``events_allowed`` lists the events whose decision
without a payload allows them; the pages word the same decision as reasons, and the sign-off
confirmation shows its preview. The refusal order is SPEC §3's: the state (409), the right to
fire (403), the case's exempt information (403), the payload (422), the guards (409).

A person not entitled to a case's exempt information (SPEC §6, ``exempt.is_entitled``) is
refused before any guard runs: a guard's reason may quote a figure the case view redacts for
them (issue 14, "from a refused event"). The scheduler's own user is not a person reading the
case, so it still expires exempt cases.

The guards are run by the one ``transitions`` machine of ``machine.py``, triggered on a small
holder, so the preview's destination is the machine's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import col, select

from workflow import timerules
from workflow.context import Ctx
from workflow.deadlines.rules import next_term_start
from workflow.errors import (
    DomainError,
    FieldProblem,
    Forbidden,
    GuardFailure,
    InvalidInput,
    TransitionRefused,
)
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.call_in_requests import members_asking
from workflow.lifecycle.exempt import may_see_exempt
from workflow.lifecycle.guards import GuardContext, cabinet_term_to_start
from workflow.lifecycle.machine import (
    EVENTS,
    SOURCES,
    TRANSITIONS,
    CaseStateHolder,
    TransitionSpec,
    failing_guards,
    machine,
)
from workflow.models import State, User, pk
from workflow.schemas import EVENT_PAYLOADS

EXEMPT_REFUSAL = "this case holds exempt information, and '{event}' on it may be fired only by "
EXEMPT_REFUSAL += "those who may see it"


@dataclass(frozen=True)
class Outcome:
    """What firing would do: the state the case moves to, and for a sign-off its term."""

    dest: str
    term_start: date | None = None
    term_end: date | None = None


@dataclass
class Decision:
    event: str
    state: str
    who: str  # who may fire it, in the council's words
    state_ok: bool
    entitled: bool  # the event's own right (``TransitionSpec.who``)
    sees_exempt: bool  # may see the case's exempt information (or the case has none)
    problems: list[FieldProblem] = field(default_factory=list)
    failures: list[GuardFailure] = field(default_factory=list)
    body: BaseModel | None = None  # the payload, valid
    outcome: Outcome | None = None  # only when nothing stands in the way
    alternatives: list[str] = field(default_factory=list)  # events allowed instead

    @property
    def allowed(self) -> bool:
        return self.outcome is not None

    @property
    def out_of_reach(self) -> bool:
        """No payload could make the event possible for this person now."""
        return not (self.state_ok and self.entitled and self.sees_exempt)

    def refusal(self) -> DomainError | None:
        """The first reason in SPEC §3's order, as the error ``fire`` raises; None if allowed."""
        if not self.state_ok:
            return TransitionRefused(self.event, self.state, self.alternatives)
        if not self.entitled:
            return Forbidden(f"'{self.event}' may be fired by {self.who}")
        if not self.sees_exempt:
            return Forbidden(EXEMPT_REFUSAL.format(event=self.event))
        if self.problems:
            return InvalidInput(f"the '{self.event}' payload is not valid", self.problems)
        if self.failures:
            return TransitionRefused(self.event, self.state, self.alternatives, self.failures)
        return None


def guard_context(
    ctx: Ctx,
    bundle: CaseBundle,
    actor: User | None,
    payload: Any = None,
    people: dict[int, User] | None = None,
) -> GuardContext:
    """What the guards read: the bundle, the clock, and the people the case and payload name
    (the delegate, the consultee and the urgency routes' office holders, SI 2012/2089), read
    in one query (none when ``people`` is given: guards that name no person)."""
    if people is not None:
        return _context(ctx, bundle, actor, payload, people)
    people = {}
    wanted: set[int | None] = set()
    if bundle.delegation is not None:
        wanted |= {bundle.delegation.delegate_id, *bundle.delegation.consultees()}
    case = bundle.case  # the office holders the urgency routes name (SI 2012/2089)
    wanted |= {case.urgency_chair_told_id, case.urgency_agreed_by_id}
    wanted |= {case.private_urgency_agreed_by_id}
    if payload is not None:
        wanted |= {getattr(payload, "delegate_id", None), getattr(payload, "consultee_id", None)}
        wanted |= set(getattr(payload, "consultee_ids", None) or [])
        wanted |= {getattr(payload, "urgent_agreed_by_id", None)}
    # A page's bundles carry their people preloaded (``bundle.load_many``): no lookup each.
    preloaded = bundle.people or {}
    found = [preloaded[uid] for uid in wanted if uid is not None and uid in preloaded]
    ids = [uid for uid in wanted if uid is not None and uid not in preloaded]
    if ids:
        # A person named in a payload must be of the case's council: another's is no one.
        found += ctx.session.exec(
            select(User).where(col(User.id).in_(ids), User.council_id == case.council_id)
        ).all()
    for user in found:
        if not user.is_system:
            people[pk(user.id)] = user
    return _context(ctx, bundle, actor, payload, people)


def _context(
    ctx: Ctx, bundle: CaseBundle, actor: User | None, payload: Any, people: dict[int, User]
) -> GuardContext:
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
        call_in_members=_call_in_members(ctx, bundle, actor),
        earlier_months=bundle.earlier_months,
        sign_offs=bundle.sign_offs,
    )


def implement_held_back(ctx: Ctx, bundle: CaseBundle) -> list[GuardFailure]:
    """Why the scheduler has not yet started the term waiting to start (``implement``:
    Cabinet's own term, or the delegate's key decision subject to call-in), guard by guard;
    empty when no term waits or nothing holds it back. The scheduler fires it by itself, so
    ``decide`` for a person stops at who may fire it: this is the same machine's answer for
    the scheduler, for the case's readers (a contract change notice not yet published, its
    standstill, call-in still running), so a held-back case is never stuck silently."""
    if bundle.case.state != State.delegated_approval:
        return []
    gctx = guard_context(ctx, bundle, None, people={})  # implement's guards name no person
    if cabinet_term_to_start.failure(gctx) is not None:
        return []
    spec = next(t for t in TRANSITIONS if t.event == "implement")
    return [GuardFailure(name, reason) for name, reason in failing_guards(spec, gctx)]


def _call_in_members(ctx: Ctx, bundle: CaseBundle, actor: User | None) -> frozenset[int]:
    """The scrutiny members asking to call the decision in (issue 12, fault 7). Only read
    where a call-in could be fired, by a scrutiny member on a case in delegated approval, so
    a page of cases read by anyone else costs no query for it."""
    if actor is None or not actor.has_role("scrutiny"):
        return frozenset()
    if bundle.case.state != State.delegated_approval:
        return frozenset()
    return members_asking(ctx, bundle)


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


def decide(
    ctx: Ctx,
    bundle: CaseBundle,
    actor: User,
    event: str,
    payload: dict[str, Any] | BaseModel | None = None,
) -> Decision:
    """The whole answer for ``actor`` firing ``event`` (one of ``EVENTS``) on ``bundle``.

    Without a payload (None) the guards that read one are not run (the ``may_<event>`` of
    the transitions README); with one (``{}`` for an empty body), it is validated and every
    guard runs on it. The later
    parts of the answer are worked out only when the earlier ones pass, so nothing the person
    may not see is computed for them.
    """
    bare = guard_context(ctx, bundle, actor)
    decision = _decide(bare, bundle, actor, EVENTS[event], None)
    if payload is not None and not decision.out_of_reach:
        try:
            body = validate_payload(event, payload)
        except InvalidInput as exc:
            decision.problems, decision.outcome = exc.problems, None
        else:
            decision = _decide(
                guard_context(ctx, bundle, actor, body), bundle, actor, EVENTS[event], body
            )
    if not decision.state_ok or decision.failures:
        decision.alternatives = _allowed(bare, bundle, actor)
    return decision


def events_allowed(ctx: Ctx, bundle: CaseBundle, actor: User | None) -> list[str]:
    """The events ``actor`` may fire now, by ``decide`` without a payload; a thin wrapper
    kept for the batched read models."""
    if actor is None:
        return []
    return _allowed(guard_context(ctx, bundle, actor), bundle, actor)


def _allowed(bare: GuardContext, bundle: CaseBundle, actor: User) -> list[str]:
    return [e for e, t in EVENTS.items() if _decide(bare, bundle, actor, t, None).allowed]


def _decide(
    gctx: GuardContext,
    bundle: CaseBundle,
    actor: User,
    spec: TransitionSpec,
    body: BaseModel | None,
) -> Decision:
    case = bundle.case
    decision = Decision(
        event=spec.event,
        state=case.state,
        who=spec.who.description,
        state_ok=case.state in SOURCES[spec.event],
        entitled=spec.who.check(gctx),
        sees_exempt=actor.is_system or may_see_exempt(bundle, actor),
        body=body,
    )
    if decision.out_of_reach:
        return decision  # no guard runs for someone who may not fire it, or not see it
    holder = CaseStateHolder(case.state, gctx)
    if not machine.events[spec.event].trigger(holder):
        decision.failures = [GuardFailure(name, reason) for name, reason in holder.failures]
        if not holder.routed:  # no row's route applies (``machine.Route``)
            routes = "; or ".join(
                t.when.description for t in TRANSITIONS if t.event == spec.event and t.when
            )
            decision.failures = [
                GuardFailure("route", f"'{spec.event}' applies only where {routes}")
            ]
        return decision
    decision.outcome = _preview(bundle, spec.event, holder.state, body)
    return decision


def _preview(bundle: CaseBundle, event: str, dest: str, body: BaseModel | None) -> Outcome:
    if event != "sign_off" or body is None:
        return Outcome(dest)
    start = next_term_start(bundle.case)
    months: int = body.months  # type: ignore[attr-defined]
    return Outcome(dest, start, timerules.term_end(start, months) if start else None)
