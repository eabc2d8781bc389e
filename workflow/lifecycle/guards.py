"""The guards of SPEC §3, each a named check that returns the reason it fails, or None.

Guards read a ``GuardContext`` the service has loaded beforehand, so they never touch the
database and a refused event reports every failing guard at once, in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workflow import timerules
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import (
    Agreement,
    Case,
    Consultation,
    Delegation,
    Ground,
    Report,
    ReportOption,
    Resolution,
    Role,
    SignOff,
    State,
    User,
    awaiting_call_in,
)
from workflow.procurement import notices as procurement_notices
from workflow.procurement import verdict as procurement
from workflow.settings import Settings


@dataclass
class GuardContext:
    """Everything a guard may look at, loaded once per event."""

    case: Case
    actor: User | None
    settings: Settings
    now: datetime
    today: date
    report: Report | None = None
    options: list[ReportOption] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    resolution: Resolution | None = None  # the latest approving resolution (the approval)
    delegation: Delegation | None = None
    consultations: list[Consultation] = field(default_factory=list)
    people: dict[int, User] = field(default_factory=dict)
    months_used: int = 0  # months already signed off under the current delegation
    payload: Any = None
    call_in_members: frozenset[int] = frozenset()  # scrutiny members asking (fault 7)
    # Agreement id -> months other cases signed off on it (earlier modifications, issue 9).
    earlier_months: dict[int, int] = field(default_factory=dict)
    sign_offs: list[SignOff] = field(default_factory=list)

    @property
    def officer_decision(self) -> SignOff | None:
        """The delegate's key decision awaiting call-in, if any."""
        return awaiting_call_in(self.sign_offs)


@dataclass(frozen=True)
class Guard:
    name: str
    description: str
    check: Callable[[GuardContext], str | None]
    needs_payload: bool = False

    def failure(self, ctx: GuardContext) -> str | None:
        if self.needs_payload and ctx.payload is None:
            return None
        return self.check(ctx)


def guard(name: str, *, needs_payload: bool = False) -> Callable[[Callable[..., Any]], Guard]:
    def wrap(check: Callable[[GuardContext], str | None]) -> Guard:
        doc = (check.__doc__ or name).strip().splitlines()[0]
        return Guard(name=name, description=doc, check=check, needs_payload=needs_payload)

    return wrap


def case_value_pence(agreements: list[Agreement], max_months: int | None) -> int:
    """Sum of annual values * max_months / 12, rounded down to whole pence."""
    annual = sum(a.annual_value_pence for a in agreements)
    return annual * (max_months or 0) // 12


def value_reaches_threshold(case: Case, agreements: list[Agreement], settings: Settings) -> bool:
    """Compared as annual * months >= threshold * 12, so no rounding decides a key decision."""
    annual = sum(a.annual_value_pence for a in agreements)
    return annual * (case.proposal_max_months or 0) >= settings.key_decision_threshold_pence * 12


def is_key_decision_facts(case: Case, agreements: list[Agreement], settings: Settings) -> bool:
    return case.key_decision or value_reaches_threshold(case, agreements, settings)


def is_key_decision(ctx: GuardContext) -> bool:
    return is_key_decision_facts(ctx.case, ctx.agreements, ctx.settings)


def _fmt(d: date) -> str:
    return d.strftime("%a %d %b %Y")


def _happened(published_on: date | None, today: date) -> date | None:
    """A notice dated after today has not been published yet, so it cannot count."""
    return published_on if published_on is not None and published_on <= today else None


def _future_note(what: str, published_on: date | None, today: date) -> str:
    if published_on is not None and published_on > today:
        return f" (the {what} is dated {_fmt(published_on)}, which is still to come)"
    return ""


# --- submit -----------------------------------------------------------------------------


@guard("report_complete")
def report_complete(ctx: GuardContext) -> str | None:
    """The report has two or more options, a recommended one, reasons and financial implications."""
    missing = []
    if len(ctx.options) < 2:
        missing.append("at least two options considered")
    report = ctx.report
    labels = {o.label for o in ctx.options}
    if report is None or not report.recommended_option:
        missing.append("a recommended option")
    elif report.recommended_option not in labels:
        missing.append("a recommended option that is one of the options considered")
    if report is None or not report.reasons:
        missing.append("reasons for the recommendation")
    if report is None or not report.financial_implications:
        missing.append("financial implications")
    if missing:
        return "the report is incomplete: it needs " + ", ".join(missing)
    return None


@guard("meeting_date_set")
def meeting_date_set(ctx: GuardContext) -> str | None:
    """A Cabinet meeting date is set."""
    return None if ctx.case.meeting_date else "no Cabinet meeting date is set"


def meeting_facts(ctx: GuardContext) -> tuple[date | None, date | None, str | None]:
    """The meeting an event is about, its further private notice and its late-item reason.

    For ``defer`` to another day that is the new meeting, which has had no further notice
    yet and is late only if the deferral records the chair's reason; otherwise the case's
    own meeting and what is recorded for it.
    """
    case = ctx.case
    new = getattr(ctx.payload, "meeting_date", None)
    if new is not None and new != case.meeting_date:
        return new, None, getattr(ctx.payload, "late_item_reason", None)
    return case.meeting_date, case.private_further_notice_published_on, case.late_item_reason


