"""A case with everything its guards, deadlines and views read, loaded in one place.

``load`` reads one case's parts; ``load_many`` reads the same parts for a page of cases with one
IN-query per table and builds each bundle from the preloaded rows (``CaseBundle.of``), so a
list costs the same number of statements whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select

from workflow.context import Ctx
from workflow.db import unique_rows
from workflow.errors import NotFound
from workflow.models import (
    REFERRED_BACK,
    Agreement,
    CallInRequest,
    Case,
    CaseAgreement,
    Consultation,
    Delegation,
    Report,
    ReportOption,
    Resolution,
    SignOff,
    User,
    awaiting_call_in,
    pk,
)

T = TypeVar("T")


@dataclass
class CaseBundle:
    case: Case
    report: Report | None = None
    options: list[ReportOption] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    resolution: Resolution | None = None  # Cabinet's latest resolution, whatever it was
    approval: Resolution | None = None  # the latest approving resolution
    delegation: Delegation | None = None
    consultations: list[Consultation] = field(default_factory=list)
    sign_offs: list[SignOff] = field(default_factory=list)
    # The people the guards ask about (delegate, consultee), when preloaded for a page;
    # ``None`` means "look them up" (``workflow.lifecycle.events.guard_context``).
    people: dict[int, User] | None = None
    # (resolution id, member id) of the scrutiny members asking to call a decision in, when
    # preloaded for a page; ``None`` means "look them up" (``call_in_requests.members_asking``).
    call_in_requests: list[tuple[int, int | None, int]] | None = None
    # Agreement id -> months other cases have signed off on it: the earlier modifications
    # the procurement tests aggregate (``workflow.procurement``), read with the agreements.
    earlier_months: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        report: Report | None = None,
        options: Iterable[ReportOption] = (),
        agreements: Iterable[Agreement] = (),
        resolutions: Iterable[Resolution] = (),
        delegations: Iterable[Delegation] = (),
        consultations: Iterable[Consultation] = (),
        sign_offs: Iterable[SignOff] = (),
        people: dict[int, User] | None = None,
        call_in_requests: list[tuple[int, int | None, int]] | None = None,
        earlier_months: dict[int, int] | None = None,
    ) -> CaseBundle:
        """A bundle from rows already read: the same choices ``load`` makes (the latest
        resolution, the latest approval, the latest delegation and its consultations)."""
        ordered = sorted(resolutions, key=lambda r: r.id or 0)
        approvals = [r for r in ordered if r.outcome == "approved"]
        delegation = max(delegations, key=lambda d: d.id or 0, default=None)
        return cls(
            case=case,
            report=report,
            options=sorted(options, key=lambda o: o.position),
            agreements=sorted(agreements, key=lambda a: a.id or 0),
            resolution=ordered[-1] if ordered else None,
            approval=approvals[-1] if approvals else None,
            delegation=delegation,
            consultations=sorted(
                (c for c in consultations if delegation and c.delegation_id == delegation.id),
                key=lambda c: c.id or 0,
            ),
            sign_offs=sorted(sign_offs, key=lambda s: s.id or 0),
            people=people,
            call_in_requests=call_in_requests,
            earlier_months=earlier_months or {},
        )

    @property
    def months_used(self) -> int:
        """Months already signed off under the current delegation."""
        if self.delegation is None:
            return 0
        return sum(
            s.months
            for s in self.sign_offs
            if s.delegation_id == self.delegation.id and not s.referred_back
        )

    @property
    def officer_decision(self) -> SignOff | None:
        """The delegate's key decision awaiting call-in, if any."""
        return awaiting_call_in(self.sign_offs)

    @property
    def months_left(self) -> int:
        """What is left of the envelope for the delegate to sign off."""
        return 0 if self.delegation is None else self.delegation.months_left(self.months_used)


