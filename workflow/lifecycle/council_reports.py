"""Reports the executive owes the council, generated from the cases (SI 2012/2089 regs 18, 19).

Reg 19: at least once a year the leader reports to the council on the executive decisions taken
under special urgency (reg 11) in the period, with a summary of each and the reasons for the
urgency. Reg 18: where a key decision was not taken by the key-decision procedure the
executive reports to the council; here, each key decision Cabinet took without a forward-plan
notice in time, under a general exception (reg 10) or special urgency (reg 11), with why.

Both are read-only answers for the period asked, as the person asking may see them: the reasons
of an exempt item are redacted as everywhere else (SPEC §6).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.errors import FieldProblem, Forbidden, InvalidInput
from workflow.lifecycle.bundle import load
from workflow.lifecycle.exempt import hidden_from
from workflow.lifecycle.guards import OFFICES_IN_ORDER, is_key_decision_facts
from workflow.models import Case, Resolution, Role, User

REDACTED = "[exempt]"
READERS = (Role.democratic_services, Role.scrutiny, Role.admin)


def _check(viewer: User, start: date, end: date) -> None:
    if not any(viewer.has_role(r) for r in READERS):
        raise Forbidden(
            "reports to the council are read by democratic services, scrutiny and admins"
        )
    if end < start:
        raise InvalidInput("the period is the wrong way round", [FieldProblem("to", "before from")])


def _decisions(ctx: Ctx, start: date, end: date) -> list[tuple[Resolution, Case]]:
    rows = ctx.session.exec(
        select(Resolution, Case)
        .join(Case, col(Case.id) == col(Resolution.case_id))
        .where(col(Resolution.decided_on) >= start, col(Resolution.decided_on) <= end)
        .where(ctx.within(col(Case.council_id)))
        .order_by(col(Resolution.decided_on), col(Resolution.id))
    ).all()
    return [(r, c) for r, c in rows]


def _office_of(user: User | None) -> str | None:
    if user is None:
        return None
    for office, label in OFFICES_IN_ORDER:
        if user.has_role(office):
            return label
    return None


def _entry(ctx: Ctx, resolution: Resolution, case: Case, viewer: User) -> dict[str, Any]:
    bundle = load(ctx, case)
    entitled = hidden_from(bundle, viewer, ctx.today()).shows("urgency_reason")
    agreed = ctx.session.get(User, case.urgency_agreed_by_id) if case.urgency_agreed_by_id else None
    told = ctx.session.get(User, case.urgency_chair_told_id) if case.urgency_chair_told_id else None
    return {
        "case_id": case.id,
        "title": case.title,
        "outcome": resolution.outcome,
        "decided_on": resolution.decided_on.isoformat(),
        "meeting_date": None
        if resolution.meeting_date is None
        else resolution.meeting_date.isoformat(),
        "route": case.urgency_route,
        "reason": case.urgency_reason if entitled else REDACTED,
        "forward_plan_published_on": None
        if case.forward_plan_published_on is None
        else case.forward_plan_published_on.isoformat(),
        "notified_on": None
        if case.urgency_notified_on is None
        else case.urgency_notified_on.isoformat(),
        "chair_told": None if told is None else told.name,
        "agreed_by": None if agreed is None else agreed.name,
        "agreed_by_office": _office_of(agreed),
        "agreed_on": None if case.urgency_agreed_on is None else case.urgency_agreed_on.isoformat(),
        "reasons_published_on": None
        if case.urgency_reasons_published_on is None
        else case.urgency_reasons_published_on.isoformat(),
        "exempt_paragraph": case.exempt_paragraph,
    }


def special_urgency_report(ctx: Ctx, viewer: User, start: date, end: date) -> dict[str, Any]:
    """SI 2012/2089 reg 19: the decisions taken under special urgency between ``start`` and
    ``end`` (both included)."""
    _check(viewer, start, end)
    items = [
        _entry(ctx, r, c, viewer)
        for r, c in _decisions(ctx, start, end)
        if c.urgency_route == "special_urgency"
    ]
    return {
        "regulation": "SI 2012/2089 reg 19",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "items": items,
    }


def key_decision_procedure_report(ctx: Ctx, viewer: User, start: date, end: date) -> dict[str, Any]:
    """SI 2012/2089 reg 18: the key decisions taken between ``start`` and ``end`` without a
    forward-plan notice 28 clear days before the meeting (reg 9), and the route taken instead."""
    _check(viewer, start, end)
    rule = ctx.settings.day_rule("forward_plan")
    items = []
    for resolution, case in _decisions(ctx, start, end):
        meeting = resolution.meeting_date or resolution.decided_on
        bundle = load(ctx, case)
        if not is_key_decision_facts(case, bundle.agreements, ctx.settings):
            continue
        in_time = case.forward_plan_published_on is not None and (
            rule.clear_between(case.forward_plan_published_on, meeting) >= rule.days
        )
        if in_time:
            continue
        items.append(_entry(ctx, resolution, case, viewer))
    return {
        "regulation": "SI 2012/2089 reg 18",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "items": items,
    }
