"""Removing what is past its retention period, in one audited transaction.

Not a change to a live case (``change.record``): only ended cases are touched, nothing is
re-planned, and a case whose six years are over is removed with its own chain, so the one
record of the purge is the council chain's ``retention_purge`` event, appended before the rows
go (``workflow/audit/purged.py``).
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from workflow.audit.purged import head_of, record_purge
from workflow.context import Ctx
from workflow.models import AuditEvent, Case, Consultation, Report, ReportOption
from workflow.people.users import system_user
from workflow.retention.plan import CASE_TABLES, RetentionPlan, plan_purge


def purge(ctx: Ctx, *, dry_run: bool = False) -> RetentionPlan:
    """Remove every background paper and decision record past its period; answers what went
    (or, with ``dry_run``, what would go, having read and changed nothing else). Flushes,
    never commits."""
    plan = plan_purge(ctx)
    if dry_run or plan.empty:
        return plan
    session = ctx.session
    whole = plan.whole_cases
    removed = [h for h in (head_of(session, c) for c in whole) if h is not None]
    record_purge(
        ctx,
        actor_id=system_user(ctx).id,
        removed=removed,
        data={
            "as_of": plan.today.isoformat(),
            "decision_record_years": ctx.settings.decision_record_retention_years,
            "background_papers_years": ctx.settings.background_papers_retention_years,
            "cases": [d.as_json() for d in plan.due],
        },
    )
    papers_only = [c for d in plan.due if not d.whole_case for c in d.consultations]
    if papers_only:
        session.execute(delete(Consultation).where(col(Consultation.id).in_(papers_only)))
    if whole:
        for table in CASE_TABLES:
            case_col = table.case_id  # type: ignore[attr-defined]
            session.execute(delete(table).where(col(case_col).in_(whole)))
        reports = select(Report.id).where(col(Report.case_id).in_(whole))
        session.execute(delete(ReportOption).where(col(ReportOption.report_id).in_(reports)))
        session.execute(delete(Report).where(col(Report.case_id).in_(whole)))
        chains = [h["chain"] for h in removed]
        session.execute(delete(AuditEvent).where(col(AuditEvent.chain).in_(chains)))
        session.execute(delete(Case).where(col(Case.id).in_(whole)))
    session.flush()
    session.expire_all()
    return plan