@guard("agenda_deadline_not_passed")
def agenda_deadline_not_passed(ctx: GuardContext) -> str | None:
    """The agenda for the meeting can still be published in time, or the item is a late one.

    SI 2012/2089 reg 7: the agenda and reports of an executive meeting are open to
    inspection at least 5 clear days before it (clear working days: R v Swansea CC ex p
    Elitestone). An item added later goes ahead only when the chair records why it is urgent
    (reg 7(3), recorded as ``late_item_reason``).
    """
    meeting, _, late_reason = meeting_facts(ctx)
    if meeting is None:
        return None
    rule = ctx.settings.day_rule("agenda")
    latest = rule.latest_notice(meeting)
    if ctx.today > latest and not late_reason:
        return (
            f"the agenda for the meeting on {_fmt(meeting)} had to be published by "
            f"{_fmt(latest)} ({rule.words}); "
            "a late item needs the chair's reason for urgency (SI 2012/2089 reg 7)"
        )
    return None


@guard("key_decision_marked")
def key_decision_marked(ctx: GuardContext) -> str | None:
    """A case whose value reaches the key-decision threshold is marked a key decision."""
    if (
        value_reaches_threshold(ctx.case, ctx.agreements, ctx.settings)
        and not ctx.case.key_decision
    ):
        value = case_value_pence(ctx.agreements, ctx.case.proposal_max_months)
        threshold = ctx.settings.key_decision_threshold_pence
        return (
            f"the case's value (£{value / 100:,.2f}) reaches the key-decision threshold "
            f"(£{threshold / 100:,.2f}) so it must be marked a key decision"
        )
    return None


OFFICES_IN_ORDER: tuple[tuple[Role, str], ...] = (
    (Role.scrutiny_chair, "chair of the overview and scrutiny committee"),
    (Role.chairman, "chairman of the council"),
    (Role.vice_chairman, "vice-chairman of the council"),
)


def office_refusal(
    agreed_by_id: int | None, precedence_note: str | None, people: dict[int, User], what: str
) -> str | None:
    """Why the agreement recorded for ``what`` is not one SI 2012/2089 regs 5(6) and 11(1)
    accept; None when it is.

    The agreement is that of the chair of the relevant overview and scrutiny committee; if
    there is none or they are unable to act, the chairman of the council; failing both, the
    vice-chairman. It is recorded as the person who holds the office, and whoever agrees in
    place of an office before theirs needs a note of why that office could not act.
    """
    wanted = (
        f"{what} needs the agreement of the chair of the overview and scrutiny committee "
        "(failing whom the chairman, then the vice-chairman of the council)"
    )
    if agreed_by_id is None:
        return wanted + ", recorded as that person"
    person = people.get(agreed_by_id)
    if person is None:
        return f"{wanted}; user {agreed_by_id} does not exist"
    held = [
        (rank, label)
        for rank, (office, label) in enumerate(OFFICES_IN_ORDER)
        if person.has_role(office)
    ]
    if not held:
        return f"{wanted}; {person.name} holds none of these offices"
    rank, label = held[0]
    if rank > 0 and not precedence_note:
        before = " and the ".join(lbl for _, lbl in OFFICES_IN_ORDER[:rank])
        return f"{person.name} agreed as {label}; record why the {before} could not act"
    return None


def general_exception_in_time(
    notified_on: date | None, meeting: date, settings: Settings, today: date
) -> bool:
    """SI 2012/2089 reg 10(1)(c): five clear days after the notice, counted in working days
    unless the constitution says calendar days (``general_exception_in_working_days``)."""
    return settings.day_rule("general_exception").in_time(notified_on, meeting, today)


def latest_general_exception_date(meeting: date, settings: Settings) -> date:
    return settings.day_rule("general_exception").latest_notice(meeting)


def urgency_refusal(
    case: Case,
    meeting: date,
    settings: Settings,
    today: date,
    people: dict[int, User] | None = None,
) -> str | None:
    """Why the urgency route recorded on ``case`` does not stand in for a forward-plan notice
    for ``meeting``; None when it meets its own rule.

    General exception (SI 2012/2089 reg 10(1)): the chair of the overview and scrutiny
    committee told in writing, and the notice published, on or before today, at least 5
    clear days (working days by default) before the meeting. Special urgency (reg 11(1)):
    only where the general exception is impracticable, i.e. a general exception notice on
    the day of the agreement would already have been too late; and with the agreement of
    the scrutiny chair (or the chairman, or the vice-chairman, in that order) that the
    decision is urgent and cannot reasonably be deferred.
    """
    people = people or {}
    if case.urgency_route == "general_exception":
        reasons = []
        if not general_exception_in_time(case.urgency_notified_on, meeting, settings, today):
            latest = latest_general_exception_date(meeting, settings)
            reasons.append(
                f"the notice published by {_fmt(latest)} "
                f"({settings.day_rule('general_exception').words} before the meeting)"
                + _future_note("general exception notice", case.urgency_notified_on, today)
            )
        chair = people.get(case.urgency_chair_told_id or 0)
        if chair is None or not chair.has_role(Role.scrutiny_chair):
            reasons.append(
                "the chair of the overview and scrutiny committee told in writing, "
                "recorded as that person"
            )
        if not reasons:
            return None
        return "general exception (SI 2012/2089 reg 10) needs " + " and ".join(reasons)
    if case.urgency_route == "special_urgency":
        refusal = office_refusal(
            case.urgency_agreed_by_id, case.urgency_precedence_note, people, "special urgency"
        )
        if refusal is not None:
            return refusal + " (SI 2012/2089 reg 11(1))"
        agreed_on = _happened(case.urgency_agreed_on, today)
        if agreed_on is None:
            return "special urgency needs the date the agreement was given, on or before today"
        if general_exception_in_time(agreed_on, meeting, settings, agreed_on):
            return (
                "special urgency applies only where the general exception is impracticable "
                f"(SI 2012/2089 reg 11(1)); a general exception notice on {_fmt(agreed_on)} "
                f"would have been in time for the meeting on {_fmt(meeting)}"
            )
        return None
    return "no urgency route is recorded"


