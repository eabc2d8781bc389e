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
from workflow.models import (
    Agreement,
    Case,
    Consultation,
    Delegation,
    Report,
    ReportOption,
    Resolution,
    Role,
    User,
)
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
    resolution: Resolution | None = None
    delegation: Delegation | None = None
    consultations: list[Consultation] = field(default_factory=list)
    people: dict[int, User] = field(default_factory=dict)
    months_used: int = 0  # months already signed off under the current delegation
    payload: Any = None


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


@guard("agenda_deadline_not_passed")
def agenda_deadline_not_passed(ctx: GuardContext) -> str | None:
    """The agenda for the meeting can still be published in time."""
    meeting = ctx.case.meeting_date
    if meeting is None:
        return None
    latest = timerules.latest_agenda_date(meeting, ctx.settings.agenda_clear_working_days)
    if ctx.today > latest:
        return (
            f"the agenda for the meeting on {_fmt(meeting)} had to be published by "
            f"{_fmt(latest)} ({ctx.settings.agenda_clear_working_days} clear working days)"
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


def urgency_refusal(case: Case, meeting: date, settings: Settings, today: date) -> str | None:
    """Why the urgency route recorded on ``case`` does not stand in for a forward-plan notice
    for ``meeting``; None when it meets its own rule (SPEC §3).

    General exception: the overview and scrutiny chair told and the notice published, on or
    before today, at least 5 clear days before the meeting. Special urgency: who agreed that
    the decision cannot reasonably be deferred.
    """
    if case.urgency_route == "general_exception":
        gen = settings.general_exception_clear_days
        if timerules.notice_in_time(case.urgency_notified_on, meeting, gen, today):
            return None
        return (
            "general exception needs the overview and scrutiny chair told and the notice "
            f"published at least {gen} clear days before the meeting"
            + _future_note("general exception notice", case.urgency_notified_on, today)
        )
    if case.urgency_route == "special_urgency":
        if case.urgency_agreed_by:
            return None
        return "special urgency needs who agreed that the decision cannot reasonably be deferred"
    return "no urgency route is recorded"


def forward_plan_refusal(case: Case, settings: Settings, today: date) -> str | None:
    """Why a key decision's forward-plan rule is not met on ``today``; None when it is.

    Met by a forward-plan notice in time, or by an urgency route that meets its own rule. The
    submit guard and the forward-plan duty both ask this, so they never disagree.
    """
    meeting = case.meeting_date
    if meeting is None:
        return None
    need = settings.forward_plan_clear_days
    if timerules.notice_in_time(case.forward_plan_published_on, meeting, need, today):
        return None
    if case.urgency_route in ("general_exception", "special_urgency"):
        return urgency_refusal(case, meeting, settings, today)
    latest = timerules.latest_notice_date(meeting, need)
    published = _happened(case.forward_plan_published_on, today)
    when = "was not published" if published is None else f"was published on {_fmt(published)}"
    return (
        f"a key decision needs a forward-plan notice by {_fmt(latest)} ({need} clear days "
        f"before the meeting) and it {when}; or record an urgency route"
        + _future_note("forward-plan notice", case.forward_plan_published_on, today)
    )


@guard("key_decision_notice")
def key_decision_notice(ctx: GuardContext) -> str | None:
    """A key decision was on the forward plan 28 clear days ahead, or an urgency route applies."""
    if ctx.case.meeting_date is None or not is_key_decision(ctx):
        return None
    return forward_plan_refusal(ctx.case, ctx.settings, ctx.today)


@guard("exempt_notice")
def exempt_notice(ctx: GuardContext) -> str | None:
    """An exempt item names its paragraph and had a private-meeting notice 28 clear days ahead."""
    case, meeting = ctx.case, ctx.case.meeting_date
    if case.exempt_paragraph is None or meeting is None:
        return None
    if not 1 <= case.exempt_paragraph <= 7:
        return "the exempt paragraph must be one of 1 to 7 of Schedule 12A"
    need = ctx.settings.private_notice_clear_days
    if timerules.notice_in_time(case.private_notice_published_on, meeting, need, ctx.today):
        return None
    latest = timerules.latest_notice_date(meeting, need)
    return (
        f"an exempt item needs a private-meeting notice by {_fmt(latest)} ({need} clear days "
        "before the meeting)"
        + _future_note("private-meeting notice", case.private_notice_published_on, ctx.today)
    )


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
    """The delegate is a user holding the executive role."""
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
    """The consultee, if any, holds the cabinet_member role."""
    cid = ctx.payload.consultee_id
    if cid is None:
        return None
    consultee = ctx.people.get(cid)
    if consultee is None:
        return f"the consultee (user {cid}) does not exist"
    if not consultee.active:
        return f"the consultee {consultee.name} has been deactivated"
    if not consultee.has_role(Role.cabinet_member):
        return f"the consultee {consultee.name} does not hold the cabinet_member role"
    return None


# --- call_in, sign_off, extend, expire ----------------------------------------------------


def call_in_end_of(ctx: GuardContext) -> date | None:
    resolution = ctx.resolution
    if resolution is None or resolution.notice_published_on is None:
        return None
    return timerules.call_in_end(resolution.notice_published_on, ctx.settings.call_in_working_days)


@guard("within_call_in_period")
def within_call_in_period(ctx: GuardContext) -> str | None:
    """The call-in period has not ended, and the decision was not taken as urgent."""
    if ctx.resolution is not None and ctx.resolution.urgent_reason:
        return "the decision was taken as urgent and is not subject to call-in"
    end = call_in_end_of(ctx)
    if end is None:
        return "there is no published decision to call in"
    if ctx.today > end:
        return f"the call-in period ended on {_fmt(end)}"
    return None


@guard("call_in_period_over")
def call_in_period_over(ctx: GuardContext) -> str | None:
    """The call-in period is over, unless Cabinet marked the decision urgent with a reason."""
    if ctx.resolution is not None and ctx.resolution.urgent_reason:
        return None
    end = call_in_end_of(ctx)
    if end is None:
        return "no decision notice has been published"
    start = timerules.implementable_from(end)
    if ctx.today < start:
        return (
            f"the call-in period ends on {_fmt(end)}; the decision may be implemented "
            f"from {_fmt(start)}"
        )
    return None


@guard("consultation_recorded")
def consultation_recorded(ctx: GuardContext) -> str | None:
    """The named consultee was consulted since the case last entered delegated approval."""
    delegation = ctx.delegation
    if delegation is None or delegation.consultee_id is None:
        return None
    since = ctx.case.entered_delegated_at
    for c in ctx.consultations:
        if c.consultee_id == delegation.consultee_id and (since is None or c.recorded_at >= since):
            return None
    consultee = ctx.people.get(delegation.consultee_id)
    who = consultee.name if consultee else f"user {delegation.consultee_id}"
    return f"no consultation with {who} has been recorded since the case entered delegated approval"


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


@guard("end_date_passed")
def end_date_passed(ctx: GuardContext) -> str | None:
    """The agreements' end date has passed."""
    end = ctx.case.term_end or max((a.end_date for a in ctx.agreements), default=None)
    if end is None:
        return "the case has no end date"
    if ctx.today <= end:
        return f"the agreement runs until {_fmt(end)}"
    return None
