"""Read-only questions the pages ask that no single domain call answers: "which cases am I
in", "which deadlines are for me", "what waits on me".

Nothing here decides a rule. Who a deadline is for was decided by ``workflow.deadlines.planning``
and
stored on the deadline; what someone may do now is ``workflow.lifecycle.events.events_allowed``;
whether a consultation is still owed is the domain's own list behind the
``consultation_recorded`` guard (``consultees_outstanding``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.deadlines.lists import calendar_deadlines, named_in
from workflow.lifecycle.bundle import CaseBundle, load_many
from workflow.lifecycle.events import events_allowed, guard_context
from workflow.lifecycle.guards import consultees_outstanding
from workflow.lifecycle.views import deadline_view
from workflow.models import (
    Case,
    Deadline,
    DeadlineStatus,
    Reminder,
    Role,
    State,
    User,
    pk,
)

UPCOMING_DAYS = 30
# Each list on the dashboard shows at most this many rows (with a link to the full list), so a
# view costs the same whatever the council holds.
DASHBOARD_ROWS = 50


def involved_cases(ctx: Ctx, user: User, limit: int = DASHBOARD_ROWS) -> list[Case]:
    """The latest ``limit`` cases the user wrote, or was named in as delegate or consultee."""
    rows = ctx.session.exec(
        select(Case)
        .where((col(Case.author_id) == user.id) | named_in(pk(user.id)))
        .where(ctx.within(col(Case.council_id)))
        .order_by(col(Case.id).desc())
        .limit(limit)
    ).all()
    return sorted(rows, key=lambda c: c.id or 0)


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
    # Lines group the deadlines of one kind, case and day: read a bounded number of rows.
    rows = calendar_deadlines(
        ctx, user, due_to=today + timedelta(days=days), limit=DASHBOARD_ROWS * 20
    )
    for deadline, case in rows:
        if len(seen) >= DASHBOARD_ROWS:
            break
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
    rows = ctx.session.exec(
        select(Case.id, Case.title).where(col(Case.id).in_(ids), ctx.within(col(Case.council_id)))
    ).all()
    return {i: t for i, t in rows if i is not None}


@dataclass
class Waiting:
    """What waits on the user, by the part they play."""

    sign_offs: list[tuple[CaseBundle, list[str], date | None]] = field(default_factory=list)
    # For each case awaiting the user's sign-off, the consultees still to be consulted.
    to_consult: dict[int, list[int]] = field(default_factory=dict)
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


def _delegated(ctx: Ctx, query: Any) -> list[CaseBundle]:
    """Cases in delegated approval picked by ``query`` (at most ``DASHBOARD_ROWS``), read in
    one batch (``workflow.lifecycle.bundle.load_many``)."""
    cases = list(ctx.session.exec(query.limit(DASHBOARD_ROWS)).all())
    return load_many(ctx, cases)


def _sign_offs_due(ctx: Ctx, case_ids: list[int]) -> dict[int, date]:
    if not case_ids:
        return {}
    rows = ctx.session.exec(
        select(Deadline).where(
            col(Deadline.case_id).in_(case_ids),
            ctx.within(col(Deadline.council_id)),
            Deadline.kind == "sign_off_due",
            Deadline.status == DeadlineStatus.open,
        )
    ).all()
    due: dict[int, date] = {}
    for row in rows:
        due.setdefault(row.case_id, row.due_on)
    return due


def waiting_on(ctx: Ctx, user: User) -> Waiting:
    waiting = Waiting()
    delegated = select(Case).where(
        Case.state == State.delegated_approval, ctx.within(col(Case.council_id))
    )
    mine = _delegated(ctx, delegated.where(named_in(pk(user.id))).order_by(col(Case.id)))
    due = _sign_offs_due(ctx, [pk(b.case.id) for b in mine])
    for bundle in mine:
        delegation = bundle.delegation
        if delegation is None:
            continue
        owed = consultees_outstanding(guard_context(ctx, bundle, user))
        if delegation.delegate_id == user.id:
            allowed = events_allowed(ctx, bundle, user)
            waiting.sign_offs.append((bundle, allowed, due.get(pk(bundle.case.id))))
            waiting.to_consult[pk(bundle.case.id)] = owed
        if user.id in owed:
            waiting.consultations.append(bundle)
    if user.has_role(Role.democratic_services):
        # The earliest meeting with cases still before Cabinet: the next one to prepare, or
        # one already held whose decisions are yet to be recorded.
        before = (
            select(Case)
            .where(Case.state == State.cabinet_consideration, col(Case.meeting_date).is_not(None))
            .where(ctx.within(col(Case.council_id)))
            .order_by(col(Case.meeting_date), col(Case.agenda_item), col(Case.id))
        )
        first = ctx.session.exec(before.limit(1)).first()
        if first is not None:
            waiting.next_meeting = first.meeting_date
            waiting.meeting_cases = list(
                ctx.session.exec(
                    before.where(Case.meeting_date == first.meeting_date).limit(DASHBOARD_ROWS)
                ).all()
            )
    if user.has_role(Role.officer):
        waiting.drafts = list(
            ctx.session.exec(
                select(Case)
                .where(Case.state == State.drafted, Case.author_id == user.id)
                .where(ctx.within(col(Case.council_id)))
                .order_by(col(Case.id))
                .limit(DASHBOARD_ROWS)
            ).all()
        )
    if user.has_role(Role.scrutiny):
        # Call-in runs for days after the decision: the latest delegated cases are the ones.
        recent = _delegated(
            ctx, delegated.order_by(col(Case.entered_delegated_at).desc(), col(Case.id).desc())
        )
        waiting.call_ins = sorted(
            (b.case for b in recent if "call_in" in events_allowed(ctx, b, user)),
            key=lambda c: c.id or 0,
        )
    return waiting


def reminders_by_deadline(ctx: Ctx, deadline_ids: list[int]) -> dict[int, list[Reminder]]:
    if not deadline_ids:
        return {}
    rows = ctx.session.exec(
        select(Reminder)
        .where(col(Reminder.deadline_id).in_(deadline_ids), ctx.within(col(Reminder.council_id)))
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
    rows = ctx.session.exec(
        select(User.id, User.name).where(col(User.id).in_(wanted), ctx.within(col(User.council_id)))
    ).all()
    return {i: n for i, n in rows if i is not None}