def forward_plan_refusal(
    case: Case,
    settings: Settings,
    today: date,
    people: dict[int, User] | None = None,
    meeting: date | None = None,
) -> str | None:
    """Why a key decision's forward-plan rule (SI 2012/2089 reg 9) is not met on ``today``
    for ``meeting`` (the case's own by default); None when it is.

    Met by a forward-plan notice in time, or by an urgency route that meets its own rule. The
    submit and defer guards and the forward-plan duty all ask this, so they never disagree.
    """
    meeting = meeting or case.meeting_date
    if meeting is None:
        return None
    rule = settings.day_rule("forward_plan")
    if rule.in_time(case.forward_plan_published_on, meeting, today):
        return None
    if case.urgency_route in ("general_exception", "special_urgency"):
        return urgency_refusal(case, meeting, settings, today, people)
    latest = rule.latest_notice(meeting)
    published = _happened(case.forward_plan_published_on, today)
    when = "was not published" if published is None else f"was published on {_fmt(published)}"
    return (
        f"a key decision needs a forward-plan notice by {_fmt(latest)} ({rule.words} "
        f"before the meeting) and it {when}; or record an urgency route"
        + _future_note("forward-plan notice", case.forward_plan_published_on, today)
    )


@guard("key_decision_notice")
def key_decision_notice(ctx: GuardContext) -> str | None:
    """A key decision was on the forward plan 28 clear days ahead, or an urgency route applies."""
    meeting, _, _ = meeting_facts(ctx)
    if meeting is None or not is_key_decision(ctx):
        return None
    return forward_plan_refusal(ctx.case, ctx.settings, ctx.today, ctx.people, meeting)


def private_urgency_refusal(
    case: Case, meeting: date, settings: Settings, today: date, people: dict[int, User]
) -> str | None:
    """Why a private meeting on ``meeting`` may not go ahead without the notices of SI
    2012/2089 reg 5 under its urgency route; None when it may.

    Reg 5(6): where the date by which the meeting must be held makes the notices
    impracticable (on the day of the agreement the 28 clear days could no longer be given),
    the meeting may be held in private only with the agreement of the scrutiny chair (or the
    chairman, or the vice-chairman, in that order) that it is urgent and cannot reasonably
    be deferred. Reg 5(7): a notice of the reasons follows (a duty, not a condition).
    """
    if not case.private_urgency_reason:
        return "no private-meeting urgency is recorded"
    refusal = office_refusal(
        case.private_urgency_agreed_by_id,
        case.private_urgency_precedence_note,
        people,
        "a private meeting without its notices",
    )
    if refusal is not None:
        return refusal + " (SI 2012/2089 reg 5(6))"
    agreed_on = _happened(case.private_urgency_agreed_on, today)
    if agreed_on is None:
        return "private-meeting urgency needs the date the agreement was given, on or before today"
    rule = settings.day_rule("private_notice")
    if rule.clear_between(agreed_on, meeting) >= rule.days:
        return (
            "private-meeting urgency applies only where the notices are impracticable (SI "
            f"2012/2089 reg 5(6)); on {_fmt(agreed_on)} a notice of {rule.words} was still "
            "possible"
        )
    return None


@guard("exempt_notice")
def exempt_notice(ctx: GuardContext) -> str | None:
    """An exempt item names its paragraph and had a private-meeting notice 28 clear days ahead,
    or the reg 5(6) urgency route applies."""
    case = ctx.case
    meeting, _, _ = meeting_facts(ctx)
    paragraph = exempt_paragraph_of(case)  # the whole report's, or a Part B's
    if paragraph is None or meeting is None:
        return None
    if not 1 <= paragraph <= 7:
        return "the exempt paragraph must be one of 1 to 7 of Schedule 12A"
    rule = ctx.settings.day_rule("private_notice")
    # SI 2012/2089 reg 5(2)-(3).
    if rule.in_time(case.private_notice_published_on, meeting, ctx.today):
        return None
    if case.private_urgency_reason:
        return private_urgency_refusal(case, meeting, ctx.settings, ctx.today, ctx.people)
    latest = rule.latest_notice(meeting)
    return (
        f"an exempt item needs a private-meeting notice by {_fmt(latest)} ({rule.words} "
        "before the meeting), or the agreement of the scrutiny chair that the meeting is urgent"
        + _future_note("private-meeting notice", case.private_notice_published_on, ctx.today)
    )


