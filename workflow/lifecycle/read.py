"""The case as a person may see it: typed read models in the pinned shapes of SPEC §7, and the
read scope that builds them.

Redaction is decided while a model is built (``CaseRead.case``, ``decision_record``,
``audit_event``), never afterwards, so no caller can forget it. FastAPI serves these models as
they are (``response_model``); the pages get the same models with real ``date`` values.

``CaseScope(ctx, viewer)`` is the one way to read cases: ``page(cases)`` loads a page's parts
with one IN-query per table (``workflow.lifecycle.bundle.load_many``) and its deadlines in one
more, so a list costs the same number of statements whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import col, select

from workflow import timerules
from workflow.context import Ctx
from workflow.errors import NotFound
from workflow.lifecycle.bundle import CaseBundle, load_many
from workflow.lifecycle.events import events_allowed
from workflow.lifecycle.exempt import is_entitled, may_see_exempt
from workflow.lifecycle.guards import case_value_pence, is_key_decision_facts
from workflow.models import (
    AuditEvent,
    Case,
    CaseKind,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    State,
    User,
    pk,
)

REDACTED = "[exempt]"
# Audit data keys that are dates or states, never exempt content.
AUDIT_PUBLIC_KEYS = {
    "meeting_date",
    "previous_meeting_date",
    "decided_on",
    "notice_published_on",
    "consulted_on",
    "term",
    "months",
    "resolution_id",
    "delegation_id",
    "sign_off_id",
    "consultation_id",
}


class Redaction(BaseModel):
    """Stands in for exempt content the caller may not see (Schedule 12A paragraph)."""

    redacted: Literal[True]
    exempt_paragraph: int
    reason: str

    @classmethod
    def of(cls, paragraph: int) -> Redaction:
        return cls(
            redacted=True,
            exempt_paragraph=paragraph,
            reason=(
                f"Exempt information under paragraph {paragraph} of Schedule 12A to the Local "
                "Government Act 1972"
            ),
        )


class OptionOut(BaseModel):
    label: str
    description: str
    rejected_reason: str | None


class ReportOut(BaseModel):
    summary: str | None
    options: list[OptionOut]
    recommended_option: str | None
    reasons: str | None
    financial_implications: str | None


class UrgencyOut(BaseModel):
    route: Literal["general_exception", "special_urgency"]
    reason: str | None
    notified_on: date | None
    agreed_by: str | None
    # SI 2012/2089 regs 10 and 11: who was told or agreed, when, and the reasons notice.
    chair_told_id: int | None = None
    agreed_by_id: int | None = None
    agreed_on: date | None = None
    precedence_note: str | None = None
    reasons_published_on: date | None = None


class PrivateUrgencyOut(BaseModel):
    """SI 2012/2089 reg 5(6)-(7)."""

    reason: str | None
    agreed_by_id: int | None
    agreed_on: date | None
    precedence_note: str | None
    reasons_published_on: date | None


class ProposalOut(BaseModel):
    start_date: date | None
    initial_months: int | None
    max_months: int | None


class DeadlineOut(BaseModel):
    id: int
    case_id: int
    kind: DeadlineKind
    due_on: date
    agreement_id: int | None
    status: Literal["open", "done", "cancelled"]
    is_duty: bool
    overdue: bool

    @classmethod
    def of(cls, d: Deadline, today: date) -> DeadlineOut:
        return cls(
            id=pk(d.id),
            case_id=d.case_id,
            kind=DeadlineKind(d.kind),
            due_on=d.due_on,
            agreement_id=d.agreement_id,
            status=d.status,  # type: ignore[arg-type]
            is_duty=d.is_duty,
            overdue=d.status == DeadlineStatus.open and d.is_duty and d.due_on < today,
        )


class ResolutionOut(BaseModel):
    text: str
    decided_on: date
    notice_published_on: date | None
    urgent_reason: str | None


class DelegationOut(BaseModel):
    """The envelope. Its figures — ``max_months``, what is used and left, and the
    ``latest_end_date`` from which ``max_months`` can be counted back — are null for a person
    not entitled to the case's exempt information."""

    delegate_id: int
    consultee_id: int | None
    max_months: int | None
    latest_end_date: date | None
    months_used: int | None
    months_left: int | None
    resolution: ResolutionOut | None


class TermOut(BaseModel):
    start_date: date | None
    end_date: date | None


