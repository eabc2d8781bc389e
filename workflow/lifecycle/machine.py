"""The state machine of SPEC §3, defined once.

``TRANSITIONS`` is the table the API, the web pages, the diagram and the tests all read. One
module-level ``transitions.Machine`` is built from it and fired on a small state holder per
event (``machine.events[name].trigger(holder)``, by ``workflow.lifecycle.decision.decide``):
never a machine per row, and the machine's own conditions run the guards, so nothing can move a
case without them. What the machine owns and what it does not: CONVENTIONS.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from workflow.lifecycle import guards as g
from workflow.lifecycle.guards import Guard, GuardContext
from workflow.models import State


@dataclass(frozen=True)
class Who:
    """Who may fire an event, in the council's words, and the check."""

    description: str
    check: Callable[[GuardContext], bool]


def _is_author(ctx: GuardContext) -> bool:
    return ctx.actor is not None and ctx.actor.id == ctx.case.author_id


def _has(role: str) -> Callable[[GuardContext], bool]:
    return lambda ctx: ctx.actor is not None and ctx.actor.has_role(role)


def _author_or_directorate_officer(ctx: GuardContext) -> bool:
    actor = ctx.actor
    return _is_author(ctx) or (
        actor is not None
        and actor.has_role("officer")
        and actor.directorate is not None
        and actor.directorate == ctx.case.directorate
    )


def _named_delegate(ctx: GuardContext) -> bool:
    return (
        ctx.actor is not None
        and ctx.delegation is not None
        and ctx.actor.id == ctx.delegation.delegate_id
    )


def _scheduler(ctx: GuardContext) -> bool:
    return ctx.actor is not None and ctx.actor.is_system


AUTHOR_OR_DIRECTORATE_OFFICER = Who(
    "the case's author, or any officer of its directorate", _author_or_directorate_officer
)
DEMOCRATIC_SERVICES = Who("democratic services", _has("democratic_services"))
SCRUTINY = Who("scrutiny", _has("scrutiny"))
NAMED_DELEGATE = Who("only the named delegate", _named_delegate)
OFFICER = Who("an officer", _has("officer"))
SCHEDULER = Who("the scheduler only", _scheduler)
AUTHOR_OR_ADMIN = Who("the author, or an admin", lambda ctx: _is_author(ctx) or _has("admin")(ctx))


@dataclass(frozen=True)
class Route:
    """Which of an event's rows applies, when one event leads to different states (issue 12:
    a delegate's key decision subject to call-in waits for it; scrutiny, or full Council on
    its referral, sends a decision back to whoever made it). Not a guard: a route that does
    not apply refuses nothing, the next row is tried, and only the applying row's guards give
    reasons."""

    description: str
    check: Callable[[GuardContext], bool]

    def negated(self, description: str) -> Route:
        return Route(description, lambda ctx: not self.check(ctx))


@dataclass(frozen=True)
class TransitionSpec:
    event: str
    sources: tuple[State, ...]
    dest: State
    who: Who
    guards: tuple[Guard, ...] = field(default_factory=tuple)
    description: str = ""
    when: Route | None = None


OFFICER_CALL_IN = Route(
    "the sign-off is an officer key decision the constitution makes subject to call-in",
    g.officer_call_in_applies,
)
OFFICER_DECISION_CALLED_IN = Route(
    "the decision called in is the delegate's key decision", g.officer_decision_called_in
)
CABINET_DECISION_CALLED_IN = OFFICER_DECISION_CALLED_IN.negated(
    "the decision called in is Cabinet's"
)
SIGN_OFF_GUARDS = (
    g.term_is_delegated,
    g.no_officer_decision_waiting,
    g.call_in_period_over,
    g.consultation_recorded,
    g.term_within_envelope,
    g.signer_not_author,
    g.sign_off_key_decision_notice,
    g.lawful_modification,
    g.contract_change_notice_published,
)