def further_notice_refusal(
    case: Case,
    meeting: date,
    further_on: date | None,
    settings: Settings,
    today: date,
    people: dict[int, User],
) -> str | None:
    """Why the further private notice of SI 2012/2089 reg 5(4)-(5) is missing when it can no
    longer be given in time; None while it still can be, or when it was, or when the reg
    5(6) urgency route stands in for all of reg 5."""
    if exempt_paragraph_of(case) is None:
        return None
    rule = settings.day_rule("private_further_notice")
    if rule.in_time(further_on, meeting, today):
        return None
    if case.private_urgency_reason and (
        private_urgency_refusal(case, meeting, settings, today, people) is None
    ):
        return None
    latest = rule.latest_notice(meeting)
    if today <= latest:
        return None  # still time: the duty reminds people, nothing refuses yet
    return (
        f"a private meeting needs a further notice by {_fmt(latest)} ({rule.words} before "
        "the meeting) with the reasons, any representations and the response (SI 2012/2089 "
        "reg 5(4)-(5))" + _future_note("further private notice", further_on, today)
    )


@guard("private_further_notice")
def private_further_notice(ctx: GuardContext) -> str | None:
    """An exempt item's further private notice went out 5 clear days ahead (reg 5(4)), once
    that day has passed."""
    meeting, further_on, _ = meeting_facts(ctx)
    if meeting is None:
        return None
    return further_notice_refusal(
        ctx.case, meeting, further_on, ctx.settings, ctx.today, ctx.people
    )


def for_new_meeting(base: Guard) -> Guard:
    """``base`` run against the meeting a deferral moves the case to, as ``submit`` ran it
    for the first (issue 11, bug 1). Later on the same agenda is the same meeting: its checks
    were passed at submit and nothing is rerun."""

    def check(ctx: GuardContext) -> str | None:
        new = ctx.payload.meeting_date
        if new == ctx.case.meeting_date or new < ctx.today:
            return None  # the same meeting; or a past one, which meeting_date_not_past refuses
        return base.check(ctx)

    return Guard(base.name, base.description, check, needs_payload=True)


# --- defer, approve, reject -------------------------------------------------------------


@guard("meeting_date_not_past", needs_payload=True)
def meeting_date_not_past(ctx: GuardContext) -> str | None:
    """The meeting the case comes back to has not already happened."""
    if ctx.payload.meeting_date < ctx.today:
        return f"the meeting date {_fmt(ctx.payload.meeting_date)} has already passed"
    return None


@guard("decided_not_in_future", needs_payload=True)
def decided_not_in_future(ctx: GuardContext) -> str | None:
    """Cabinet's decision date is not in the future."""
    if ctx.payload.decided_on > ctx.today:
        return f"the decision date {_fmt(ctx.payload.decided_on)} is in the future"
    return None


@guard("decided_at_meeting", needs_payload=True)
def decided_at_meeting(ctx: GuardContext) -> str | None:
    """Cabinet decides at its meeting: the decision date is the meeting's, or the day the
    meeting was adjourned to (SI 2012/2089 reg 12(2)(a) records that date)."""
    p, meeting = ctx.payload, ctx.case.meeting_date
    adjourned = getattr(p, "adjourned_to", None)
    if meeting is None:
        return "the case has no meeting date to have been decided at"
    if adjourned is not None and adjourned <= meeting:
        return f"a meeting on {_fmt(meeting)} can only be adjourned to a later day"
    if p.decided_on == meeting or (adjourned is not None and p.decided_on == adjourned):
        return None
    also = "" if adjourned is None else f" or the day it was adjourned to, {_fmt(adjourned)}"
    return (
        f"Cabinet decides at its meeting: the decision date must be {_fmt(meeting)}{also}, "
        f"not {_fmt(p.decided_on)}"
    )


@guard("urgent_decision_agreed", needs_payload=True)
def urgent_decision_agreed(ctx: GuardContext) -> str | None:
    """A decision taken as urgent, outside call-in, has the scrutiny chair's recorded agreement
    that it is reasonable and urgent (the constitution's call-in rules)."""
    p = ctx.payload
    if not p.urgent_reason:
        return None
    chair = ctx.people.get(p.urgent_agreed_by_id or 0)
    if chair is None or not chair.has_role(Role.scrutiny_chair):
        return (
            "a decision exempt from call-in as urgent needs the agreement of the chair of the "
            "overview and scrutiny committee, recorded as that person (urgent_agreed_by_id)"
        )
    return None


@guard("notice_after_decision", needs_payload=True)
def notice_after_decision(ctx: GuardContext) -> str | None:
    """The decision notice was published on or after the decision, and not in the future."""
    p = ctx.payload
    if p.notice_published_on < p.decided_on:
        return "the decision notice cannot be published before the decision was made"
    if p.notice_published_on > ctx.today:
        return f"the decision notice date {_fmt(p.notice_published_on)} is in the future"
    return None


