"""What a given person may see of a case (SPEC §6), in the pinned shapes of SPEC §7.

Redaction is decided here, in the domain, so every answer that could carry exempt content —
the case, lists, the audit trail, the decision record, the calendar, the web pages — hides it
the same way from everyone not entitled.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from workflow import timerules
from workflow.context import Ctx
from workflow.errors import NotFound
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.events import events_allowed
from workflow.lifecycle.exempt import is_entitled, may_see_exempt
from workflow.lifecycle.guards import case_value_pence, is_key_decision_facts
from workflow.models import AuditEvent, Deadline, DeadlineStatus, User

REDACTED = "[exempt]"
# Audit data keys that are dates or states, never exempt content.
AUDIT_PUBLIC_KEYS = {
    "meeting_date",
    "previous_meeting_date",
    "decided_on",
    "notice_published_on",
    "consulted_on",
    "term",
    "months",
    "resolution_id",
    "delegation_id",
    "sign_off_id",
    "consultation_id",
}


def redaction_notice(paragraph: int) -> dict[str, Any]:
    return {
        "redacted": True,
        "exempt_paragraph": paragraph,
        "reason": (
            f"Exempt information under paragraph {paragraph} of Schedule 12A to the Local "
            "Government Act 1972"
        ),
    }


def deadlines_of(ctx: Ctx, case_id: int, include_closed: bool = True) -> list[Deadline]:
    query = select(Deadline).where(Deadline.case_id == case_id)
    if not include_closed:
        query = query.where(Deadline.status == DeadlineStatus.open)
    return list(ctx.session.exec(query.order_by(col(Deadline.due_on), col(Deadline.id))).all())


def deadline_view(d: Deadline, today: Any) -> dict[str, Any]:
    return {
        "id": d.id,
        "case_id": d.case_id,
        "kind": d.kind,
        "due_on": d.due_on.isoformat(),
        "agreement_id": d.agreement_id,
        "status": d.status,
        "is_duty": d.is_duty,
        "overdue": d.status == DeadlineStatus.open and d.is_duty and d.due_on < today,
    }


def case_view(ctx: Ctx, bundle: CaseBundle, viewer: User) -> dict[str, Any]:
    case = bundle.case
    entitled = may_see_exempt(bundle, viewer)
    report: dict[str, Any] | None
    if bundle.report is None:
        report = None
    else:
        report = {
            "summary": bundle.report.summary,
            "options": [
                {
                    "label": o.label,
                    "description": o.description,
                    "rejected_reason": o.rejected_reason,
                }
                for o in bundle.options
            ],
            "recommended_option": bundle.report.recommended_option,
            "reasons": bundle.report.reasons,
            "financial_implications": bundle.report.financial_implications,
        }
    urgency = None
    if case.urgency_route:
        urgency = {
            "route": case.urgency_route,
            "reason": case.urgency_reason,
            "notified_on": _iso(case.urgency_notified_on),
            "agreed_by": case.urgency_agreed_by,
            # SI 2012/2089 regs 10 and 11: who was told or agreed, when, and the reasons notice.
            "chair_told_id": case.urgency_chair_told_id,
            "agreed_by_id": case.urgency_agreed_by_id,
            "agreed_on": _iso(case.urgency_agreed_on),
            "precedence_note": case.urgency_precedence_note,
            "reasons_published_on": _iso(case.urgency_reasons_published_on),
        }
    private_urgency = None
    if case.private_urgency_reason:
        private_urgency = {
            "reason": case.private_urgency_reason,
            "agreed_by_id": case.private_urgency_agreed_by_id,
            "agreed_on": _iso(case.private_urgency_agreed_on),
            "precedence_note": case.private_urgency_precedence_note,
            "reasons_published_on": _iso(case.private_urgency_reasons_published_on),
        }
    delegation = None
    if bundle.delegation is not None:
        d, r = bundle.delegation, bundle.approval
        delegation = {
            "delegate_id": d.delegate_id,
            "consultee_id": d.consultee_id,
            "max_months": d.max_months,
            "latest_end_date": d.latest_end_date.isoformat(),
            "months_used": bundle.months_used,
            "months_left": bundle.months_left,
            "resolution": None
            if r is None
            else {
                "text": r.text if entitled else REDACTED,
                "decided_on": r.decided_on.isoformat(),
                "notice_published_on": _iso(r.notice_published_on),
                "urgent_reason": r.urgent_reason if entitled else None,
            },
        }
    view: dict[str, Any] = {
        "id": case.id,
        "kind": case.kind,
        "title": case.title,
        "directorate": case.directorate,
        "agreement_ids": [a.id for a in bundle.agreements],
        "meeting_date": _iso(case.meeting_date),
        "agenda_item": case.agenda_item,
        "key_decision": case.key_decision,
        "is_key_decision": is_key_decision_facts(case, bundle.agreements, ctx.settings),
        "value_pence": case_value_pence(bundle.agreements, case.proposal_max_months),
        "forward_plan_published_on": _iso(case.forward_plan_published_on),
        "exempt_paragraph": case.exempt_paragraph,
        "private_notice_published_on": _iso(case.private_notice_published_on),
        "private_further_notice_published_on": _iso(case.private_further_notice_published_on),
        "agenda_published_on": _iso(case.agenda_published_on),
        "late_item_reason": case.late_item_reason,
        "private_urgency": private_urgency,
        "urgency": urgency,
        "proposal": {
            "start_date": _iso(case.proposal_start_date),
            "initial_months": case.proposal_initial_months,
            "max_months": case.proposal_max_months,
        },
        "report": report,
        "state": case.state,
        "version": case.version,
        "author_id": case.author_id,
        "allowed_events": events_allowed(ctx, bundle, viewer),
        "deadlines": [deadline_view(d, ctx.today()) for d in deadlines_of(ctx, case.id or 0)],
        "delegation": delegation,
        "term": None
        if case.term_end is None
        else {"start_date": _iso(case.term_start), "end_date": _iso(case.term_end)},
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "redacted": None,
    }
    if not entitled:
        assert case.exempt_paragraph is not None
        notice = redaction_notice(case.exempt_paragraph)
        view["report"] = notice
        view["value_pence"] = None
        # Beyond title, state and dates: the figures of the proposal and envelope too.
        view["proposal"]["initial_months"] = view["proposal"]["max_months"] = None
        if delegation is not None:
            for key in ("max_months", "months_used", "months_left"):
                delegation[key] = None
        if urgency is not None:
            urgency["reason"] = REDACTED
            urgency["precedence_note"] = None
        if private_urgency is not None:
            private_urgency["reason"] = REDACTED
            private_urgency["precedence_note"] = None
        if case.late_item_reason:
            view["late_item_reason"] = REDACTED
        view["redacted"] = notice
    return view


def audit_view(event: AuditEvent, entitled: bool, paragraph: int | None) -> dict[str, Any]:
    """``paragraph`` is the case's paragraph now; the event's own stamp (the paragraph when it
    was written) counts too, so clearing the paragraph later reveals nothing written before."""
    stamped = event.data.get("exempt_paragraph")
    paragraph = paragraph or (stamped if isinstance(stamped, int) else None)
    data = event.data
    if not entitled and paragraph is not None:
        data = {k: v for k, v in data.items() if k in AUDIT_PUBLIC_KEYS}
        payload = event.data.get("payload")
        if isinstance(payload, dict):
            public = {k: v for k, v in payload.items() if k in AUDIT_PUBLIC_KEYS}
            data["payload"] = public
        data["redacted"] = redaction_notice(paragraph)
    return {
        "id": event.id,
        "case_id": event.case_id,
        "event": event.event,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_id": event.actor_id,
        "at": event.at.isoformat(),
        "data": data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def audit_of(
    ctx: Ctx, bundle: CaseBundle, viewer: User, after_id: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    rows = ctx.session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_id == bundle.case.id, col(AuditEvent.id) > after_id)
        .order_by(col(AuditEvent.id))
        .limit(limit)
    ).all()
    entitled = is_entitled(bundle, viewer)
    return [audit_view(e, entitled, bundle.case.exempt_paragraph) for e in rows]


def decision_record(
    ctx: Ctx, bundle: CaseBundle, viewer: User, sign_off_id: int | None = None
) -> dict[str, Any]:
    """The officer decision record of one sign-off (the latest unless ``sign_off_id`` names
    another), with the reg 12 record of the Cabinet decision it acts under.

    An officer deciding under a delegation from Cabinet takes an executive decision, so its
    record is the one of SI 2012/2089 reg 13, not the Openness of Local Government Bodies
    Regulations 2014 reg 7 (which is for decisions delegated by the council or a committee
    under s.101 LGA 1972). Each sign-off has its own record (issue 12, fault 5); its
    alternatives rejected are the officer's own, given with the sign-off, not Cabinet's
    options (those are in ``cabinet_record``)."""
    if not bundle.sign_offs:
        raise NotFound(f"case {bundle.case.id} has no sign-off yet")
    sign_off = bundle.sign_offs[-1]
    if sign_off_id is not None:
        chosen = [s for s in bundle.sign_offs if s.id == sign_off_id]
        if not chosen:
            raise NotFound(f"case {bundle.case.id} has no sign-off {sign_off_id}")
        sign_off = chosen[0]
    earlier = [s for s in bundle.sign_offs if s.signed_at < sign_off.signed_at]
    since = earlier[-1].signed_at if earlier else None
    case = bundle.case
    signer = ctx.session.get(User, sign_off.signer_id)
    delegation = bundle.delegation
    consultation = None
    if delegation is not None and delegation.consultee_id is not None:
        consultee = ctx.session.get(User, delegation.consultee_id)
        recorded = [
            c
            for c in bundle.consultations
            if c.consultee_id == delegation.consultee_id
            and c.recorded_at <= sign_off.signed_at
            and (since is None or c.recorded_at > since)  # consulted for this sign-off
        ]
        last = recorded[-1] if recorded else None
        consultation = {
            "consultee_id": delegation.consultee_id,
            "consultee_name": consultee.name if consultee else None,
            "consulted_on": _iso(last.consulted_on) if last else None,
            "response": last.response if last else None,
            "conflicts_of_interest": last.conflicts_of_interest if last else None,
            "dispensation": last.dispensation if last else None,
        }
    refs = ", ".join(a.reference for a in bundle.agreements)
    record: dict[str, Any] = {
        "case_id": case.id,
        "title": case.title,
        "date": sign_off.signed_on.isoformat(),
        "decision_maker": {"id": signer.id, "name": signer.name} if signer else None,
        "decision": (
            f"To approve a term of {sign_off.months} months from "
            f"{sign_off.term_start.isoformat()} to {sign_off.term_end.isoformat()} "
            f"for {len(bundle.agreements)} agreement(s): {refs}"
        ),
        "term": {
            "months": sign_off.months,
            "start_date": sign_off.term_start.isoformat(),
            "end_date": sign_off.term_end.isoformat(),
        },
        "authority": None
        if bundle.approval is None
        else {
            "resolution": bundle.approval.text,
            "decided_on": bundle.approval.decided_on.isoformat(),
            "meeting_date": _iso(bundle.approval.meeting_date),
        },
        "reasons": sign_off.reasons,
        # The officer's own alternatives (reg 13(2)(c)); Cabinet's are in cabinet_record.
        "alternatives_rejected": [],
        "officer_alternatives_rejected": sign_off.alternatives_rejected,
        "sign_off_id": sign_off.id,
        "sign_off_ids": [s.id for s in bundle.sign_offs],
        "consultee": consultation,
        "conflicts_of_interest": sign_off.conflicts_of_interest,
        "exempt_paragraph": case.exempt_paragraph,
        "redacted": None,
        # SI 2012/2089 reg 13(2)(e) and the record's own publication (issue 11).
        "regulation": "SI 2012/2089 reg 13",
        "dispensation": sign_off.dispensation,
        "published_on": _iso(sign_off.record_published_on),
        "publish_by": timerules.add_working_days(
            sign_off.signed_on, ctx.settings.decision_record_working_days
        ).isoformat(),
        "cabinet_record": cabinet_record(ctx, bundle, viewer),
    }
    if not may_see_exempt(bundle, viewer):
        assert case.exempt_paragraph is not None
        notice = redaction_notice(case.exempt_paragraph)
        # Conflicts declared are part of the record like the reasons: exempt content too.
        for key in (
            "reasons",
            "alternatives_rejected",
            "officer_alternatives_rejected",
            "consultee",
            "authority",
            "conflicts_of_interest",
            "dispensation",
        ):
            record[key] = None
        record["redacted"] = notice
    return record


def cabinet_record(ctx: Ctx, bundle: CaseBundle, viewer: User) -> dict[str, Any] | None:
    """The written statement of Cabinet's latest decision on the case (SI 2012/2089 reg 12(2)):
    the decision and its date, the reasons, the alternatives considered and rejected, any
    conflict of interest declared and the dispensation granted; published as the decision
    notice, from which call-in counts. None before Cabinet has decided."""
    r = bundle.resolution
    if r is None:
        return None
    entitled = may_see_exempt(bundle, viewer)
    report = bundle.report
    record: dict[str, Any] = {
        "regulation": "SI 2012/2089 reg 12",
        "outcome": r.outcome,
        "decision": r.text,
        "decided_on": r.decided_on.isoformat(),
        "meeting_date": _iso(r.meeting_date),
        "adjourned_to": _iso(r.adjourned_to),
        "reasons": r.reasons or (report.reasons if report else None),
        "alternatives_rejected": [
            {"label": o.label, "description": o.description, "rejected_reason": o.rejected_reason}
            for o in bundle.options
            if o.rejected_reason
        ],
        "conflicts_of_interest": r.conflicts_of_interest,
        "dispensation": r.dispensation,
        "published_on": _iso(r.notice_published_on),
        "publish_by": timerules.add_working_days(
            r.decided_on, ctx.settings.decision_record_working_days
        ).isoformat(),
        "urgent_reason": r.urgent_reason,
        "urgent_agreed_by_id": r.urgent_agreed_by_id,
    }
    if not entitled:
        for key in (
            "decision",
            "reasons",
            "alternatives_rejected",
            "conflicts_of_interest",
            "dispensation",
            "urgent_reason",
        ):
            record[key] = None
    return record


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
