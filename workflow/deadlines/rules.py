"""Which deadlines a case has in each state, and when they fall (SPEC §5).

A pure function of the case's facts and the settings: the service diffs its answer against
the stored deadlines on every transition and every change of the dates they depend on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from workflow import timerules
from workflow.lifecycle.guards import (
    forward_plan_refusal,
    latest_general_exception_date,
    private_urgency_refusal,
    urgency_refusal,
)
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import (
    Agreement,
    Case,
    DeadlineKind,
    Delegation,
    Resolution,
    SignOff,
    State,
    User,
)
from workflow.procurement import notices as procurement_notices
from workflow.settings import Settings

K = DeadlineKind

DUTIES: frozenset[str] = frozenset(
    {
        K.forward_plan_notice,
        K.private_meeting_notice,
        K.agenda_publication,
        K.sign_off_due,
        K.extension_option_decision,
        K.private_meeting_further_notice,
        K.general_exception_notice,
        K.urgency_reasons_notice,
        K.private_urgency_reasons_notice,
        K.decision_record_publication,
        K.contract_change_notice,
        K.modification_notice,
        K.modification_publication,
        K.termination_notice,
        K.council_decision,
    }
)

# Duties of one meeting or one decision: when the case moves to another meeting (or a new
# decision is taken) a discharged one stays as it was and the new one is a duty of its own.
PER_OCCASION: frozenset[str] = frozenset(
    {
        K.agenda_publication,
        K.private_meeting_further_notice,
        K.decision_record_publication,
        # Each modification owes its own notices (``workflow/procurement/notices.py``).
        K.contract_change_notice,
        K.standstill_end,
        K.modification_notice,
        K.modification_publication,
    }
)

# Duties of one modification, told apart by its term's first day (``PlannedDeadline.occasion``)
# rather than by their day: two modifications' notices may fall due the same day.
OCCASIONED: frozenset[str] = frozenset(
    {
        K.contract_change_notice,
        K.standstill_end,
        K.modification_notice,
        K.modification_publication,
    }
)

RECIPIENT_ROLES: dict[str, tuple[str, ...]] = {
    K.forward_plan_notice: ("author", "democratic_services"),
    K.private_meeting_notice: ("author", "democratic_services"),
    K.agenda_publication: ("author", "democratic_services"),
    K.call_in_end: ("democratic_services", "delegate"),
    K.sign_off_due: ("delegate", "consultee", "author"),
    K.agreement_end: ("author", "delegate"),
    K.extension_option_decision: ("author", "delegate", "consultee"),
    K.envelope_exhausted: ("author", "directorate_head"),
    K.private_meeting_further_notice: ("author", "democratic_services"),
    K.general_exception_notice: ("author", "democratic_services"),
    K.urgency_reasons_notice: ("democratic_services", "author"),
    K.private_urgency_reasons_notice: ("democratic_services", "author"),
    K.decision_record_publication: ("democratic_services", "delegate"),
    K.contract_change_notice: ("author", "delegate"),
    K.standstill_end: ("delegate", "author"),
    K.modification_notice: ("author", "delegate"),
    K.modification_publication: ("author", "delegate"),
    K.termination_notice: ("author", "directorate_head"),
    K.exemption_review: ("author", "democratic_services"),
    K.council_decision: ("democratic_services",),
}


# A deadline's identity across re-planning (``planning.sync``): the same key is the same
# stored deadline, so its reminders already sent are not sent again.
DeadlineKey = tuple[str, int | None, date | None]


@dataclass(frozen=True)
class PlannedDeadline:
    kind: str
    due_on: date
    agreement_id: int | None = None
    done: bool = False
    # The modification a procurement notice (or standstill) belongs to, by the first day of
    # the term it brings: each modification's notices are duties of their own, so a later
    # one never takes over (or discharges) an earlier one's (``procurement.notices``).
    occasion: date | None = None

    @property
    def is_duty(self) -> bool:
        return self.kind in DUTIES

    @property
    def key(self) -> DeadlineKey:
        return (self.kind, self.agreement_id, self.occasion)


@dataclass(frozen=True)
class CaseFacts:
    """What the deadlines depend on."""

    case: Case
    agreements: list[Agreement]
    is_key_decision: bool
    today: date  # a notice counts only once its date has come (``timerules.notice_in_time``)
    resolution: Resolution | None = None
    delegation: Delegation | None = None
    months_used: int = 0
    people: dict[int, User] = field(default_factory=dict)  # office holders urgency names
    sign_offs: list[SignOff] = field(default_factory=list)  # the case's, oldest first
    earlier_months: dict[int, int] = field(default_factory=dict)  # other cases' modifications

    @property
    def last_sign_off(self) -> SignOff | None:
        return self.sign_offs[-1] if self.sign_offs else None


def plan(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    case, state = facts.case, State(facts.case.state)
    out: list[PlannedDeadline] = []
    if state in (State.drafted, State.cabinet_consideration):
        out += _before_cabinet(facts, settings)
    elif state == State.delegated_approval:
        out += _delegated(facts, settings)
    elif state == State.active:
        out += _active(facts, settings)
    elif state == State.called_in:
        pass  # awaiting the scrutiny committee: only the agreements' ends run on
    elif state == State.expired:
        return _procurement(facts, settings)  # s.80, and notices a modification still owes
    elif state == State.council_consideration:
        out += _council(facts, settings)
    else:
        return []
    out += _procurement(facts, settings)
    out += [PlannedDeadline(K.agreement_end, a.end_date, a.id) for a in facts.agreements]
    if state in (State.delegated_approval, State.active) and facts.delegation is not None:
        out.append(PlannedDeadline(K.envelope_exhausted, facts.delegation.latest_end_date))
    out += _exemption_review(case)
    return out


def procurement_now(facts: CaseFacts, settings: Settings) -> procurement_notices.CaseNow:
    """What the procurement notices depend on, from the facts the deadlines read: the one
    builder (``procurement_notices.case_now``) the notice guard calls too."""
    return procurement_notices.case_now(
        facts.case,
        facts.agreements,
        facts.resolution,
        facts.delegation,
        sign_offs=facts.sign_offs,
        months_used=facts.months_used,
        earlier=facts.earlier_months,
        settings=settings,
        today=facts.today,
    )


def _procurement(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    """The procurement notices of SPEC §9, as ``workflow/procurement/notices.py`` decides them:
    each notice a duty due on the last working day on or before the law's day; the
    standstill's end a fact, shown as it is."""
    return [
        PlannedDeadline(
            d.kind,
            d.last_day if d.kind == K.standstill_end else timerules.duty_due_on(d.last_day),
            d.agreement_id,
            done=d.done(facts.today),
            occasion=d.modification,
        )
        for d in procurement_notices.owed(procurement_now(facts, settings))
    ]