@guard("delegate_is_executive", needs_payload=True)
def delegate_is_executive(ctx: GuardContext) -> str | None:
    """The delegate, if Cabinet delegated anything, is a user holding the executive role."""
    if ctx.payload.delegate_id is None:
        return None
    delegate = ctx.people.get(ctx.payload.delegate_id)
    if delegate is None:
        return f"the delegate (user {ctx.payload.delegate_id}) does not exist"
    if not delegate.active:
        return f"the delegate {delegate.name} has been deactivated"
    if not delegate.has_role(Role.executive):
        return f"the delegate {delegate.name} does not hold the executive role"
    return None


@guard("delegate_is_not_author", needs_payload=True)
def delegate_is_not_author(ctx: GuardContext) -> str | None:
    """The delegate did not write the report, so could never sign it off."""
    if ctx.payload.delegate_id == ctx.case.author_id:
        return "the delegate cannot be the report's author"
    return None


@guard("consultee_is_cabinet_member", needs_payload=True)
def consultee_is_cabinet_member(ctx: GuardContext) -> str | None:
    """Each consultee named, if any, holds the cabinet_member role."""
    reasons = []
    for cid in ctx.payload.named_consultees():
        consultee = ctx.people.get(cid)
        if consultee is None:
            reasons.append(f"the consultee (user {cid}) does not exist")
        elif not consultee.active:
            reasons.append(f"the consultee {consultee.name} has been deactivated")
        elif not consultee.has_role(Role.cabinet_member):
            reasons.append(f"the consultee {consultee.name} does not hold the cabinet_member role")
    return "; ".join(reasons) or None


@guard("delegation_beyond_cabinet_term", needs_payload=True)
def delegation_beyond_cabinet_term(ctx: GuardContext) -> str | None:
    """Cabinet's own months fit the envelope, and a delegation has months beyond them."""
    p = ctx.payload
    total = p.max_months or ctx.case.proposal_max_months or 0
    own = p.cabinet_months or 0
    if own > total:
        return f"Cabinet's own {own} months exceed the envelope of {total} months"
    if p.delegate_id is not None and own >= total:
        return (
            f"Cabinet's own {own} months use the whole envelope of {total} months: there is "
            "nothing beyond them to delegate (leave out delegate_id)"
        )
    return None


def cabinet_term_pending(ctx: GuardContext) -> int | None:
    """The months of a term Cabinet approved itself that has not started yet (fault 1)."""
    resolution = ctx.resolution
    if resolution is None or not resolution.cabinet_months or ctx.case.term_end is not None:
        return None
    return resolution.cabinet_months


# --- call_in, sign_off, extend, expire ----------------------------------------------------


@guard("cabinet_term_to_start")
def cabinet_term_to_start(ctx: GuardContext) -> str | None:
    """Cabinet approved a first term of its own that has not started yet, or the delegate's
    key decision waits for call-in to end (issue 12)."""
    if cabinet_term_pending(ctx) is None and ctx.officer_decision is None:
        return "Cabinet approved no term of its own that is still to start"
    return None


@guard("term_is_delegated")
def term_is_delegated(ctx: GuardContext) -> str | None:
    """The term to sign off is one Cabinet delegated, not its own first term."""
    own = cabinet_term_pending(ctx)
    if own is not None:
        return (
            f"Cabinet itself approved the first {own} months, which start when call-in is "
            "over; the delegation covers only the months beyond them"
        )
    return None


def sign_off_is_key_decision(ctx: GuardContext, months: int) -> bool:
    """Whether a sign-off of ``months`` is a key decision of the delegate's own: where the
    constitution says a sign-off above the threshold is one (a policy setting), by its value."""
    settings = ctx.settings
    if not settings.sign_off_above_threshold_is_key_decision:
        return False
    annual = sum(a.annual_value_pence for a in ctx.agreements)
    return annual * months >= settings.key_decision_threshold_pence * 12


def officer_call_in_applies(ctx: GuardContext) -> bool:
    """The sign-off asked for is an officer key decision the constitution makes subject to
    call-in (``officer_key_decisions_call_in``), and not a reconsideration of one scrutiny
    referred back (a decision is not called in twice)."""
    if not ctx.settings.officer_key_decisions_call_in or ctx.payload is None:
        return False
    last = ctx.sign_offs[-1] if ctx.sign_offs else None
    if last is not None and last.referred_back:  # by scrutiny, or by Council on referral
        return False
    return sign_off_is_key_decision(ctx, ctx.payload.months)


def officer_decision_called_in(ctx: GuardContext) -> bool:
    return ctx.officer_decision is not None


@guard("no_officer_decision_waiting")
def no_officer_decision_waiting(ctx: GuardContext) -> str | None:
    """No key decision the delegate signed off is still waiting for call-in to end."""
    officer = ctx.officer_decision
    if officer is None:
        return None
    return (
        f"the key decision signed off on {_fmt(officer.signed_on)} is subject to call-in; "
        "its term starts when call-in is over"
    )


def call_in_end_of(ctx: GuardContext) -> date | None:
    resolution = ctx.resolution
    if resolution is None or resolution.notice_published_on is None:
        return None
    return ctx.settings.day_rule("call_in").after(resolution.notice_published_on)


def _officer_call_in_open(officer: SignOff, today: date) -> str | None:
    """Why the delegate's key decision can no longer be called in, or None."""
    end = officer.call_in_ends_on
    assert end is not None
    if officer.call_in_outcome is not None:
        return "this decision has already been called in"
    if today > end:
        return f"the call-in period ended on {_fmt(end)}"
    return None


