"""What is past its retention period today: read only, the dry run's whole answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, SQLModel, col, select

from workflow.context import Ctx
from workflow.models import (
    ENDED_STATES,
    CallInRequest,
    Case,
    CaseAgreement,
    Consultation,
    Deadline,
    Delegation,
    DelegationConsultee,
    Reminder,
    ReminderDelivery,
    Report,
    Resolution,
    SignOff,
)
from workflow.timerules import kept_through, london_date

# Every table whose rows belong to one case (by ``case_id``), in the order they can be
# removed without breaking a foreign key; the report's options go through the report. A new
# table with a ``case_id`` belongs here too.
CASE_TABLES: tuple[type[SQLModel], ...] = (
    ReminderDelivery,
    Reminder,
    Deadline,
    CallInRequest,
    Consultation,
    SignOff,
    DelegationConsultee,
    Delegation,
    Resolution,
    CaseAgreement,
)


@dataclass(frozen=True)
class CaseDue:
    """One closed case with something past its period."""

    case_id: int
    title: str
    state: str
    decided_on: date  # what the periods count from
    papers_kept_through: date
    records_kept_through: date
    whole_case: bool  # the decision records' period is over too: everything goes
    consultations: tuple[int, ...] = ()  # the background papers that go
    rows: dict[str, int] = field(default_factory=dict)  # per table, when ``whole_case``

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "decided_on": self.decided_on.isoformat(),
            "papers_kept_through": self.papers_kept_through.isoformat(),
            "records_kept_through": self.records_kept_through.isoformat(),
            "whole_case": self.whole_case,
            "consultations": list(self.consultations),
            "rows": self.rows,
        }


@dataclass(frozen=True)
class RetentionPlan:
    today: date
    due: list[CaseDue]

    @property
    def empty(self) -> bool:
        return not self.due

    @property
    def whole_cases(self) -> list[int]:
        return [d.case_id for d in self.due if d.whole_case]

    @property
    def consultations(self) -> list[int]:
        return [c for d in self.due for c in d.consultations]

    def lines(self) -> list[str]:
        """What the command prints, one line per case."""
        out = []
        for d in self.due:
            if d.whole_case:
                counts = ", ".join(f"{n} {t}" for t, n in sorted(d.rows.items()) if n)
                out.append(
                    f"case {d.case_id} ({d.state}, decided {d.decided_on}): decision records "
                    f"kept through {d.records_kept_through}: remove the case ({counts})"
                )
            else:
                out.append(
                    f"case {d.case_id} ({d.state}, decided {d.decided_on}): background papers "
                    f"kept through {d.papers_kept_through}: remove "
                    f"{len(d.consultations)} consultation(s)"
                )
        return out


def _last_decisions(ctx: Ctx) -> list[tuple[int, str, str, Any, date | None, date | None]]:
    """The ended cases of ``ctx``'s council (a council keeps and purges its own records)."""
    session = ctx.session
    resolved = (
        select(Resolution.case_id, func.max(Resolution.decided_on).label("on"))
        .group_by(col(Resolution.case_id))
        .subquery()
    )
    signed = (
        select(SignOff.case_id, func.max(SignOff.signed_on).label("on"))
        .group_by(col(SignOff.case_id))
        .subquery()
    )
    query = (
        select_columns(
            col(Case.id),
            col(Case.title),
            col(Case.state),
            col(Case.updated_at),
            resolved.c.on,
            signed.c.on,
        )
        .outerjoin(resolved, resolved.c.case_id == Case.id)
        .outerjoin(signed, signed.c.case_id == Case.id)
        .where(
            col(Case.state).in_([s.value for s in ENDED_STATES]),
            ctx.within(col(Case.council_id)),
        )
        .order_by(col(Case.id))
    )
    return [
        (int(i), str(t), str(st), up, r, so) for i, t, st, up, r, so in session.execute(query).all()
    ]


def _consultations(session: Session, case_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if not case_ids:
        return found
    for cid, case_id in session.exec(
        select(Consultation.id, Consultation.case_id)
        .where(col(Consultation.case_id).in_(case_ids))
        .order_by(col(Consultation.id))
    ).all():
        assert cid is not None
        found.setdefault(case_id, []).append(cid)
    return found


def row_counts(session: Session, case_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """How many rows of each case table each case has (what a whole-case purge removes)."""
    counts: dict[int, dict[str, int]] = {i: {} for i in case_ids}
    if not case_ids:
        return counts
    tables: tuple[type[SQLModel], ...] = (*CASE_TABLES, Report)
    for table in tables:
        name = str(table.__tablename__)
        case_col = table.case_id  # type: ignore[attr-defined]
        for case_id, n in session.execute(
            select(case_col, func.count()).where(col(case_col).in_(case_ids)).group_by(case_col)
        ).all():
            counts[case_id][name] = int(n)
    return counts


def plan_purge(ctx: Ctx) -> RetentionPlan:
    """Every closed case with background papers or decision records past their period today
    (the London day of the injected clock)."""
    s = ctx.settings
    today = london_date(ctx.now())
    candidates = []
    for case_id, title, state, updated_at, resolved_on, signed_on in _last_decisions(ctx):
        decisions = [d for d in (resolved_on, signed_on) if d is not None]
        decided = max(decisions) if decisions else london_date(updated_at)
        papers = kept_through(decided, s.background_papers_retention_years)
        records = kept_through(decided, s.decision_record_retention_years)
        if today > papers:
            candidates.append((case_id, title, state, decided, papers, records))
    consulted = _consultations(ctx.session, [c[0] for c in candidates])
    whole = [c[0] for c in candidates if today > c[5]]
    counts = row_counts(ctx.session, whole)
    due = []
    for case_id, title, state, decided, papers, records in candidates:
        if case_id not in counts and not consulted.get(case_id):
            continue  # papers already gone, records not yet due
        due.append(
            CaseDue(
                case_id=case_id,
                title=title,
                state=state,
                decided_on=decided,
                papers_kept_through=papers,
                records_kept_through=records,
                whole_case=case_id in counts,
                consultations=tuple(consulted.get(case_id, [])),
                rows=counts.get(case_id, {}),
            )
        )
    return RetentionPlan(today=today, due=due)