def _months_elsewhere(case_id: Any) -> ColumnElement[int]:
    """The months other cases have signed off on the outer query's agreement, as a column of
    the agreements query itself (a correlated subquery), so it costs no statement of its
    own."""
    other = aliased(CaseAgreement)
    return (
        select(func.coalesce(func.sum(SignOff.months), 0))
        .join(other, col(other.case_id) == col(SignOff.case_id))
        .where(col(other.agreement_id) == col(Agreement.id), col(SignOff.case_id) != case_id)
        .where(  # a sign-off referred back to its delegate is void (``SignOff.referred_back``)
            or_(
                col(SignOff.call_in_outcome).is_(None),
                col(SignOff.call_in_outcome).not_in(REFERRED_BACK),
            )
        )
        .correlate(Agreement, CaseAgreement)
        .scalar_subquery()
    )


def get_case(ctx: Ctx, case_id: int) -> Case:
    case = ctx.session.get(Case, case_id)
    if case is None or not ctx.sees(case.council_id):
        raise NotFound(f"case {case_id} does not exist")  # another council's: the same 404
    return case


def load(ctx: Ctx, case: Case) -> CaseBundle:
    """Everything about ``case`` its guards, deadlines and views read, in four queries."""
    rows = ctx.session.exec(
        select(Report, ReportOption)
        .outerjoin(ReportOption, col(ReportOption.report_id) == col(Report.id))
        .where(Report.case_id == case.id)
        .order_by(col(ReportOption.position))
    ).all()
    return _with_report(ctx, case, [(r, o) for r, o in rows])


def load_locked(ctx: Ctx, case_id: int) -> CaseBundle:
    """``load`` for a change: the case row locked (``FOR UPDATE OF cases``; on SQLite the
    transaction already holds the write lock) and read again as of the lock, in the same
    query as its report."""
    rows = ctx.session.exec(
        select(Case, Report, ReportOption)
        .outerjoin(Report, col(Report.case_id) == col(Case.id))
        .outerjoin(ReportOption, col(ReportOption.report_id) == col(Report.id))
        .where(col(Case.id) == case_id, ctx.within(col(Case.council_id)))
        .order_by(col(ReportOption.position))
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    ).all()
    if not rows:
        raise NotFound(f"case {case_id} does not exist")
    return _with_report(ctx, rows[0][0], [(r, o) for _, r, o in rows])


def _with_report(
    ctx: Ctx, case: Case, rows: list[tuple[Report | None, ReportOption | None]]
) -> CaseBundle:
    s = ctx.session
    report = rows[0][0] if rows else None
    options = [o for _, o in rows if o is not None]
    linked = s.exec(
        select(Agreement, _months_elsewhere(pk(case.id)))
        .join(CaseAgreement, col(CaseAgreement.agreement_id) == col(Agreement.id))
        .where(CaseAgreement.case_id == case.id)
        .order_by(col(Agreement.id))
    ).all()
    agreements = [a for a, _ in linked]
    # Every delegation comes from an approving resolution, and every consultation from a
    # delegation: one query reads all three.
    decided = unique_rows(
        s.exec(
            select(Resolution, Delegation, Consultation)
            .outerjoin(Delegation, col(Delegation.resolution_id) == col(Resolution.id))
            .outerjoin(Consultation, col(Consultation.delegation_id) == col(Delegation.id))
            .where(Resolution.case_id == case.id)
            .order_by(col(Resolution.id), col(Delegation.id), col(Consultation.id))
        )
    )
    resolutions = list({pk(r.id): r for r, _, _ in decided}.values())
    approvals = [r for r in resolutions if r.outcome == "approved"]
    delegations = {pk(d.id): d for _, d, _ in decided if d is not None}
    delegation = delegations[max(delegations)] if delegations else None
    consultations = sorted(
        {
            pk(c.id): c
            for _, d, c in decided
            if c is not None and d is not None and d is delegation
        }.values(),
        key=lambda c: pk(c.id),
    )
    sign_offs = list(
        s.exec(select(SignOff).where(SignOff.case_id == case.id).order_by(col(SignOff.id))).all()
    )
    return CaseBundle(
        case=case,
        report=report,
        options=options,
        agreements=agreements,
        resolution=resolutions[-1] if resolutions else None,
        approval=approvals[-1] if approvals else None,
        delegation=delegation,
        consultations=consultations,
        sign_offs=sign_offs,
        earlier_months={pk(a.id): int(m) for a, m in linked},
    )