class CaseOut(BaseModel):
    id: int
    kind: CaseKind
    title: str
    directorate: str
    agreement_ids: list[int]
    meeting_date: date | None
    agenda_item: str | None
    key_decision: bool
    is_key_decision: bool
    value_pence: int | None
    forward_plan_published_on: date | None
    exempt_paragraph: int | None
    private_notice_published_on: date | None
    private_further_notice_published_on: date | None = None
    agenda_published_on: date | None = None
    late_item_reason: str | None = None
    private_urgency: PrivateUrgencyOut | None = None
    urgency: UrgencyOut | None
    proposal: ProposalOut
    report: ReportOut | Redaction | None
    state: State
    version: int
    author_id: int
    allowed_events: list[str]
    deadlines: list[DeadlineOut]
    delegation: DelegationOut | None
    term: TermOut | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    redacted: Redaction | None


class AuditEventOut(BaseModel):
    id: int
    case_id: int | None
    event: str
    from_state: str | None
    to_state: str | None
    actor_id: int | None
    at: AwareDatetime
    data: dict[str, Any]
    prev_hash: str | None = Field(
        description="null for a reader not entitled to exempt information"
    )
    hash: str | None = Field(description="null for a reader not entitled to exempt information")


class DecisionMaker(BaseModel):
    id: int | None
    name: str


class DecisionTerm(BaseModel):
    months: int
    start_date: date
    end_date: date


class Authority(BaseModel):
    resolution: str
    decided_on: date
    meeting_date: date | None


class DecisionConsultee(BaseModel):
    consultee_id: int
    consultee_name: str | None
    consulted_on: date | None
    response: str | None
    conflicts_of_interest: str | None = None  # the consultee's (issue 12, fault 5)
    dispensation: str | None = None


OnDay = date  # DecisionRecordOut has a field named ``date``, which hides the type there


class CabinetRecordOut(BaseModel):
    """The reg 12 record of Cabinet's decision (SI 2012/2089)."""

    regulation: str
    outcome: str
    decision: str | None
    decided_on: date
    meeting_date: date | None
    adjourned_to: date | None
    reasons: str | None
    alternatives_rejected: list[OptionOut] | None
    conflicts_of_interest: str | None
    dispensation: str | None
    published_on: date | None
    publish_by: date
    urgent_reason: str | None
    urgent_agreed_by_id: int | None


class DecisionRecordOut(BaseModel):
    """The officer decision record of one sign-off (SI 2012/2089 reg 13), with the reg 12
    record of the Cabinet decision it acts under."""

    case_id: int
    title: str
    date: date
    decision_maker: DecisionMaker | None
    decision: str
    term: DecisionTerm
    authority: Authority | None
    reasons: str | None
    alternatives_rejected: list[OptionOut] | None
    consultee: DecisionConsultee | None
    conflicts_of_interest: str | None
    exempt_paragraph: int | None
    redacted: Redaction | None
    regulation: str = "SI 2012/2089 reg 13"
    dispensation: str | None = None
    published_on: OnDay | None = None
    publish_by: OnDay | None = None
    cabinet_record: CabinetRecordOut | None = None
    officer_alternatives_rejected: str | None = None
    sign_off_id: int | None = None
    sign_off_ids: list[int] = []  # every sign-off's record: ?sign_off_id=


# --- building them ------------------------------------------------------------------------


def _report(bundle: CaseBundle) -> ReportOut | None:
    if bundle.report is None:
        return None
    return ReportOut(
        summary=bundle.report.summary,
        options=[
            OptionOut(label=o.label, description=o.description, rejected_reason=o.rejected_reason)
            for o in bundle.options
        ],
        recommended_option=bundle.report.recommended_option,
        reasons=bundle.report.reasons,
        financial_implications=bundle.report.financial_implications,
    )


def _delegation(bundle: CaseBundle, entitled: bool) -> DelegationOut | None:
    d, r = bundle.delegation, bundle.approval
    if d is None:
        return None
    resolution = None
    if r is not None:
        resolution = ResolutionOut(
            text=r.text if entitled else REDACTED,
            decided_on=r.decided_on,
            notice_published_on=r.notice_published_on,
            urgent_reason=r.urgent_reason if entitled else None,
        )
    return DelegationOut(
        delegate_id=d.delegate_id,
        consultee_id=d.consultee_id,
        max_months=d.max_months if entitled else None,
        latest_end_date=d.latest_end_date if entitled else None,
        months_used=bundle.months_used if entitled else None,
        months_left=bundle.months_left if entitled else None,
        resolution=resolution,
    )


