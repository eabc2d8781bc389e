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
    s = ctx.session
    report = s.exec(select(Report).where(Report.case_id == case.id)).first()
    options = (
        list(
            s.exec(
                select(ReportOption)
                .where(ReportOption.report_id == report.id)
                .order_by(col(ReportOption.position))
            ).all()
        )
        if report is not None
        else []
    )
    agreements = list(
        s.exec(
            select(Agreement)
            .join(CaseAgreement, col(CaseAgreement.agreement_id) == col(Agreement.id))
            .where(CaseAgreement.case_id == case.id)
            .order_by(col(Agreement.id))
        ).all()
    )
    resolutions = list(
        s.exec(
            select(Resolution).where(Resolution.case_id == case.id).order_by(col(Resolution.id))
        ).all()
    )
    approvals = [r for r in resolutions if r.outcome == "approved"]
    delegation = s.exec(
        select(Delegation).where(Delegation.case_id == case.id).order_by(col(Delegation.id).desc())
    ).first()
    consultations = (
        list(
            s.exec(
                select(Consultation)
                .where(Consultation.delegation_id == delegation.id)
                .order_by(col(Consultation.id))
            ).all()
        )
        if delegation is not None
        else []
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