S = State
TRANSITIONS: tuple[TransitionSpec, ...] = (
    TransitionSpec(
        "submit",
        (S.drafted,),
        S.cabinet_consideration,
        AUTHOR_OR_DIRECTORATE_OFFICER,
        (
            g.report_complete,
            g.meeting_date_set,
            g.agenda_deadline_not_passed,
            g.key_decision_marked,
            g.key_decision_notice,
            g.exempt_notice,
            g.private_further_notice,
        ),
        "send the report to Cabinet",
    ),
    TransitionSpec(
        "defer",
        (S.cabinet_consideration,),
        S.cabinet_consideration,
        DEMOCRATIC_SERVICES,
        (
            g.meeting_date_not_past,
            # SI 2012/2089 regs 5, 7 and 9 apply to the meeting it moves to (issue 11).
            g.for_new_meeting(g.agenda_deadline_not_passed),
            g.for_new_meeting(g.key_decision_notice),
            g.for_new_meeting(g.exempt_notice),
            g.for_new_meeting(g.private_further_notice),
        ),
        "Cabinet defers the item to a meeting, or later on the same agenda",
    ),
    TransitionSpec(
        "refer_back",
        (S.cabinet_consideration,),
        S.drafted,
        DEMOCRATIC_SERVICES,
        (),
        "Cabinet sends the report back to its author",
    ),
    TransitionSpec(
        "approve",
        (S.cabinet_consideration,),
        S.delegated_approval,
        DEMOCRATIC_SERVICES,
        (
            g.decided_not_in_future,
            g.decided_at_meeting,
            g.notice_after_decision,
            g.private_further_notice,
            g.urgent_decision_agreed,
            g.delegate_is_executive,
            g.delegate_is_not_author,
            g.consultee_is_cabinet_member,
            g.delegation_beyond_cabinet_term,
            g.lawful_modification,
        ),
        "record Cabinet's resolution and what it delegated",
    ),
    TransitionSpec(
        "reject",
        (S.cabinet_consideration,),
        S.rejected,
        DEMOCRATIC_SERVICES,
        (g.decided_not_in_future, g.decided_at_meeting),
        "record that Cabinet rejected the proposal",
    ),
    TransitionSpec(
        "call_in",
        (S.delegated_approval,),
        S.called_in,
        SCRUTINY,
        (g.within_call_in_period, g.enough_members_call_in),
        "scrutiny members, as many as the constitution asks for, call the decision in",
    ),
    # The overview and scrutiny committee's outcome, recorded by democratic services
    # (Local Government Act 2000 s.9F(2); issue 12, fault 7).
    TransitionSpec(
        "no_further_action",
        (S.called_in,),
        S.delegated_approval,
        DEMOCRATIC_SERVICES,
        (),
        "scrutiny takes no further action: the decision may be implemented at once",
    ),
    TransitionSpec(
        "refer_back_to_decision_maker",
        (S.called_in,),
        S.cabinet_consideration,
        DEMOCRATIC_SERVICES,
        (),
        "scrutiny refers the decision back to Cabinet to reconsider",
        when=CABINET_DECISION_CALLED_IN,
    ),
    TransitionSpec(
        "refer_back_to_decision_maker",
        (S.called_in,),
        S.delegated_approval,
        DEMOCRATIC_SERVICES,
        (),
        "scrutiny refers the delegate's key decision back to the delegate to reconsider",
        when=OFFICER_DECISION_CALLED_IN,
    ),
    # LGA 2000 s.9F(2)(a) and (4)(b): scrutiny may review any executive decision made but not
    # implemented, Cabinet's or a delegate's, and arrange for the authority to review it; so
    # one row for both, whichever decision was called in (issue 12, fault 7).
    TransitionSpec(
        "refer_to_council",
        (S.called_in,),
        S.council_consideration,
        DEMOCRATIC_SERVICES,
        (),
        "scrutiny refers the decision (Cabinet's, or the delegate's key decision) to full "
        "Council, which decides at its meeting",
    ),
    # Full Council's decision on the referral (LGA 2000 s.9F(4)), recorded by democratic
    # services: the decision stands and takes effect at once, or goes back to whoever made it
    # with Council's view, to be reconsidered (and not called in again; s.9F(4)(a)).
    TransitionSpec(
        "council_decides",
        (S.council_consideration,),
        S.delegated_approval,
        DEMOCRATIC_SERVICES,
        (g.council_met_after_referral,),
        "full Council decides: Cabinet's decision takes effect at once",
        when=CABINET_DECISION_CALLED_IN,
    ),
    TransitionSpec(
        "council_decides",
        (S.council_consideration,),
        S.active,
        DEMOCRATIC_SERVICES,
        (g.council_met_after_referral,),
        "full Council decides: the delegate's key decision takes effect at once, the term "
        "signed off starting",
        when=OFFICER_DECISION_CALLED_IN,
    ),
    TransitionSpec(
        "council_refers_back",
        (S.council_consideration,),
        S.cabinet_consideration,
        DEMOCRATIC_SERVICES,
        (g.council_met_after_referral,),
        "full Council refers Cabinet's decision back to Cabinet with its view, to reconsider",
        when=CABINET_DECISION_CALLED_IN,
    ),
    TransitionSpec(
        "council_refers_back",
        (S.council_consideration,),
        S.delegated_approval,
        DEMOCRATIC_SERVICES,
        (g.council_met_after_referral,),
        "full Council refers the delegate's key decision back to the delegate with its view, "
        "to reconsider",
        when=OFFICER_DECISION_CALLED_IN,
    ),
    TransitionSpec(
        "sign_off",
        (S.delegated_approval,),
        S.delegated_approval,
        NAMED_DELEGATE,
        SIGN_OFF_GUARDS,
        "the delegate takes a key decision subject to call-in: its term starts when call-in "
        "is over",
        when=OFFICER_CALL_IN,
    ),
    TransitionSpec(
        "sign_off",
        (S.delegated_approval,),
        S.active,
        NAMED_DELEGATE,
        SIGN_OFF_GUARDS,
        "the delegate approves a term within the envelope",
        when=OFFICER_CALL_IN.negated("the sign-off takes effect at once"),
    ),
    TransitionSpec(
        "extend",
        (S.active,),
        S.delegated_approval,
        OFFICER,
        (g.envelope_has_months_left, g.extension_within_envelope, g.lawful_modification),
        "ask the delegate for a further term within the envelope",
    ),
    TransitionSpec(
        "expire",
        (S.active,),
        S.expired,
        SCHEDULER,
        (g.end_date_passed,),
        "the agreement's end date has passed",
    ),
    TransitionSpec(
        "implement",
        (S.delegated_approval,),
        S.active,
        SCHEDULER,
        (g.cabinet_term_to_start, g.call_in_period_over, g.contract_change_notice_published),
        "Cabinet's own term, or the delegate's key decision, starts once call-in is over "
        "(issue 12) and its contract change notice's standstill has ended (issue 9)",
    ),
    TransitionSpec(
        "decline",
        (S.delegated_approval,),
        S.declined,
        NAMED_DELEGATE,
        (g.no_decision_awaiting_call_in, g.no_term_signed_off),
        "the delegate declines to approve any term, with reasons; the case ends",
    ),
    TransitionSpec(
        "decline_further",
        (S.delegated_approval,),
        S.active,
        NAMED_DELEGATE,
        (g.no_decision_awaiting_call_in, g.term_running),
        "the delegate declines a further term, with reasons; the current term runs to its end",
    ),
    TransitionSpec(
        "lapse",
        (S.delegated_approval,),
        S.lapsed,
        SCHEDULER,
        (g.time_to_use_envelope_passed,),
        "the envelope lapses unused: the day its next term would have started has passed",
    ),
    TransitionSpec(
        "withdraw",
        (S.drafted, S.cabinet_consideration),
        S.withdrawn,
        AUTHOR_OR_ADMIN,
        (),
        "the author withdraws the proposal",
    ),
)

# An event's first row: who may fire it and what it does, in the council's words. An event
# with several rows (``Route``) leads to the state of the row whose route applies.
EVENTS: dict[str, TransitionSpec] = {}
for _row in TRANSITIONS:
    EVENTS.setdefault(_row.event, _row)
SOURCES: dict[str, frozenset[State]] = {
    name: frozenset(s for t in TRANSITIONS if t.event == name for s in t.sources) for name in EVENTS
}
STATES: tuple[State, ...] = tuple(State)
END_STATES: frozenset[State] = frozenset({S.expired, S.rejected, S.withdrawn, S.declined, S.lapsed})


class CaseStateHolder:
    """What the machine moves: a state and the context its guards read."""

    def __init__(self, state: str, context: GuardContext) -> None:
        self.state = state
        self.context = context
        self.failures: list[tuple[str, str]] = []
        self.routed = False  # some row's route applied (``Route``)


def failing_guards(spec: TransitionSpec, ctx: GuardContext) -> list[tuple[str, str]]:
    """Every guard of ``spec`` that fails now, as (name, reason)."""
    out = []
    for guard in spec.guards:
        reason = guard.failure(ctx)
        if reason is not None:
            out.append((guard.name, reason))
    return out


def _guards_pass(spec: TransitionSpec) -> Callable[[Any], bool]:
    """The machine's condition for one row: its route applies and its guards pass. The
    failures kept are those of the row whose route applied."""

    def condition(event_data: Any) -> bool:
        holder: CaseStateHolder = event_data.model
        if spec.when is not None and not spec.when.check(holder.context):
            return False
        holder.routed = True
        holder.failures = failing_guards(spec, holder.context)
        return not holder.failures

    return condition


