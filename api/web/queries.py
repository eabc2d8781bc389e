"""Read-only questions the pages ask that no single domain call answers: "which cases am I
in", "which deadlines are for me", "what waits on me".

Nothing here decides a rule. Who a deadline is for was decided by ``workflow.deadlines.planning``
and
stored on the deadline; what someone may do now is ``workflow.lifecycle.events.events_allowed``;
whether a consultation is still owed is the domain's own ``consultation_recorded`` guard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.deadlines.lists import calendar_deadlines
from workflow.lifecycle.bundle import CaseBundle, load
from workflow.lifecycle.events import events_allowed, guard_context
from workflow.lifecycle.guards import consultation_recorded
from workflow.lifecycle.views import deadline_view
from workflow.models import Case, Deadline, DeadlineStatus, Delegation, Reminder, Role, State, User

UPCOMING_DAYS = 30


def involved_cases(ctx: Ctx, user: User) -> list[Case]:
    """Cases the user wrote, or was named in as delegate or consultee."""
    ids = set(ctx.session.exec(select(Case.id).where(Case.author_id == user.id)).all())
    ids |= set(
        ctx.session.exec(
            select(Delegation.case_id).where(
                (col(Delegation.delegate_id) == user.id) | (col(Delegation.consultee_id) == user.id)
            )
        ).all()
    )
    if not ids:
        return []
    return list(
        ctx.session.exec(select(Case).where(col(Case.id).in_(ids)).order_by(col(Case.id))).all()
    )


def cases_by_state(cases: list[Case]) -> dict[str, list[Case]]:
    grouped: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        grouped[case.state].append(case)
    return {s.value: grouped[s.value] for s in State if grouped.get(s.value)}


@dataclass
class MyDeadlines:
    overdue: list[dict[str, Any]] = field(default_factory=list)
    upcoming: list[dict[str, Any]] = field(default_factory=list)


def my_deadlines(ctx: Ctx, user: User, days: int = UPCOMING_DAYS) -> MyDeadlines:
    """Overdue duties, and every deadline due in the next ``days``, of the cases that are the
    user's: the same set their calendar feed carries (``workflow.deadlines.lists``). The deadlines
    of
    one kind, case and day (thirteen agreements ending together) are one line, counted."""
    today = ctx.today()
    out = MyDeadlines()
    seen: dict[tuple[int, str, date], dict[str, Any]] = {}
    for deadline, case in calendar_deadlines(ctx, user):
        if deadline.due_on > today + timedelta(days=days):
            continue
        key = (deadline.case_id, deadline.kind, deadline.due_on)
        if key in seen:
            seen[key]["count"] += 1
            continue
        view = deadline_view(deadline, today) | {"case_title": case.title, "count": 1}
        seen[key] = view
        if view["overdue"]:
            out.overdue.append(view)
        elif deadline.due_on >= today:
            out.upcoming.append(view)
    return out


def case_titles(ctx: Ctx, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = ctx.session.exec(select(Case.id, Case.title).where(col(Case.id).in_(ids))).all()
    return {i: t for i, t in rows if i is not None}


@dataclass
class Waiting:
    """What waits on the user, by the part they play."""

    sign_offs: list[tuple[CaseBundle, list[str], date | None]] = field(default_factory=list)
    consultations: list[CaseBundle] = field(default_factory=list)
    next_meeting: date | None = None
    meeting_cases: list[Case] = field(default_factory=list)
    drafts: list[Case] = field(default_factory=list)
    call_ins: list[Case] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.sign_offs
            or self.consultations
            or self.meeting_cases
            or self.drafts
            or self.call_ins
        )


def _delegated(ctx: Ctx) -> list[CaseBundle]:
    cases = ctx.session.exec(
        select(Case).where(Case.state == State.delegated_approval).order_by(col(Case.id))
    ).all()
    return [load(ctx, c) for c in cases]


def _sign_off_due(ctx: Ctx, case_id: int) -> date | None:
    row = ctx.session.exec(
        select(Deadline).where(
            Deadline.case_id == case_id,
            Deadline.kind == "sign_off_due",
            Deadline.status == DeadlineStatus.open,
        )
    ).first()
    return row.due_on if row is not None else None


def waiting_on(ctx: Ctx, user: User) -> Waiting:
    waiting = Waiting()
    delegated = _delegated(ctx)
    for bundle in delegated:
        delegation = bundle.delegation
        if delegation is None:
            continue
        if delegation.delegate_id == user.id:
            allowed = events_allowed(ctx, bundle, user)
            waiting.sign_offs.append((bundle, allowed, _sign_off_due(ctx, bundle.case.id or 0)))
        if delegation.consultee_id == user.id:
            owed = consultation_recorded.failure(guard_context(ctx, bundle, user)) is not None
            if owed:
                waiting.consultations.append(bundle)
    if user.has_role(Role.democratic_services):
        # The earliest meeting with cases still before Cabinet: the next one to prepare, or
        # one already held whose decisions are yet to be recorded.
        before = ctx.session.exec(
            select(Case)
            .where(Case.state == State.cabinet_consideration, col(Case.meeting_date).is_not(None))
            .order_by(col(Case.meeting_date), col(Case.agenda_item), col(Case.id))
        ).all()
        if before:
            waiting.next_meeting = before[0].meeting_date
            waiting.meeting_cases = [c for c in before if c.meeting_date == waiting.next_meeting]
    if user.has_role(Role.officer):
        waiting.drafts = list(
            ctx.session.exec(
                select(Case)
                .where(Case.state == State.drafted, Case.author_id == user.id)
                .order_by(col(Case.id))
            ).all()
        )
    if user.has_role(Role.scrutiny):
        waiting.call_ins = [b.case for b in delegated if "call_in" in events_allowed(ctx, b, user)]
    return waiting


def reminders_by_deadline(ctx: Ctx, deadline_ids: list[int]) -> dict[int, list[Reminder]]:
    if not deadline_ids:
        return {}
    rows = ctx.session.exec(
        select(Reminder)
        .where(col(Reminder.deadline_id).in_(deadline_ids))
        .order_by(col(Reminder.fire_at), col(Reminder.id))
    ).all()
    out: dict[int, list[Reminder]] = defaultdict(list)
    for r in rows:
        out[r.deadline_id].append(r)
    return out


def names(ctx: Ctx, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = ctx.session.exec(select(User.id, User.name).where(col(User.id).in_(wanted))).all()
    return {i: n for i, n in rows if i is not None}
