"""Keeps a case's stored deadlines and reminders in step with what its facts now say.

Runs inside the transaction of every transition and every change of the dates deadlines
depend on, so the state, the deadlines and the reminders are written together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select

from workflow import timerules
from workflow.context import Ctx
from workflow.deadlines.rules import (
    OCCASIONED,
    PER_OCCASION,
    RECIPIENT_ROLES,
    CaseFacts,
    DeadlineKey,
    PlannedDeadline,
    plan,
)
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.guards import is_key_decision_facts
from workflow.models import (
    ENDED_STATES,
    Deadline,
    DeadlineStatus,
    Reminder,
    ReminderPurpose,
    ReminderStatus,
    Role,
    State,
    User,
    pk,
)

CANCELLABLE = (ReminderStatus.pending, ReminderStatus.failed)


def facts_of(ctx: Ctx, bundle: CaseBundle, people: dict[int, User] | None = None) -> CaseFacts:
    people = people if people is not None else humans(ctx, bundle.case.council_id)
    return CaseFacts(
        case=bundle.case,
        agreements=bundle.agreements,
        is_key_decision=is_key_decision_facts(bundle.case, bundle.agreements, ctx.settings),
        today=ctx.today(),
        resolution=bundle.approval,
        delegation=bundle.delegation,
        months_used=bundle.months_used,
        people=office_holders(bundle, people),
        sign_offs=bundle.sign_offs,
        earlier_months=bundle.earlier_months,
    )


def humans(ctx: Ctx, council_id: int) -> dict[int, User]:
    """Every human user of the case's council, in one query: the office holders and
    recipients of a case's deadlines are all among them, and one council has few enough
    people that reading them once is cheaper than one query for each role and person a
    deadline names."""
    rows = ctx.session.exec(
        select(User).where(col(User.is_system).is_(False), User.council_id == council_id)
    ).all()
    return {pk(u.id): u for u in rows}


def office_holders(bundle: CaseBundle, people: dict[int, User]) -> dict[int, User]:
    """The people a case's urgency routes name, whose offices decide whether they count."""
    case = bundle.case
    ids = {case.urgency_chair_told_id, case.urgency_agreed_by_id}
    ids |= {case.private_urgency_agreed_by_id}
    return {uid: people[uid] for uid in ids if uid is not None and uid in people}


def recipients(bundle: CaseBundle, kind: str, people: dict[int, User]) -> list[str]:
    """Email addresses for a deadline kind, from the roles SPEC §5 names, among ``people``
    (every human user, from ``humans``)."""
    case, delegation = bundle.case, bundle.delegation
    named: set[int | None] = set()
    found: list[User] = []
    for role in RECIPIENT_ROLES[kind]:
        if role == "author":
            named.add(case.author_id)
        elif role == "delegate" and delegation is not None:
            named.add(delegation.delegate_id)
        elif role == "consultee" and delegation is not None:
            named.update(delegation.consultees())
        elif role == "democratic_services":
            found += [u for u in people.values() if u.has_role(Role.democratic_services)]
        elif role == "directorate_head":
            found += [
                u
                for u in people.values()
                if u.has_role(Role.executive) and u.directorate == case.directorate
            ]
    found += [people[uid] for uid in named if uid is not None and uid in people]
    return sorted({u.email for u in found})


def sync(ctx: Ctx, bundle: CaseBundle) -> None:
    """Diff the planned deadlines against the stored ones and re-plan reminders as needed."""
    session, now, case = ctx.session, ctx.now(), bundle.case
    assert case.id is not None
    people = humans(ctx, case.council_id)
    planned = {p.key: p for p in plan(facts_of(ctx, bundle, people), ctx.settings)}
    stored = session.exec(
        select(Deadline).where(
            Deadline.case_id == case.id, Deadline.status != DeadlineStatus.cancelled
        )
    ).all()
    by_key: dict[DeadlineKey, Deadline] = {}
    for d in stored:
        key = _key(d, planned)
        p = planned.get(key)
        if (
            d.occasion is None
            and d.kind in PER_OCCASION
            and d.status == DeadlineStatus.done
            and (p is None or p.due_on != d.due_on)
        ):
            continue  # the discharged duty of an earlier meeting or decision: kept as it was
        by_key[key] = d
    ended = State(case.state) in ENDED_STATES

    for key, row in by_key.items():
        if key in planned or row.status != DeadlineStatus.open:
            # A duty already discharged stays done, even when the case later ends.
            continue
        _cancel_reminders(ctx, row)
        # A case that ends cancels its duties; a case that moves on has discharged them.
        row.status = DeadlineStatus.cancelled if ended else DeadlineStatus.done
        row.updated_at = now
        session.add(row)

    people_for: dict[str, list[str]] = {}
    for key, p in planned.items():
        if p.kind not in people_for:
            people_for[p.kind] = recipients(bundle, p.kind, people)
        who = people_for[p.kind]
        existing = by_key.get(key)
        if existing is None:
            row = Deadline(
                council_id=case.council_id,
                case_id=case.id,
                agreement_id=p.agreement_id,
                kind=p.kind,
                occasion=p.occasion,
                due_on=p.due_on,
                is_duty=p.is_duty,
                recipients=who,
                created_at=now,
                updated_at=now,
                status=DeadlineStatus.done if p.done else DeadlineStatus.open,
            )
            session.add(row)
            session.flush()
            if not p.done:
                _plan_reminders(ctx, row, coalesce=True)
            continue
        _update(ctx, existing, p, who, now)