def _officer_call_in_over(officer: SignOff, ctx: GuardContext) -> str | None:
    """Why the delegate's key decision may not be implemented yet, or None."""
    end = officer.call_in_ends_on
    assert end is not None
    if officer.call_in_outcome == "no_further_action":
        return None
    if officer.call_in_outcome == "called_in":
        return "the decision has been called in: the scrutiny committee decides first"
    return _not_yet_implementable(end, ctx)


def _not_yet_implementable(end: date, ctx: GuardContext) -> str | None:
    """Why a decision whose call-in ends on ``end`` may not be implemented today, or None."""
    start = timerules.implementable_from(end, ctx.settings.closures)
    if ctx.today < start:
        return (
            f"the call-in period ends on {_fmt(end)}; the decision may be implemented "
            f"from {_fmt(start)}"
        )
    return None


@guard("within_call_in_period")
def within_call_in_period(ctx: GuardContext) -> str | None:
    """The call-in period has not ended, the decision was not taken as urgent, and it is not
    a decision already called in or reconsidered after a call-in (issue 12, fault 7). Where
    the delegate's key decision awaits call-in, it is that decision that is called in."""
    officer = ctx.officer_decision
    if officer is not None:
        return _officer_call_in_open(officer, ctx.today)
    if ctx.resolution is not None and ctx.resolution.urgent_reason:
        return "the decision was taken as urgent and is not subject to call-in"
    if ctx.resolution is not None and ctx.resolution.reconsidered:
        return "a decision reconsidered after a call-in cannot be called in twice"
    if ctx.resolution is not None and ctx.resolution.call_in_outcome is not None:
        return "this decision has already been called in"
    end = call_in_end_of(ctx)
    if end is None:
        return "there is no published decision to call in"
    if ctx.today > end:
        return f"the call-in period ended on {_fmt(end)}"
    return None


@guard("enough_members_call_in")
def enough_members_call_in(ctx: GuardContext) -> str | None:
    """As many scrutiny members as the constitution asks for have asked to call it in."""
    need = ctx.settings.call_in_members_needed
    asking = set(ctx.call_in_members)
    if ctx.actor is not None and ctx.actor.id is not None:
        asking.add(ctx.actor.id)
    if len(asking) >= need:
        return None
    return (
        f"{len(asking)} of the {need} scrutiny members the constitution asks for would be "
        "calling it in; record each request (POST /cases/{id}/call-in-requests)"
    )


@guard("council_met_after_referral", needs_payload=True)
def council_met_after_referral(ctx: GuardContext) -> str | None:
    """Full Council met on or after the day scrutiny referred the decision to it, and not in
    the future."""
    met_on, referred = ctx.payload.met_on, None
    if ctx.resolution is not None:
        referred = ctx.resolution.council_referred_on
    if referred is not None and met_on < referred:
        return f"the decision was referred to Council on {_fmt(referred)}, after {_fmt(met_on)}"
    if met_on > ctx.today:
        return f"Council's meeting on {_fmt(met_on)} is in the future"
    return None


@guard("call_in_period_over")
def call_in_period_over(ctx: GuardContext) -> str | None:
    """The call-in period is over, unless Cabinet marked the decision urgent with a reason, or
    scrutiny took no further action on it, or it reconsiders a called-in decision. Where the
    delegate's key decision awaits call-in, its own period."""
    officer = ctx.officer_decision
    if officer is not None:
        return _officer_call_in_over(officer, ctx)
    if ctx.resolution is not None and ctx.resolution.urgent_reason:
        return None
    if ctx.resolution is not None and (
        ctx.resolution.reconsidered
        or ctx.resolution.call_in_outcome in ("no_further_action", "council_decided")
    ):
        return None
    end = call_in_end_of(ctx)
    if end is None:
        return "no decision notice has been published"
    return _not_yet_implementable(end, ctx)


def procurement_now(ctx: GuardContext) -> procurement_notices.CaseNow:
    """What the procurement notices depend on, built as the deadlines build it
    (``procurement_notices.case_now``), from the latest approval and its delegation."""
    return procurement_notices.case_now(
        ctx.case,
        ctx.agreements,
        ctx.resolution,
        ctx.delegation,
        sign_offs=ctx.sign_offs,
        months_used=ctx.months_used,
        earlier=ctx.earlier_months,
        settings=ctx.settings,
        today=ctx.today,
    )


@guard("contract_change_notice_published")
def contract_change_notice_published(ctx: GuardContext) -> str | None:
    """The contract change notice went out before the modification and its standstill is over.

    Procurement Act 2023 s.75(1) (the notice is mandatory, save s.75(2) and (6)) and s.76 (the
    voluntary standstill, kept unless ``standstill_guard`` is off); the rules are
    ``workflow.procurement.notices``. Guards the delegate's ``sign_off`` and the scheduler's
    ``implement`` of a term Cabinet approved itself: either is the modification."""
    return procurement_notices.before_modification_refusal(procurement_now(ctx), ctx.today)