def _deadline_shown(d: Deadline, entitled: bool) -> bool:
    """The ``envelope_exhausted`` deadline falls on the delegation's latest end date, which
    counts back to the redacted ``max_months``: not shown to a person not entitled."""
    return entitled or d.kind != DeadlineKind.envelope_exhausted


def case_read(
    ctx: Ctx,
    bundle: CaseBundle,
    viewer: User,
    deadlines: list[Deadline],
) -> CaseOut:
    """The case as ``viewer`` may see it; ``deadlines`` are the case's, oldest due first."""
    case = bundle.case
    entitled = may_see_exempt(bundle, viewer)
    notice = None if entitled else Redaction.of(pk(case.exempt_paragraph))
    urgency = None
    if case.urgency_route:
        urgency = UrgencyOut(
            route=case.urgency_route,  # type: ignore[arg-type]
            reason=case.urgency_reason if entitled else REDACTED,
            notified_on=case.urgency_notified_on,
            agreed_by=case.urgency_agreed_by,
            chair_told_id=case.urgency_chair_told_id,
            agreed_by_id=case.urgency_agreed_by_id,
            agreed_on=case.urgency_agreed_on,
            precedence_note=case.urgency_precedence_note if entitled else None,
            reasons_published_on=case.urgency_reasons_published_on,
        )
    private_urgency = None
    if case.private_urgency_reason:
        private_urgency = PrivateUrgencyOut(
            reason=case.private_urgency_reason if entitled else REDACTED,
            agreed_by_id=case.private_urgency_agreed_by_id,
            agreed_on=case.private_urgency_agreed_on,
            precedence_note=case.private_urgency_precedence_note if entitled else None,
            reasons_published_on=case.private_urgency_reasons_published_on,
        )
    late_item_reason = case.late_item_reason
    if late_item_reason and not entitled:
        late_item_reason = REDACTED
    today = ctx.today()
    return CaseOut(
        id=pk(case.id),
        kind=CaseKind(case.kind),
        title=case.title,
        directorate=case.directorate,
        agreement_ids=[pk(a.id) for a in bundle.agreements],
        meeting_date=case.meeting_date,
        agenda_item=case.agenda_item,
        key_decision=case.key_decision,
        is_key_decision=is_key_decision_facts(case, bundle.agreements, ctx.settings),
        value_pence=case_value_pence(bundle.agreements, case.proposal_max_months)
        if entitled
        else None,
        forward_plan_published_on=case.forward_plan_published_on,
        exempt_paragraph=case.exempt_paragraph,
        private_notice_published_on=case.private_notice_published_on,
        private_further_notice_published_on=case.private_further_notice_published_on,
        agenda_published_on=case.agenda_published_on,
        late_item_reason=late_item_reason,
        private_urgency=private_urgency,
        urgency=urgency,
        # Beyond title, state and dates: the figures of the proposal and envelope are redacted.
        proposal=ProposalOut(
            start_date=case.proposal_start_date,
            initial_months=case.proposal_initial_months if entitled else None,
            max_months=case.proposal_max_months if entitled else None,
        ),
        report=_report(bundle) if entitled else notice,
        state=State(case.state),
        version=case.version,
        author_id=case.author_id,
        allowed_events=events_allowed(ctx, bundle, viewer),
        deadlines=[DeadlineOut.of(d, today) for d in deadlines if _deadline_shown(d, entitled)],
        delegation=_delegation(bundle, entitled),
        term=None
        if case.term_end is None
        else TermOut(start_date=case.term_start, end_date=case.term_end),
        created_at=case.created_at,
        updated_at=case.updated_at,
        redacted=notice,
    )