def load_many(ctx: Ctx, cases: list[Case]) -> list[CaseBundle]:
    """The bundles of a page of cases: one IN-query per table, however many cases, with the
    delegates and consultees preloaded so deciding the allowed events reads nothing more."""
    if not cases:
        return []
    s = ctx.session
    ids = [c.id for c in cases]
    reports = {r.case_id: r for r in s.exec(select(Report).where(col(Report.case_id).in_(ids)))}
    options = _by(
        s.exec(
            select(ReportOption).where(
                col(ReportOption.report_id).in_([r.id for r in reports.values()])
            )
        ),
        lambda o: o.report_id,
    )
    linked = s.exec(
        select(CaseAgreement.case_id, Agreement, _months_elsewhere(col(CaseAgreement.case_id)))
        .join(Agreement, col(CaseAgreement.agreement_id) == col(Agreement.id))
        .where(col(CaseAgreement.case_id).in_(ids))
    ).all()
    agreements: dict[int, list[Agreement]] = defaultdict(list)
    earlier: dict[int, dict[int, int]] = defaultdict(dict)
    for case_id, agreement, months in linked:
        agreements[case_id].append(agreement)
        earlier[case_id][pk(agreement.id)] = int(months)
    resolutions = _by(
        s.exec(select(Resolution).where(col(Resolution.case_id).in_(ids))), lambda r: r.case_id
    )
    delegations = _by(
        s.exec(select(Delegation).where(col(Delegation.case_id).in_(ids))).unique(),
        lambda d: d.case_id,
    )
    delegation_ids = [d.id for ds in delegations.values() for d in ds]
    consultations = _by(
        s.exec(select(Consultation).where(col(Consultation.delegation_id).in_(delegation_ids))),
        lambda c: c.delegation_id,
    )
    asking: dict[int, list[tuple[int, int | None, int]]] = {}
    for request in s.exec(select(CallInRequest).where(col(CallInRequest.case_id).in_(ids))):
        asking.setdefault(request.case_id, []).append(
            (request.resolution_id, request.sign_off_id, request.member_id)
        )
    sign_offs = _by(
        s.exec(select(SignOff).where(col(SignOff.case_id).in_(ids))), lambda o: o.case_id
    )
    wanted: set[int | None] = {d.delegate_id for ds in delegations.values() for d in ds}
    wanted |= {uid for ds in delegations.values() for d in ds for uid in d.consultees()}
    for case in cases:  # the office holders the urgency routes name (SI 2012/2089)
        wanted |= {case.urgency_chair_told_id, case.urgency_agreed_by_id}
        wanted |= {case.private_urgency_agreed_by_id}
    wanted.discard(None)
    people = (
        {u.id: u for u in s.exec(select(User).where(col(User.id).in_(wanted))) if u.id}
        if wanted
        else {}
    )
    out = []
    for case in cases:
        report = reports.get(pk(case.id))
        own = delegations.get(pk(case.id), [])
        out.append(
            CaseBundle.of(
                case,
                report=report,
                options=options.get(pk(report.id), []) if report else [],
                agreements=agreements.get(pk(case.id), []),
                resolutions=resolutions.get(pk(case.id), []),
                delegations=own,
                consultations=[c for d in own for c in consultations.get(pk(d.id), [])],
                sign_offs=sign_offs.get(pk(case.id), []),
                people=people,
                call_in_requests=asking.get(pk(case.id), []),
                earlier_months=earlier.get(pk(case.id), {}),
            )
        )
    return out


def _by(rows: Iterable[T], key: Callable[[T], int]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped
