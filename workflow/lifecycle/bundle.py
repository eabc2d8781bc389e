"""A case with everything its guards, deadlines and views read, loaded in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.errors import NotFound
from workflow.models import (
    Agreement,
    Case,
    CaseAgreement,
    Consultation,
    Delegation,
    Report,
    ReportOption,
    Resolution,
    SignOff,
    pk,
)


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

    @property
    def months_used(self) -> int:
        """Months already signed off under the current delegation."""
        if self.delegation is None:
            return 0
        return sum(s.months for s in self.sign_offs if s.delegation_id == self.delegation.id)

    @property
    def months_left(self) -> int:
        """What is left of the envelope for the delegate to sign off."""
        return 0 if self.delegation is None else self.delegation.months_left(self.months_used)


def get_case(ctx: Ctx, case_id: int) -> Case:
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
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
        .where(col(Case.id) == case_id)
        .order_by(col(ReportOption.position))
        .with_for_update(of=Case)  # type: ignore[arg-type]
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
    agreements = list(
        s.exec(
            select(Agreement)
            .join(CaseAgreement, col(CaseAgreement.agreement_id) == col(Agreement.id))
            .where(CaseAgreement.case_id == case.id)
            .order_by(col(Agreement.id))
        ).all()
    )
    # Every delegation comes from an approving resolution, and every consultation from a
    # delegation: one query reads all three.
    decided = s.exec(
        select(Resolution, Delegation, Consultation)
        .outerjoin(Delegation, col(Delegation.resolution_id) == col(Resolution.id))
        .outerjoin(Consultation, col(Consultation.delegation_id) == col(Delegation.id))
        .where(Resolution.case_id == case.id)
        .order_by(col(Resolution.id), col(Delegation.id), col(Consultation.id))
    ).all()
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
    )
