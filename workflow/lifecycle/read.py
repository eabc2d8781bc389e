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
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.errors import NotFound
from workflow.lifecycle.bundle import CaseBundle, load_many
from workflow.lifecycle.decision import implement_held_back
from workflow.lifecycle.events import events_allowed, guard_context, validate_payload
from workflow.lifecycle.exempt import hidden_from, is_entitled
from workflow.lifecycle.guards import (
    case_value_pence,
    is_key_decision_facts,
    modification_verdicts,
)
from workflow.lifecycle.parts import Hidden, exempt_paragraph_of, lapsed
from workflow.lifecycle.procurement_notices import notices_listed
from workflow.models import (
    AuditEvent,
    Case,
    CaseKind,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Ground,
    State,
    User,
    pk,
)
from workflow.procurement import verdict as procurement
from workflow.procurement.notices import modification_months
from workflow.procurement.read import ProcurementNoticeOut, ProcurementOut

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


class ExemptPartOut(BaseModel):
    """One Part B of the report (``workflow.lifecycle.parts``): its Schedule 12A paragraph and
    heading are public (the reason the public are excluded is given, SI 2012/2089 reg 5(2)(b));
    its content is null, with a redaction notice, for a viewer not entitled while in force."""

    part: str
    paragraph: int
    heading: str
    covers: list[str]
    content: str | None
    redacted: Redaction | None


class PublicInterestOut(BaseModel):
    """Schedule 12A para 10: who found the public interest in maintaining the exemption to
    outweigh that in disclosing the information, when, and why. Public: it says why
    something is withheld, not what."""

    decided_by_id: int | None
    decided_on: date | None
    reasons: str | None


class ExemptionOut(BaseModel):
    """The exemption of a case as everyone may see it: its parts, the test, the review."""

    exempt_parts: list[ExemptPartOut] = []
    public_interest: PublicInterestOut | None = None
    exemption_review_on: date | None = None
    exemption_lapses_on: date | None = None
    exemption_lapsed: bool = False


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
    ground: Ground | None = None  # SPEC §9: the lawful ground relied on


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
    consultee_ids: list[int] = []  # every consultee named, consultee_id first (fault 8)
    consultee_must_agree: bool = False  # "with the agreement of", not "in consultation with"
    max_months: int | None
    latest_end_date: date | None
    months_used: int | None
    months_left: int | None
    resolution: ResolutionOut | None


class TermOut(BaseModel):
    start_date: date | None
    end_date: date | None


class HeldBackOut(BaseModel):
    """Why a term decided has not started yet: a guard of the scheduler's ``implement`` that
    fails today (``decision.implement_held_back``), e.g. no contract change notice published."""

    event: Literal["implement"] = "implement"
    guard: str
    reason: str


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
    # SPEC §9: per agreement, the figures of the proposal's modification and its ground.
    procurement: list[ProcurementOut] = []
    # Why the term Cabinet approved itself (or the delegate's key decision) has not started:
    # the scheduler starts it once these clear. Empty for a reader who may not see figures.
    held_back: list[HeldBackOut] = []
    # SPEC §9: each procurement notice owed or published, with the modification it is for.
    procurement_notices: list[ProcurementNoticeOut] = []
    exempt_parts: list[ExemptPartOut] = []
    public_interest: PublicInterestOut | None = None
    exemption_review_on: date | None = None
    exemption_lapses_on: date | None = None
    exemption_lapsed: bool = False


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
    consultee: DecisionConsultee | None  # the first consultee named (``consultees[0]``)
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
    exemption: ExemptionOut = ExemptionOut()
    consultees: list[DecisionConsultee] | None = None  # every consultee named (fault 8)


# --- building them ------------------------------------------------------------------------


def _shown(value: str | None, hide: Hidden, item: str) -> str | None:
    """``value`` if the viewer is shown ``item``, else the redaction mark (null stays null)."""
    return value if value is None or hide.shows(item) else REDACTED


