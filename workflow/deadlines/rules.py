"""Which deadlines a case has in each state, and when they fall (SPEC §5).

A pure function of the case's facts and the settings: the service diffs its answer against
the stored deadlines on every transition and every change of the dates they depend on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from workflow import timerules
from workflow.lifecycle.guards import forward_plan_refusal
from workflow.models import Agreement, Case, DeadlineKind, Delegation, Resolution, State
from workflow.settings import Settings

K = DeadlineKind

DUTIES: frozenset[str] = frozenset(
    {
        K.forward_plan_notice,
        K.private_meeting_notice,
        K.agenda_publication,
        K.sign_off_due,
        K.extension_option_decision,
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
}


@dataclass(frozen=True)
class PlannedDeadline:
    kind: str
    due_on: date
    agreement_id: int | None = None
    done: bool = False

    @property
    def is_duty(self) -> bool:
        return self.kind in DUTIES

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.kind, self.agreement_id)


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


def plan(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    case, state = facts.case, State(facts.case.state)
    out: list[PlannedDeadline] = []
    if state in (State.drafted, State.cabinet_consideration):
        out += _before_cabinet(facts, settings)
    elif state == State.delegated_approval:
        out += _delegated(facts, settings)
    elif state == State.active:
        out += _active(facts, settings)
    else:
        return []
    out += [PlannedDeadline(K.agreement_end, a.end_date, a.id) for a in facts.agreements]
    if state in (State.delegated_approval, State.active) and facts.delegation is not None:
        out.append(PlannedDeadline(K.envelope_exhausted, facts.delegation.latest_end_date))
    del case
    return out


def _before_cabinet(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    case = facts.case
    meeting = case.meeting_date
    if meeting is None:
        return []
    out = []
    # A notice duty is done exactly when submit's guard would accept it: a notice dated in the
    # future, or too late for the clear days, leaves the duty open and its reminders running.
    if facts.is_key_decision:
        latest = timerules.latest_notice_date(meeting, settings.forward_plan_clear_days)
        out.append(
            PlannedDeadline(
                K.forward_plan_notice,
                timerules.duty_due_on(latest),
                done=forward_plan_refusal(case, settings, facts.today) is None,
            )
        )
    if case.exempt_paragraph is not None:
        need = settings.private_notice_clear_days
        latest = timerules.latest_notice_date(meeting, need)
        out.append(
            PlannedDeadline(
                K.private_meeting_notice,
                timerules.duty_due_on(latest),
                done=timerules.notice_in_time(
                    case.private_notice_published_on, meeting, need, facts.today
                ),
            )
        )
    latest_agenda = timerules.latest_agenda_date(meeting, settings.agenda_clear_working_days)
    out.append(
        PlannedDeadline(
            K.agenda_publication,
            timerules.duty_due_on(latest_agenda),
            # Submitted means the report is with democratic services for the agenda.
            done=case.state == State.cabinet_consideration,
        )
    )
    return out


def next_term_start(case: Case) -> date | None:
    """A first term starts on the proposal's start date; an extension the day after the end."""
    return timerules.next_term_start(case.term_end, case.proposal_start_date)


def _delegated(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    out = []
    resolution = facts.resolution
    if (
        resolution is not None
        and resolution.notice_published_on is not None
        and not resolution.urgent_reason
        and facts.case.term_end is None  # call-in applies to Cabinet's decision, not extensions
    ):
        out.append(
            PlannedDeadline(
                K.call_in_end,
                timerules.call_in_end(
                    resolution.notice_published_on, settings.call_in_working_days
                ),
            )
        )
    start = next_term_start(facts.case)
    if start is not None:
        out.append(
            PlannedDeadline(K.sign_off_due, timerules.duty_due_on(start - timedelta(days=1)))
        )
    return out


def _active(facts: CaseFacts, settings: Settings) -> list[PlannedDeadline]:
    case, delegation = facts.case, facts.delegation
    if delegation is None or case.term_end is None:
        return []
    if delegation.months_left(facts.months_used) <= 0:
        return []
    decide_by = timerules.add_months(case.term_end, -settings.extension_notice_months)
    return [PlannedDeadline(K.extension_option_decision, timerules.duty_due_on(decide_by))]