machine = Machine(
    model=None,
    states=[s.value for s in STATES],
    transitions=[
        {
            "trigger": t.event,
            "source": [s.value for s in t.sources],
            "dest": t.dest.value,
            "conditions": [_guards_pass(t)],
        }
        for t in TRANSITIONS
    ],
    initial=S.drafted.value,
    auto_transitions=False,
    send_event=True,
    ignore_invalid_triggers=False,
)


def events_from(state: str) -> list[str]:
    return [name for name in EVENTS if state in SOURCES[name]]


def describe() -> dict[str, Any]:
    """The machine as data, for ``GET /workflow`` (SPEC §7: states, events, transitions, guards
    and a Mermaid diagram).

    ``events`` is the table row by row; ``transitions`` spells it out one arrow per source
    state, and ``guards`` one entry per guard and event it guards, so a client can read either
    way without unpacking the other.
    """
    return {
        "states": [s.value for s in STATES],
        "initial": S.drafted.value,
        "end_states": sorted(s.value for s in END_STATES),
        "transitions": [
            {"event": t.event, "source": source.value, "dest": t.dest.value}
            for t in TRANSITIONS
            for source in t.sources
        ],
        "guards": [
            {"name": name, "description": description, "event": event}
            for (event, name), description in {
                (t.event, gd.name): gd.description for t in TRANSITIONS for gd in t.guards
            }.items()
        ],
        "events": [
            {
                "event": t.event,
                "sources": [s.value for s in t.sources],
                "dest": t.dest.value,
                "who": t.who.description,
                "description": t.description,
                # Which of an event's rows applies (``Route``); None for an event of one row.
                "when": t.when.description if t.when is not None else None,
                "guards": [{"name": gd.name, "description": gd.description} for gd in t.guards],
            }
            for t in TRANSITIONS
        ],
        "mermaid": mermaid(),
    }


def mermaid(current: str | None = None) -> str:
    """A Mermaid state diagram of the table, with ``current`` highlighted if given."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.drafted.value}"]
    for t in TRANSITIONS:
        for source in t.sources:
            lines.append(f"    {source.value} --> {t.dest.value}: {t.event}")
    for end in sorted(s.value for s in END_STATES):
        lines.append(f"    {end} --> [*]")
    if current is not None:
        lines.append("    classDef current fill:#ffdd00,stroke:#0b0c0c,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines)