def audit_event(event: AuditEvent, entitled: bool, paragraph: int | None) -> AuditEventOut:
    """``paragraph`` is the case's paragraph now; the event's own stamp (the paragraph when it
    was written) counts too, so clearing the paragraph later reveals nothing written before.
    The hashes are hidden from the same readers (issue 14): they cover the unredacted data, so
    they would let anyone test guesses at what was redacted."""
    stamped = event.data.get("exempt_paragraph")
    paragraph = paragraph or (stamped if isinstance(stamped, int) else None)
    data = event.data
    hidden = not entitled and paragraph is not None
    if not entitled and paragraph is not None:
        data = {k: v for k, v in data.items() if k in AUDIT_PUBLIC_KEYS}
        payload = event.data.get("payload")
        if isinstance(payload, dict):
            public = {k: v for k, v in payload.items() if k in AUDIT_PUBLIC_KEYS}
            data["payload"] = public
        data["redacted"] = Redaction.of(paragraph).model_dump()
    return AuditEventOut(
        id=pk(event.id),
        case_id=event.case_id,
        event=event.event,
        from_state=event.from_state,
        to_state=event.to_state,
        actor_id=event.actor_id,
        at=event.at,
        data=data,
        prev_hash=None if hidden else event.prev_hash,
        hash=None if hidden else event.hash,
    )


class CaseScope:
    """What ``viewer`` may see of cases, read in batches."""

    def __init__(self, ctx: Ctx, viewer: User) -> None:
        self.ctx = ctx
        self.viewer = viewer

    def deadlines(self, case_ids: list[int]) -> dict[int, list[Deadline]]:
        grouped: dict[int, list[Deadline]] = defaultdict(list)
        if not case_ids:
            return grouped
        rows = self.ctx.session.exec(
            select(Deadline)
            .where(col(Deadline.case_id).in_(case_ids))
            .order_by(col(Deadline.due_on), col(Deadline.id))
        )
        for d in rows:
            grouped[d.case_id].append(d)
        return grouped

    def bundles(self, cases: list[Case]) -> list[CaseBundle]:
        # Tenancy sits here as well as in the queries: a case of another council is never read.
        return load_many(self.ctx, [c for c in cases if self.ctx.sees(c.council_id)])

    def read(self, bundles: list[CaseBundle]) -> list[CaseOut]:
        """The read models of bundles already loaded (one query more: their deadlines)."""
        deadlines = self.deadlines([pk(b.case.id) for b in bundles])
        return [
            case_read(self.ctx, b, self.viewer, deadlines.get(pk(b.case.id), [])) for b in bundles
        ]

    def page(self, cases: list[Case]) -> list[CaseOut]:
        return self.read(self.bundles(cases))

    def one(self, bundle: CaseBundle) -> CaseOut:
        return self.read([bundle])[0]

    def audit(self, bundle: CaseBundle, after_id: int = 0, limit: int = 50) -> list[AuditEventOut]:
        rows = self.ctx.session.exec(
            select(AuditEvent)
            .where(AuditEvent.case_id == bundle.case.id, col(AuditEvent.id) > after_id)
            .order_by(col(AuditEvent.id))
            .limit(limit)
        ).all()
        entitled = is_entitled(bundle, self.viewer)
        return [audit_event(e, entitled, bundle.case.exempt_paragraph) for e in rows]

    def decision_record(
        self, bundle: CaseBundle, sign_off_id: int | None = None
    ) -> DecisionRecordOut:
        return decision_record(self.ctx, bundle, self.viewer, sign_off_id)


def cabinet_record(ctx: Ctx, bundle: CaseBundle, viewer: User) -> CabinetRecordOut | None:
    """The written statement of Cabinet's latest decision on the case (SI 2012/2089 reg 12(2)):
    the decision and its date, the reasons, the alternatives considered and rejected, any
    conflict of interest declared and the dispensation granted; published as the decision
    notice, from which call-in counts. None before Cabinet has decided."""
    r = bundle.resolution
    if r is None:
        return None
    entitled = may_see_exempt(bundle, viewer)
    report = bundle.report
    return CabinetRecordOut(
        regulation="SI 2012/2089 reg 12",
        outcome=r.outcome,
        decision=r.text if entitled else None,
        decided_on=r.decided_on,
        meeting_date=r.meeting_date,
        adjourned_to=r.adjourned_to,
        reasons=(r.reasons or (report.reasons if report else None)) if entitled else None,
        alternatives_rejected=[
            OptionOut(label=o.label, description=o.description, rejected_reason=o.rejected_reason)
            for o in bundle.options
            if o.rejected_reason
        ]
        if entitled
        else None,
        conflicts_of_interest=r.conflicts_of_interest if entitled else None,
        dispensation=r.dispensation if entitled else None,
        published_on=r.notice_published_on,
        publish_by=timerules.add_working_days(
            r.decided_on, ctx.settings.decision_record_working_days
        ),
        urgent_reason=r.urgent_reason if entitled else None,
        urgent_agreed_by_id=r.urgent_agreed_by_id,
    )