def _options(bundle: CaseBundle, hide: Hidden, rejected_only: bool = False) -> list[OptionOut]:
    return [
        OptionOut(
            label=_shown(o.label, hide, "options") or "",
            description=_shown(o.description, hide, "options") or "",
            rejected_reason=_shown(o.rejected_reason, hide, "options"),
        )
        for o in bundle.options
        if o.rejected_reason or not rejected_only
    ]


def _report(bundle: CaseBundle, hide: Hidden) -> ReportOut | Redaction | None:
    """The report's Part A in full and each fact a Part B covers marked ``[exempt]``; the
    whole report's redaction notice for an all-exempt case."""
    if hide.whole is not None:
        return Redaction.of(hide.whole)
    report = bundle.report
    if report is None:
        return None
    return ReportOut(
        summary=_shown(report.summary, hide, "summary"),
        options=_options(bundle, hide),
        recommended_option=_shown(report.recommended_option, hide, "recommended_option"),
        reasons=_shown(report.reasons, hide, "reasons"),
        financial_implications=_shown(
            report.financial_implications, hide, "financial_implications"
        ),
    )


def exemption(case: Case, hide: Hidden, today: date) -> ExemptionOut:
    """The case's Part B items, the public-interest test and the review and lapse dates."""
    stored = case.exempt_parts or []
    parts = []
    for i, part in enumerate(stored):
        paragraph = int(part["paragraph"])
        secret = i in hide.parts
        parts.append(
            ExemptPartOut(
                part="B" if len(stored) == 1 else f"B{i + 1}",
                paragraph=paragraph,
                heading=str(part["heading"]),
                covers=list(part.get("covers", [])),
                content=None if secret or hide.whole is not None else part.get("content"),
                redacted=Redaction.of(paragraph) if secret else None,
            )
        )
    test = None
    if case.public_interest_decided_on or case.public_interest_reasons:
        test = PublicInterestOut(
            decided_by_id=case.public_interest_decided_by_id,
            decided_on=case.public_interest_decided_on,
            reasons=case.public_interest_reasons,
        )
    return ExemptionOut(
        exempt_parts=parts,
        public_interest=test,
        exemption_review_on=case.exemption_review_on,
        exemption_lapses_on=case.exemption_lapses_on,
        exemption_lapsed=bool(stored) and lapsed(case, today),
    )