def _key(row: Deadline, planned: dict[DeadlineKey, PlannedDeadline]) -> DeadlineKey:
    """The stored deadline's key. A procurement notice's duty stored before each
    modification's notices had their own (``Deadline.occasion``, migration 0017) is the
    planned one of its kind and agreement falling on its day; failing that, if still open, the
    latest modification's, the only one planned then. It takes that occasion from now on, so
    its reminders already sent are not sent again."""
    if row.occasion is not None or row.kind not in OCCASIONED:
        return (row.kind, row.agreement_id, row.occasion)
    mine = sorted(
        (p for p in planned.values() if (p.kind, p.agreement_id) == (row.kind, row.agreement_id)),
        key=lambda p: p.occasion or date.min,
    )
    same_day = [p for p in mine if p.due_on == row.due_on]
    chosen = same_day[-1] if same_day else None
    if chosen is None and mine and row.status == DeadlineStatus.open:
        chosen = mine[-1]
    if chosen is None or chosen.occasion is None:
        return (row.kind, row.agreement_id, None)
    row.occasion = chosen.occasion
    return chosen.key


def _update(ctx: Ctx, row: Deadline, p: PlannedDeadline, who: list[str], now: datetime) -> None:
    moved = row.due_on != p.due_on
    was_open = row.status == DeadlineStatus.open
    row.due_on, row.updated_at = p.due_on, now
    if p.done:
        if was_open:
            _cancel_reminders(ctx, row)
        row.status, row.recipients = DeadlineStatus.done, who
    elif not was_open or moved:
        if was_open:
            _cancel_reminders(ctx, row)
        row.status, row.recipients = DeadlineStatus.open, who
        ctx.session.add(row)
        _plan_reminders(ctx, row, coalesce=True)
    elif sorted(row.recipients) != who:
        # Same date, different people: replace only what is still to come, so nobody gets
        # a second copy of a reminder already sent.
        _cancel_reminders(ctx, row, only_after=now)
        row.recipients = who
        ctx.session.add(row)
        _plan_reminders(ctx, row, coalesce=False)
    ctx.session.add(row)


def _cancel_reminders(ctx: Ctx, row: Deadline, only_after: datetime | None = None) -> None:
    stmt = (
        update(Reminder)
        .where(col(Reminder.deadline_id) == row.id)
        .where(col(Reminder.status).in_([s.value for s in CANCELLABLE]))
    )
    if only_after is not None:
        stmt = stmt.where(col(Reminder.fire_at) > only_after)
    ctx.session.execute(
        stmt.values(status=ReminderStatus.cancelled.value, updated_at=ctx.now()),
        execution_options={"synchronize_session": False},
    )


def _plan_reminders(ctx: Ctx, row: Deadline, coalesce: bool) -> None:
    settings, now = ctx.settings, ctx.now()
    moments = timerules.reminder_moments(
        row.due_on, settings.offsets_for(row.kind), settings.reminder_hour, now
    )
    plans: list[tuple[str, int | None, datetime]] = [
        (ReminderPurpose.reminder, m.offset_days, m.fire_at)
        for m in moments
        if coalesce or not m.coalesced
    ]
    if row.is_duty:
        escalate_at = timerules.escalation_moment(row.due_on, settings.reminder_hour, now)
        if coalesce or escalate_at > now:
            plans.append((ReminderPurpose.escalation, None, escalate_at))
    assert row.id is not None
    for purpose, offset, fire_at in plans:
        for channel in settings.reminder_channels:
            ctx.session.add(
                Reminder(
                    council_id=row.council_id,
                    deadline_id=row.id,
                    case_id=row.case_id,
                    deadline_kind=row.kind,
                    due_on=row.due_on,
                    purpose=purpose,
                    offset_days=offset,
                    fire_at=fire_at,
                    channel=channel,
                    recipients=list(row.recipients),
                    status=ReminderStatus.pending,
                    created_at=now,
                    updated_at=now,
                )
            )