def _exemption_review(case: Case) -> list[PlannedDeadline]:
    """Schedule 12A para 10: information is exempt only "so long" as the public interest in
    withholding it outweighs that in disclosing it, so a case holding exempt information with a
    review date has that review as a date to be told of (not a statutory duty), unless the
    exemption lapses first (``workflow.lifecycle.parts``)."""
    review, lapses = case.exemption_review_on, case.exemption_lapses_on
    if review is None or exempt_paragraph_of(case) is None:
        return []
    if lapses is not None and lapses <= review:
        return []
    return [PlannedDeadline(K.exemption_review, review)]


def _council(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    """Full Council decides a decision scrutiny referred to it within the constitution's
    working days of the referral (LGA 2000 s.9F(4)(b); ``council_referral_working_days``)."""
    referred = facts.resolution.council_referred_on if facts.resolution else None
    if referred is None:
        return []
    return [
        PlannedDeadline(K.council_decision, settings.day_rule("council_referral").after(referred))
    ]


def _published(on: date | None, today: date) -> bool:
    return on is not None and on <= today


def _before_cabinet(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    case, today, people = facts.case, facts.today, facts.people
    meeting = case.meeting_date
    if meeting is None:
        return []
    out = []
    # A notice duty is done exactly when the guards would accept it: a notice dated in the
    # future, or too late for the clear days, leaves the duty open and its reminders running.
    if facts.is_key_decision:
        latest = settings.day_rule("forward_plan").latest_notice(meeting)
        out.append(
            PlannedDeadline(
                K.forward_plan_notice,
                timerules.duty_due_on(latest, settings.closures),
                done=forward_plan_refusal(case, settings, today, people) is None,
            )
        )
        out += _urgency_notices(facts, meeting, settings)
    if exempt_paragraph_of(case) is not None:  # a Part B is taken in private too
        out += _private_notices(facts, meeting, settings)
    latest_agenda = settings.day_rule("agenda").latest_notice(meeting)
    agenda_on = case.agenda_published_on
    out.append(
        PlannedDeadline(
            K.agenda_publication,
            timerules.duty_due_on(latest_agenda, settings.closures),
            # SI 2012/2089 reg 7: done by the agenda's publication, recorded by democratic
            # services, in time or as a late item with the chair's reason.
            done=_published(agenda_on, today)
            and (agenda_on <= latest_agenda or bool(case.late_item_reason)),  # type: ignore[operator]
        )
    )
    return out


def _urgency_notices(facts: CaseFacts, meeting: date, settings: Settings) -> list[PlannedDeadline]:
    """The general exception notice (SI 2012/2089 reg 10(1)) and the reasons notice that
    follows either route (regs 10(3), 11(2)), as soon as reasonably practicable."""
    case, out = facts.case, []
    if case.urgency_route == "general_exception":
        out.append(
            PlannedDeadline(
                K.general_exception_notice,
                timerules.duty_due_on(
                    latest_general_exception_date(meeting, settings), settings.closures
                ),
                done=urgency_refusal(case, meeting, settings, facts.today, facts.people) is None,
            )
        )
    base = {
        "general_exception": case.urgency_notified_on,
        "special_urgency": case.urgency_agreed_on,
    }.get(case.urgency_route or "")
    if base is not None:
        out.append(
            PlannedDeadline(
                K.urgency_reasons_notice,
                settings.day_rule("urgency_reasons_notice").after(base),
                done=_published(case.urgency_reasons_published_on, facts.today),
            )
        )
    return out


def _private_notices(facts: CaseFacts, meeting: date, settings: Settings) -> list[PlannedDeadline]:
    """SI 2012/2089 reg 5: the 28-day notice and the further 5-day notice, or, where the
    reg 5(6) urgency stands in for both, the reasons notice of reg 5(7)."""
    case, today = facts.case, facts.today
    if (
        case.private_urgency_reason
        and private_urgency_refusal(case, meeting, settings, today, facts.people) is None
        and case.private_urgency_agreed_on is not None
    ):
        return [
            PlannedDeadline(
                K.private_urgency_reasons_notice,
                settings.day_rule("urgency_reasons_notice").after(case.private_urgency_agreed_on),
                done=_published(case.private_urgency_reasons_published_on, today),
            )
        ]
    first = settings.day_rule("private_notice")
    further = settings.day_rule("private_further_notice")
    return [
        PlannedDeadline(
            K.private_meeting_notice,
            timerules.duty_due_on(first.latest_notice(meeting), settings.closures),
            done=first.in_time(case.private_notice_published_on, meeting, today),
        ),
        PlannedDeadline(
            K.private_meeting_further_notice,
            timerules.duty_due_on(further.latest_notice(meeting), settings.closures),
            done=further.in_time(case.private_further_notice_published_on, meeting, today),
        ),
    ]


def next_term_start(case: Case) -> date | None:
    """A first term starts on the proposal's start date; an extension the day after the end."""
    return timerules.next_term_start(case.term_end, case.proposal_start_date)


def _delegated(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    signed = facts.last_sign_off
    if signed is not None and signed.awaits_call_in:
        return _officer_call_in(signed, facts.today, settings)
    out = []
    resolution = facts.resolution
    if (
        resolution is not None
        and resolution.notice_published_on is not None
        and not resolution.urgent_reason
        and not resolution.reconsidered  # no second call-in (issue 12, fault 7)
        and resolution.call_in_outcome is None
        and facts.case.term_end is None  # call-in applies to Cabinet's decision, not extensions
    ):
        out.append(
            PlannedDeadline(
                K.call_in_end,
                settings.day_rule("call_in").after(resolution.notice_published_on),
            )
        )
    if resolution is not None and facts.case.term_end is None:
        # SI 2012/2089 reg 12: the record of Cabinet's decision, published as its decision
        # notice; call-in counts from that publication.
        out.append(
            PlannedDeadline(
                K.decision_record_publication,
                settings.day_rule("decision_record").after(resolution.decided_on),
                done=_published(resolution.notice_published_on, facts.today),
            )
        )
    signed = facts.last_sign_off
    if signed is not None and signed.record_published_on is None:
        # An extension does not discharge the unpublished reg 13 record of the last sign-off.
        out.append(_officer_record(signed, facts.today, settings))
    start = next_term_start(facts.case)
    cabinet_term_to_start = (
        resolution is not None and bool(resolution.cabinet_months) and facts.case.term_end is None
    )
    if start is not None and not cabinet_term_to_start:  # Cabinet's own term needs no sign-off
        out.append(
            PlannedDeadline(
                K.sign_off_due,
                timerules.duty_due_on(start - timedelta(days=1), settings.closures),
            )
        )
    return out


def _officer_call_in(signed: SignOff, today: date, settings: Settings) -> list[PlannedDeadline]:
    """The delegate's key decision waits for call-in (issue 12): its end, and its record."""
    out = [_officer_record(signed, today, settings)]
    if signed.call_in_outcome is None and signed.call_in_ends_on is not None:
        out.append(PlannedDeadline(K.call_in_end, signed.call_in_ends_on))
    return out


def _officer_record(signed: SignOff, today: date, settings: Settings) -> PlannedDeadline:
    """SI 2012/2089 reg 13: the officer's record of a sign-off, published by this day."""
    return PlannedDeadline(
        K.decision_record_publication,
        settings.day_rule("decision_record").after(signed.signed_on),
        done=_published(signed.record_published_on, today),
    )


def _active(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    case, delegation, out = facts.case, facts.delegation, []
    if facts.last_sign_off is not None:
        out.append(_officer_record(facts.last_sign_off, facts.today, settings))
    if delegation is None or case.term_end is None:
        return out
    if delegation.months_left(facts.months_used) <= 0:
        return out
    # Each agreement may carry its own notice period (issue 12, fault 8); the case decides by
    # the earliest day any of its agreements needs.
    notice = max(
        (
            a.extension_notice_months
            if a.extension_notice_months is not None
            else settings.extension_notice_months
            for a in facts.agreements
        ),
        default=settings.extension_notice_months,
    )
    decide_by = timerules.add_months(case.term_end, -notice)
    out.append(
        PlannedDeadline(
            K.extension_option_decision, timerules.duty_due_on(decide_by, settings.closures)
        )
    )
    return out