def _delegation(bundle: CaseBundle, hide: Hidden) -> DelegationOut | None:
    d, r = bundle.delegation, bundle.approval
    if d is None:
        return None
    entitled = hide.shows("figures")
    resolution = None
    if r is not None:
        resolution = ResolutionOut(
            text=r.text if hide.shows("resolution") else REDACTED,
            decided_on=r.decided_on,
            notice_published_on=r.notice_published_on,
            urgent_reason=r.urgent_reason if hide.shows("urgency_reason") else None,
        )
    return DelegationOut(
        delegate_id=d.delegate_id,
        consultee_id=next(iter(d.consultees()), None),
        consultee_ids=d.consultees(),
        consultee_must_agree=bool(d.consultee_must_agree),
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
    """The case as ``viewer`` may see it; ``deadlines`` are the case's, oldest due first.
    Each fact a Part B covers is redacted on its own (``Hidden``); an all-exempt case's whole
    report as before, with the ``redacted`` notice."""
    case = bundle.case
    today = ctx.today()
    hide = hidden_from(bundle, viewer, today)
    notice = None if hide.whole is None else Redaction.of(hide.whole)
    urgent = hide.shows("urgency_reason")
    figures = hide.shows("figures")
    urgency = None
    if case.urgency_route:
        urgency = UrgencyOut(
            route=case.urgency_route,  # type: ignore[arg-type]
            reason=case.urgency_reason if urgent else REDACTED,
            notified_on=case.urgency_notified_on,
            agreed_by=case.urgency_agreed_by,
            chair_told_id=case.urgency_chair_told_id,
            agreed_by_id=case.urgency_agreed_by_id,
            agreed_on=case.urgency_agreed_on,
            precedence_note=case.urgency_precedence_note if urgent else None,
            reasons_published_on=case.urgency_reasons_published_on,
        )
    private_urgency = None
    if case.private_urgency_reason:
        private_urgency = PrivateUrgencyOut(
            reason=case.private_urgency_reason if urgent else REDACTED,
            agreed_by_id=case.private_urgency_agreed_by_id,
            agreed_on=case.private_urgency_agreed_on,
            precedence_note=case.private_urgency_precedence_note if urgent else None,
            reasons_published_on=case.private_urgency_reasons_published_on,
        )
    late_item_reason = case.late_item_reason
    if late_item_reason and not urgent:
        late_item_reason = REDACTED
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
        if figures
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
            initial_months=case.proposal_initial_months if figures else None,
            max_months=case.proposal_max_months if figures else None,
            ground=None if case.proposal_ground is None else Ground(case.proposal_ground),
        ),
        report=_report(bundle, hide),
        state=State(case.state),
        version=case.version,
        author_id=case.author_id,
        allowed_events=events_allowed(ctx, bundle, viewer),
        deadlines=[DeadlineOut.of(d, today) for d in deadlines if _deadline_shown(d, figures)],
        delegation=_delegation(bundle, hide),
        term=None
        if case.term_end is None
        else TermOut(start_date=case.term_start, end_date=case.term_end),
        created_at=case.created_at,
        updated_at=case.updated_at,
        redacted=notice,
        procurement=[
            ProcurementOut.of(v, figures_shown=figures) for v in procurement_verdicts(ctx, bundle)
        ],
        held_back=[
            HeldBackOut(guard=f.name, reason=f.reason) for f in implement_held_back(ctx, bundle)
        ]
        if figures
        else [],
        procurement_notices=notices_listed(ctx, bundle),
        **exemption(case, hide, today).model_dump(),
    )


def procurement_verdicts(ctx: Ctx, bundle: CaseBundle) -> list[procurement.Verdict]:
    """The ground's verdict for each agreement on the whole modification the case proposes,
    after the months other cases have already added (the guard tests each event's own months,
    ``guards.lawful_modification``)."""
    ground = Ground(bundle.case.proposal_ground) if bundle.case.proposal_ground else None
    months = modification_months(bundle.case, bundle.approval, bundle.delegation)
    return [
        procurement.assess(a, ground, months, bundle.earlier_months.get(pk(a.id), 0), ctx.today())
        for a in bundle.agreements
    ]


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
        paragraph = exempt_paragraph_of(bundle.case)
        return [audit_event(e, entitled, paragraph) for e in rows]

    def decision_record(
        self, bundle: CaseBundle, sign_off_id: int | None = None
    ) -> DecisionRecordOut:
        return decision_record(self.ctx, bundle, self.viewer, sign_off_id)


def cabinet_record(ctx: Ctx, bundle: CaseBundle, viewer: User) -> CabinetRecordOut | None:
    """The written statement of Cabinet's latest decision on the case (SI 2012/2089 reg 12(2)):
    the decision and its date, the reasons, the alternatives considered and rejected, any
    conflict of interest declared and the dispensation granted; published as the decision
    notice, from which call-in counts. None before Cabinet has decided. The decision and its
    reasons are withheld from a person not entitled only under a Part B covering
    ``resolution``, the alternatives under one covering ``options``; everything when the
    whole report is exempt."""
    r = bundle.resolution
    if r is None:
        return None
    hide = hidden_from(bundle, viewer, ctx.today())
    not_all_exempt = hide.whole is None
    report = bundle.report
    reasons = r.reasons
    if reasons is None and report is not None:
        reasons = _shown(report.reasons, hide, "reasons")
    return CabinetRecordOut(
        regulation="SI 2012/2089 reg 12",
        outcome=r.outcome,
        decision=r.text if hide.shows("resolution") else None,
        decided_on=r.decided_on,
        meeting_date=r.meeting_date,
        adjourned_to=r.adjourned_to,
        reasons=reasons if hide.shows("resolution") else None,
        alternatives_rejected=_options(bundle, hide, rejected_only=True)
        if not_all_exempt
        else None,
        conflicts_of_interest=r.conflicts_of_interest if not_all_exempt else None,
        dispensation=r.dispensation if not_all_exempt else None,
        published_on=r.notice_published_on,
        publish_by=ctx.settings.day_rule("decision_record").after(r.decided_on),
        urgent_reason=r.urgent_reason if hide.shows("urgency_reason") else None,
        urgent_agreed_by_id=r.urgent_agreed_by_id,
    )