def consultees_outstanding(ctx: GuardContext) -> list[int]:
    """The consultees Cabinet named whom no consultation that counts covers yet, in Cabinet's
    order: one counts if recorded since the case last entered delegated approval, held on or
    after the day consultations count from (fault 6), and agreeing where the delegation is
    "with the agreement of". The sign-off guard, the dashboard and the consultation form all
    read this one list (issue 12, fault 8)."""
    delegation = ctx.delegation
    if delegation is None:
        return []
    since = ctx.case.entered_delegated_at
    held_from = consultation_counts_from(ctx)
    done = {
        c.consultee_id
        for c in ctx.consultations
        if (since is None or c.recorded_at >= since)
        and (c.agreed or not delegation.consultee_must_agree)
        and (held_from is None or c.consulted_on >= held_from)
    }
    return [uid for uid in delegation.consultees() if uid not in done]


@guard("consultation_recorded")
def consultation_recorded(ctx: GuardContext) -> str | None:
    """Every consultee Cabinet named was consulted (and agreed, where the delegation is "with
    the agreement of") since the case last entered delegated approval (issue 12, fault 8)."""
    delegation = ctx.delegation
    missing = consultees_outstanding(ctx)
    if delegation is None or not missing:
        return None
    held_from = consultation_counts_from(ctx)
    who = " and ".join(
        person.name if (person := ctx.people.get(uid)) else f"user {uid}" for uid in missing
    )
    held = "" if held_from is None else f" held on or after {_fmt(held_from)}"
    if delegation.consultee_must_agree:
        return (
            f"Cabinet delegated this with the agreement of {who}: no consultation{held} "
            "recording their agreement has been recorded since the case entered delegated "
            "approval"
        )
    return (
        f"no consultation with {who}{held} has been recorded since the case entered "
        "delegated approval"
    )


def consultation_counts_from(ctx: GuardContext) -> date | None:
    """The first day a consultation can count from (issue 12, fault 6): it counts by when it
    was held (``consulted_on``), not when it was recorded. A first term is delegated by
    Cabinet's decision, so a consultation held before that decision was about nothing Cabinet
    had delegated; a further term is asked for by ``extend``, so one held before that day
    was about the last term."""
    if ctx.case.term_end is None:
        return ctx.resolution.decided_on if ctx.resolution is not None else None
    entered = ctx.case.entered_delegated_at
    return timerules.london_date(entered) if entered is not None else None


def envelope_left(ctx: GuardContext) -> int:
    delegation = ctx.delegation
    return 0 if delegation is None else delegation.months_left(ctx.months_used)


def _envelope_refusal(ctx: GuardContext, months: int, new_case_hint: bool) -> str | None:
    delegation = ctx.delegation
    if delegation is None:
        return "there is no delegation to act under"
    left = envelope_left(ctx)
    start = timerules.next_term_start(ctx.case.term_end, ctx.case.proposal_start_date)
    hint = "; a new case and a Cabinet decision are needed" if new_case_hint else ""
    if months > left:
        return (
            f"{months} months exceeds what is left of the envelope ({left} of "
            f"{delegation.max_months} months){hint}"
        )
    if start is not None:
        end = timerules.term_end(start, months)
        if end > delegation.latest_end_date:
            return (
                f"a {months}-month term from {_fmt(start)} would end on {_fmt(end)}, after the "
                f"envelope's latest end date {_fmt(delegation.latest_end_date)}{hint}"
            )
    return None


@guard("term_within_envelope", needs_payload=True)
def term_within_envelope(ctx: GuardContext) -> str | None:
    """The term signed off fits the months and the latest end date Cabinet delegated."""
    return _envelope_refusal(ctx, ctx.payload.months, new_case_hint=False)


@guard("sign_off_key_decision_notice", needs_payload=True)
def sign_off_key_decision_notice(ctx: GuardContext) -> str | None:
    """Where the constitution makes a sign-off above the threshold a key decision of its own,
    the forward plan gave it 28 clear days (SI 2012/2089 reg 9; a policy setting)."""
    settings = ctx.settings
    if not sign_off_is_key_decision(ctx, ctx.payload.months):
        return None
    rule = settings.day_rule("forward_plan")
    if rule.in_time(ctx.case.forward_plan_published_on, ctx.today, ctx.today):
        return None
    return (
        "this council treats a sign-off above the key-decision threshold as a key decision: "
        f"it needs a forward-plan notice at least {rule.words} before "
        f"{_fmt(ctx.today)}"
    )


@guard("signer_not_author")
def signer_not_author(ctx: GuardContext) -> str | None:
    """Whoever signs off did not write the report."""
    if ctx.actor is not None and ctx.actor.id == ctx.case.author_id:
        return "the report's author cannot sign off their own case"
    return None


@guard("extension_within_envelope", needs_payload=True)
def extension_within_envelope(ctx: GuardContext) -> str | None:
    """The months asked for fit in what is left of the envelope."""
    return _envelope_refusal(ctx, ctx.payload.months, new_case_hint=True)


@guard("envelope_has_months_left")
def envelope_has_months_left(ctx: GuardContext) -> str | None:
    """Some of the envelope is left to extend into."""
    if ctx.delegation is None or envelope_left(ctx) <= 0:
        return "the envelope is used up; a new case and a Cabinet decision are needed"
    return None


# --- decline, decline_further, lapse (issue 12, fault 3) -----------------------------------