def decision_record(
    ctx: Ctx, bundle: CaseBundle, viewer: User, sign_off_id: int | None = None
) -> DecisionRecordOut:
    """The officer decision record of one sign-off (the latest unless ``sign_off_id`` names
    another), with the reg 12 record of the Cabinet decision it acts under.

    An officer deciding under a delegation from Cabinet takes an executive decision, so its
    record is the one of SI 2012/2089 reg 13, not the Openness of Local Government Bodies
    Regulations 2014 reg 7 (which is for decisions delegated by the council or a committee
    under s.101 LGA 1972). Each sign-off has its own record (issue 12, fault 5); its
    alternatives rejected are the officer's own, given with the sign-off, not Cabinet's
    options (those are in ``cabinet_record``). Reasons, alternatives, the consultee, the
    authority and conflicts declared are exempt content like the report: null for a person
    not entitled."""
    if not bundle.sign_offs:
        raise NotFound(f"case {bundle.case.id} has no sign-off yet")
    sign_off = bundle.sign_offs[-1]
    if sign_off_id is not None:
        chosen = [s for s in bundle.sign_offs if s.id == sign_off_id]
        if not chosen:
            raise NotFound(f"case {bundle.case.id} has no sign-off {sign_off_id}")
        sign_off = chosen[0]
    earlier = [s for s in bundle.sign_offs if s.signed_at < sign_off.signed_at]
    since = earlier[-1].signed_at if earlier else None
    case = bundle.case
    entitled = may_see_exempt(bundle, viewer)
    signer = ctx.session.get(User, sign_off.signer_id)
    delegation = bundle.delegation
    consultation = None
    if entitled and delegation is not None and delegation.consultee_id is not None:
        consultee = ctx.session.get(User, delegation.consultee_id)
        recorded = [
            c
            for c in bundle.consultations
            if c.consultee_id == delegation.consultee_id
            and c.recorded_at <= sign_off.signed_at
            and (since is None or c.recorded_at > since)  # consulted for this sign-off
        ]
        last = recorded[-1] if recorded else None
        consultation = DecisionConsultee(
            consultee_id=delegation.consultee_id,
            consultee_name=consultee.name if consultee else None,
            consulted_on=last.consulted_on if last else None,
            response=last.response if last else None,
            conflicts_of_interest=last.conflicts_of_interest if last else None,
            dispensation=last.dispensation if last else None,
        )
    refs = ", ".join(a.reference for a in bundle.agreements)
    authority = None
    if entitled and bundle.approval is not None:
        authority = Authority(
            resolution=bundle.approval.text,
            decided_on=bundle.approval.decided_on,
            meeting_date=bundle.approval.meeting_date,
        )
    return DecisionRecordOut(
        case_id=pk(case.id),
        title=case.title,
        date=sign_off.signed_on,
        decision_maker=DecisionMaker(id=signer.id, name=signer.name) if signer else None,
        decision=(
            f"To approve a term of {sign_off.months} months from "
            f"{sign_off.term_start.isoformat()} to {sign_off.term_end.isoformat()} "
            f"for {len(bundle.agreements)} agreement(s): {refs}"
        ),
        term=DecisionTerm(
            months=sign_off.months, start_date=sign_off.term_start, end_date=sign_off.term_end
        ),
        authority=authority,
        reasons=sign_off.reasons if entitled else None,
        # The officer's own alternatives (reg 13(2)(c)); Cabinet's are in cabinet_record.
        alternatives_rejected=[] if entitled else None,
        officer_alternatives_rejected=sign_off.alternatives_rejected if entitled else None,
        sign_off_id=sign_off.id,
        sign_off_ids=[pk(s.id) for s in bundle.sign_offs],
        consultee=consultation,
        conflicts_of_interest=sign_off.conflicts_of_interest if entitled else None,
        exempt_paragraph=case.exempt_paragraph,
        redacted=None if entitled else Redaction.of(pk(case.exempt_paragraph)),
        # SI 2012/2089 reg 13(2)(e) and the record's own publication (issue 11).
        dispensation=sign_off.dispensation if entitled else None,
        published_on=sign_off.record_published_on,
        publish_by=timerules.add_working_days(
            sign_off.signed_on, ctx.settings.decision_record_working_days
        ),
        cabinet_record=cabinet_record(ctx, bundle, viewer),
    )