def _consulted(
    ctx: Ctx, bundle: CaseBundle, uid: int, signed_at: datetime, since: datetime | None
) -> DecisionConsultee:
    """One consultee in a sign-off's record: the last consultation recorded for that sign-off
    (after the sign-off before it), with their interests and any dispensation (reg 13(2)(e))."""
    consultee = (bundle.people or {}).get(uid) or ctx.session.get(User, uid)
    recorded = [
        c
        for c in bundle.consultations
        if c.consultee_id == uid
        and c.recorded_at <= signed_at
        and (since is None or c.recorded_at > since)  # consulted for this sign-off
    ]
    last = recorded[-1] if recorded else None
    return DecisionConsultee(
        consultee_id=uid,
        consultee_name=consultee.name if consultee else None,
        consulted_on=last.consulted_on if last else None,
        response=last.response if last else None,
        conflicts_of_interest=last.conflicts_of_interest if last else None,
        dispensation=last.dispensation if last else None,
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
    options (those are in ``cabinet_record``). What is not exempt is shown to everyone
    (issue 12, fault 4; SI 2012/2089 reg 20(2)(b) withholds only the part of a document that
    holds exempt information): the officer's reasons, alternatives, consultation and
    declarations are null for a person not entitled only when a Part B covers ``sign_off``,
    the authority only when one covers ``resolution``, and all of them when the whole report
    is exempt (``exempt_paragraph``). Part B itself is in ``exemption``."""
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
    hide = hidden_from(bundle, viewer, ctx.today())
    entitled = hide.shows("sign_off")
    signer = ctx.session.get(User, sign_off.signer_id)
    delegation = bundle.delegation
    consultees = None
    if entitled and delegation is not None:
        consultees = [
            _consulted(ctx, bundle, uid, sign_off.signed_at, since)
            for uid in delegation.consultees()
        ]
    refs = ", ".join(a.reference for a in bundle.agreements)
    authority = None
    if hide.shows("resolution") and bundle.approval is not None:
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
        consultee=consultees[0] if consultees else None,
        consultees=consultees,
        conflicts_of_interest=sign_off.conflicts_of_interest if entitled else None,
        exempt_paragraph=case.exempt_paragraph,
        redacted=None if hide.whole is None else Redaction.of(hide.whole),
        # SI 2012/2089 reg 13(2)(e) and the record's own publication (issue 11).
        dispensation=sign_off.dispensation if entitled else None,
        published_on=sign_off.record_published_on,
        publish_by=ctx.settings.day_rule("decision_record").after(sign_off.signed_on),
        cabinet_record=cabinet_record(ctx, bundle, viewer),
        exemption=exemption(case, hide, ctx.today()),
    )


def ground_check(
    ctx: Ctx, bundle: CaseBundle, actor: User, event: str, payload: dict[str, Any]
) -> list[ProcurementOut]:
    """The ground check of one event's own months (``sign_off``, ``extend``, ``approve``),
    exactly as the ``lawful_modification`` guard reads it, for the page that confirms it."""
    context = guard_context(ctx, bundle, actor, validate_payload(event, payload))
    return [ProcurementOut.of(v, figures_shown=True) for v in modification_verdicts(context)]
