"""Notices recorded ahead of their date: the duty is done on the day the notice goes out.

Deadlines are recomputed when a case changes; nothing changes a case on the morning its
forward-plan or private-meeting notice is published, so the scheduler asks this once a pass.
"""

from __future__ import annotations

from sqlmodel import and_, col, or_, select

from workflow import timerules
from workflow.context import Ctx
from workflow.lifecycle import change
from workflow.lifecycle.change import open_case
from workflow.models import Case, Deadline, DeadlineStatus, pk

NOTICE_DATES = {
    "forward_plan_notice": (
        Case.forward_plan_published_on,
        Case.urgency_notified_on,
        Case.urgency_agreed_on,
    ),
    "private_meeting_notice": (Case.private_notice_published_on,),
    # SI 2012/2089 regs 5(4), 7, 10 and 11, 5(7).
    "private_meeting_further_notice": (Case.private_further_notice_published_on,),
    "agenda_publication": (Case.agenda_published_on,),
    "general_exception_notice": (Case.urgency_notified_on,),
    "urgency_reasons_notice": (Case.urgency_reasons_published_on,),
    "private_urgency_reasons_notice": (Case.private_urgency_reasons_published_on,),
}


def refresh_notices_now_published(ctx: Ctx, limit: int = 100) -> list[int]:
    """Re-plan cases whose notice date has arrived since their deadlines were last planned;
    answers the ids of cases where a notice duty is now done (and its reminders stopped).

    Each case is claimed by its version like any change, so two schedulers never plan it
    twice; the loser skips it.
    """
    today = ctx.today()
    # Only deadlines last planned before today began: a case is looked at once a day at
    # most, even when its notice turns out to be too late to count.
    planned_before = timerules.at_london_time(today, 0)
    found: set[int] = set()
    for kind, columns in NOTICE_DATES.items():
        dated = or_(*[and_(col(c).is_not(None), col(c) <= today) for c in columns])
        rows = ctx.session.exec(
            select(Case.id)
            .join(Deadline, col(Deadline.case_id) == col(Case.id))
            .where(Deadline.kind == kind, Deadline.status == DeadlineStatus.open, dated)
            .where(ctx.within(col(Case.council_id)))
            .where(col(Deadline.updated_at) < planned_before)
            .limit(limit)
        ).all()
        found |= {pk(r) for r in rows}
    done = []
    for case_id in sorted(found):
        before = _open_notices(ctx, case_id)
        # Locked like any change, so two schedulers never plan a case at once; the second
        # waits and re-plans from what the first left, which changes nothing.
        bundle = open_case(ctx, case_id)
        state = bundle.case.state
        change.record(ctx, bundle, event=None, actor=None, from_state=state, data={})
        if _open_notices(ctx, case_id) < before:
            done.append(case_id)
    return done


def _open_notices(ctx: Ctx, case_id: int) -> int:
    return len(
        ctx.session.exec(
            select(Deadline.id).where(
                Deadline.case_id == case_id,
                Deadline.status == DeadlineStatus.open,
                col(Deadline.kind).in_(list(NOTICE_DATES)),
            )
        ).all()
    )