@guard("no_decision_awaiting_call_in")
def no_decision_awaiting_call_in(ctx: GuardContext) -> str | None:
    """No key decision the delegate signed off awaits call-in: a decision made and published
    for call-in is not discarded by declining; only scrutiny can send it back."""
    officer = ctx.officer_decision
    if officer is None:
        return None
    made = (
        f"the key decision signed off on {_fmt(officer.signed_on)} ({officer.months} months "
        f"from {_fmt(officer.term_start)}) has been made and published for call-in, so it "
        "cannot be declined"
    )
    if officer.call_in_outcome == "no_further_action":
        return f"{made}: scrutiny took no further action, so it takes effect at the next pass"
    end = officer.call_in_ends_on
    assert end is not None
    return (
        f"{made}: its term starts when call-in ends on {_fmt(end)}, unless scrutiny calls it "
        "in and it is referred back to you to reconsider (LGA 2000 s.9F(4)(a))"
    )


@guard("no_term_signed_off")
def no_term_signed_off(ctx: GuardContext) -> str | None:
    """Nothing has been signed off, so declining ends the case (else ``decline_further``)."""
    own = cabinet_term_pending(ctx)
    if own is not None:
        return f"Cabinet itself approved the first {own} months: they start when call-in is over"
    if ctx.case.term_end is not None:
        return (
            f"a term running to {_fmt(ctx.case.term_end)} has been signed off: declining "
            "further months is 'decline_further', which returns the case to active"
        )
    return None


@guard("term_running")
def term_running(ctx: GuardContext) -> str | None:
    """A signed-off term is running, for the case to go back to (else ``decline``)."""
    if ctx.case.term_end is None:
        return "no term has been signed off to return to: declining is 'decline', which ends it"
    return None


@guard("time_to_use_envelope_passed")
def time_to_use_envelope_passed(ctx: GuardContext) -> str | None:
    """The day the next term would have started has passed with no sign-off, so there is no
    agreement left to extend (or the envelope's latest end date has passed)."""
    if cabinet_term_pending(ctx) is not None or ctx.officer_decision is not None:
        return "the term decided starts when call-in is over; it does not lapse"
    last = envelope_lapses_after(ctx.case, ctx.resolution, ctx.delegation)
    if last is not None and ctx.today > last:
        return None
    if last is None:
        return "the case has no date for its next term to start"
    return f"the next term could still start on {_fmt(last)}"


def envelope_lapses_after(
    case: Case, resolution: Resolution | None, delegation: Delegation | None
) -> date | None:
    """The last day the envelope can be used: the day the next term would start, or the
    envelope's latest end date if that is sooner; None while Cabinet's own term is still to
    start (it does not lapse). The lapse guard and the stored ``cases.lapses_after`` the
    scheduler selects by are both this."""
    if resolution is not None and resolution.cabinet_months and case.term_end is None:
        return None
    start = timerules.next_term_start(case.term_end, case.proposal_start_date)
    latest = delegation.latest_end_date if delegation is not None else None
    days = [d for d in (start, latest) if d is not None]
    return min(days) if days else None


@guard("end_date_passed")
def end_date_passed(ctx: GuardContext) -> str | None:
    """The agreements' end date has passed."""
    end = ctx.case.term_end or max((a.end_date for a in ctx.agreements), default=None)
    if end is None:
        return "the case has no end date"
    if ctx.today <= end:
        return f"the agreement runs until {_fmt(end)}"
    return None


# --- approve, sign_off, extend: procurement law (issue 9) ------------------------------------


def modification_months(ctx: GuardContext) -> tuple[int | None, int]:
    """The months this event adds to the agreements, and the months this case has already
    added to them. ``sign_off`` and ``extend`` name their months; ``approve`` authorises
    the whole envelope at once (Cabinet's own months and the delegate's), tested as one
    modification so that splitting it cannot slip under a cap (PCR 2015 reg 72(2): "not
    aimed at circumventing"). Before the months are known (a preview with no payload, after
    approval) only the facts and the ground are checked."""
    case, payload = ctx.case, ctx.payload
    own = ctx.months_used
    resolution = ctx.resolution
    if resolution is not None and resolution.cabinet_months and case.term_end is not None:
        own += resolution.cabinet_months  # Cabinet's own term, implemented (fault 1)
    months = getattr(payload, "months", None)
    if months is not None:
        return months, own
    if case.state == State.cabinet_consideration:
        return (getattr(payload, "max_months", None) or case.proposal_max_months), 0
    return None, own


def modification_verdicts(ctx: GuardContext) -> list[procurement.Verdict]:
    """The verdict for each agreement of the case on the ground its proposal names."""
    months, own = modification_months(ctx)
    ground = Ground(ctx.case.proposal_ground) if ctx.case.proposal_ground else None
    return [
        procurement.assess(a, ground, months, ctx.earlier_months.get(a.id or 0, 0) + own, ctx.today)
        for a in ctx.agreements
    ]


@guard("lawful_modification")
def lawful_modification(ctx: GuardContext) -> str | None:
    """The proposal's lawful ground holds for every agreement (PCR 2015 reg 72; Procurement
    Act 2023 s.74 and Sch 8), and every agreement records the facts that test it."""
    return procurement.refusal(modification_verdicts(ctx))
