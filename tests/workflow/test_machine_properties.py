"""The machine itself: its table is SPEC §3's, every reading of it (``transitions``, the
Mermaid diagram, ``describe()``) says the same, one module-level machine serves every case,
and random sequences of events by random people keep its promises (hypothesis)."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import transitions
from casework import CAST, START_OF_TESTS, Snapshot, consult, new_case, snapshot, to_active
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.errors import DomainError, Forbidden, InvalidInput, TransitionRefused
from workflow.lifecycle import machine as m
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.events import events_allowed, fire
from workflow.models import AuditEvent, User
from workflow.settings import Settings

# SPEC §3, written out here by hand so that a change to the table has to change this too.
SPEC_TABLE = {
    ("submit", "drafted", "cabinet_consideration"),
    ("defer", "cabinet_consideration", "cabinet_consideration"),
    ("refer_back", "cabinet_consideration", "drafted"),
    ("approve", "cabinet_consideration", "delegated_approval"),
    ("reject", "cabinet_consideration", "rejected"),
    # Issue 12, fault 7: called in, then the scrutiny committee's outcome.
    ("call_in", "delegated_approval", "called_in"),
    ("no_further_action", "called_in", "delegated_approval"),
    ("refer_back_to_decision_maker", "called_in", "cabinet_consideration"),
    ("refer_to_council", "called_in", "council_consideration"),
    # Issue 12: full Council's decision on the referral: Cabinet's decision stands (and the
    # delegate may act) or goes back to Cabinet; the delegate's key decision takes effect
    # (its term starts) or goes back to the delegate.
    ("council_decides", "council_consideration", "delegated_approval"),
    ("council_refers_back", "council_consideration", "cabinet_consideration"),
    ("council_decides", "council_consideration", "active"),
    ("council_refers_back", "council_consideration", "delegated_approval"),
    ("sign_off", "delegated_approval", "active"),
    # Issue 12: an officer key decision subject to call-in waits for it (``implement``), and
    # scrutiny refers it back to the delegate.
    ("sign_off", "delegated_approval", "delegated_approval"),
    ("refer_back_to_decision_maker", "called_in", "delegated_approval"),
    ("extend", "active", "delegated_approval"),
    ("expire", "active", "expired"),
    ("withdraw", "drafted", "withdrawn"),
    ("withdraw", "cabinet_consideration", "withdrawn"),
    # Issue 12, fault 3: ways out of delegated approval.
    ("decline", "delegated_approval", "declined"),
    ("decline_further", "delegated_approval", "active"),
    ("lapse", "delegated_approval", "lapsed"),
    # Issue 12, fault 1: Cabinet's own term starts when call-in is over.
    ("implement", "delegated_approval", "active"),
}
SPEC_GUARDS = {
    "submit": [
        "report_complete",
        "meeting_date_set",
        "agenda_deadline_not_passed",
        "key_decision_marked",
        "key_decision_notice",
        "exempt_notice",
        "private_further_notice",
    ],
    # Issue 11: a deferral to another meeting reruns submit's meeting checks for it.
    "defer": [
        "meeting_date_not_past",
        "agenda_deadline_not_passed",
        "key_decision_notice",
        "exempt_notice",
        "private_further_notice",
    ],
    "refer_back": [],
    "approve": [
        "decided_not_in_future",
        "decided_at_meeting",
        "notice_after_decision",
        "private_further_notice",
        "urgent_decision_agreed",
        "delegate_is_executive",
        "delegate_is_not_author",
        "consultee_is_cabinet_member",
        "delegation_beyond_cabinet_term",
        "lawful_modification",
    ],
    "reject": ["decided_not_in_future", "decided_at_meeting"],
    "call_in": ["within_call_in_period", "enough_members_call_in"],
    "no_further_action": [],
    "refer_back_to_decision_maker": [],
    "refer_to_council": [],
    "council_decides": ["council_met_after_referral"],
    "council_refers_back": ["council_met_after_referral"],
    "sign_off": [
        "term_is_delegated",
        "no_officer_decision_waiting",
        "call_in_period_over",
        "consultation_recorded",
        "term_within_envelope",
        "signer_not_author",
        "sign_off_key_decision_notice",
        "lawful_modification",
        "contract_change_notice_published",  # PA 2023 ss.75-76 (SPEC §9)
    ],
    "extend": ["envelope_has_months_left", "extension_within_envelope", "lawful_modification"],
    "expire": ["end_date_passed"],
    "withdraw": [],
    # A signed-off decision awaiting call-in is not declined (issue 12).
    "decline": ["no_decision_awaiting_call_in", "no_term_signed_off"],
    "decline_further": ["no_decision_awaiting_call_in", "term_running"],
    "lapse": ["time_to_use_envelope_passed"],
    "implement": [
        "cabinet_term_to_start",
        "call_in_period_over",
        "contract_change_notice_published",
    ],
}
STATES = {
    "drafted",
    "cabinet_consideration",
    "delegated_approval",
    "active",
    "expired",
    "rejected",
    "withdrawn",
    "declined",
    "lapsed",
    "called_in",
    "council_consideration",
}
ENDS = {"expired", "rejected", "withdrawn", "declined", "lapsed"}


def table() -> set[tuple[str, str, str]]:
    return {(t.event, s.value, t.dest.value) for t in m.TRANSITIONS for s in t.sources}


def test_the_table_is_spec_3() -> None:
    assert table() == SPEC_TABLE
    assert {t.event: [g.name for g in t.guards] for t in m.TRANSITIONS} == SPEC_GUARDS
    assert set(m.STATES) == STATES
    assert m.END_STATES == ENDS
    # Every state but the ends can be left; nothing leaves an end.
    sources = {source for _, source, _ in SPEC_TABLE}
    assert sources == STATES - ENDS


def test_the_transitions_machine_is_built_from_the_table_and_nothing_else() -> None:
    machine = m.machine
    assert set(machine.states) == STATES
    assert set(machine.events) == set(SPEC_GUARDS)  # no auto "to_<state>" triggers
    built = {
        (name, source, t.dest)
        for name, event in machine.events.items()
        for source, ts in event.transitions.items()
        for t in ts
    }
    assert built == SPEC_TABLE


def test_the_mermaid_diagram_draws_exactly_the_table() -> None:
    lines = m.mermaid().splitlines()
    assert lines[0] == "stateDiagram-v2"
    arrows = [re.fullmatch(r"    (\S+) --> (\S+?)(?:: (\S+))?", line) for line in lines[1:]]
    assert all(arrows), lines
    drawn = {(a[3], a[1], a[2]) for a in arrows if a and a[3]}
    assert drawn == SPEC_TABLE
    assert len([a for a in arrows if a and a[3]]) == len(SPEC_TABLE)  # none drawn twice
    plain = {(a[1], a[2]) for a in arrows if a and not a[3]}
    assert plain == {("[*]", "drafted")} | {(end, "[*]") for end in ENDS}
    highlighted = m.mermaid(current="active").splitlines()
    assert highlighted[: len(lines)] == lines
    assert highlighted[-1] == "    class active current"


def test_the_readme_draws_the_machine() -> None:
    """The README's diagram is the machine's own, so a new row cannot leave it behind."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    drawn = re.search(r"```mermaid\n(.*?)```", readme, re.S)
    assert drawn is not None
    assert drawn[1].strip() == m.mermaid()


def test_describe_lists_exactly_the_table() -> None:
    described = m.describe()
    assert set(described["states"]) == STATES
    assert set(described["end_states"]) == ENDS
    assert described["initial"] == "drafted"
    listed = {(e["event"], s, e["dest"]) for e in described["events"] for s in e["sources"]}
    assert listed == SPEC_TABLE
    assert {e["event"]: [g["name"] for g in e["guards"]] for e in described["events"]} == (
        SPEC_GUARDS
    )
    assert all(e["who"] and e["description"] for e in described["events"])
    # An event of several rows names when each applies (``Route``); one of one row does not.
    routed = {e["event"] for e in described["events"] if e["when"] is not None}
    assert routed == {
        t.event for t in m.TRANSITIONS if sum(u.event == t.event for u in m.TRANSITIONS) > 1
    }
    assert described["mermaid"] == m.mermaid()


def test_describe_spells_out_transitions_and_guards() -> None:
    """SPEC §7 pins ``GET /workflow`` to states, events, transitions, guards and a diagram."""
    described = m.describe()
    assert {"states", "events", "transitions", "guards", "mermaid"} <= described.keys()
    arrows = [(t["event"], t["source"], t["dest"]) for t in described["transitions"]]
    assert set(arrows) == SPEC_TABLE
    assert len(arrows) == len(SPEC_TABLE)  # one per event and source, none twice
    assert all(set(t) == {"event", "source", "dest"} for t in described["transitions"])
    guarded: dict[str, list[str]] = {event: [] for event in SPEC_GUARDS}
    for gd in described["guards"]:
        assert set(gd) == {"name", "description", "event"} and gd["description"]
        guarded[gd["event"]].append(gd["name"])
    assert guarded == SPEC_GUARDS


@contextmanager
def machines_built() -> Iterator[list[Any]]:
    """Count every ``transitions.Machine`` (or subclass) constructed inside the block."""
    built: list[Any] = []
    original = transitions.Machine.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    transitions.Machine.__init__ = counting  # type: ignore[method-assign]
    try:
        yield built
    finally:
        transitions.Machine.__init__ = original  # type: ignore[method-assign]


def live_machines() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, transitions.Machine))


def test_one_module_level_machine_serves_every_case(
    work: Any, clock: FrozenClock, people: dict[str, User]
) -> None:
    assert isinstance(m.machine, transitions.Machine)
    before = live_machines()
    with machines_built() as built:
        with work() as ctx:
            first, second = new_case(ctx, people), new_case(ctx, people)
        to_active(work, clock, people, first)
        with work() as ctx:
            fire(ctx, second, "withdraw", people["officer"], {"reason": "r"})
            with pytest.raises(TransitionRefused):
                fire(ctx, second, "submit", people["officer"])
    assert built == []
    assert live_machines() == before


def test_the_counter_sees_a_machine_being_built() -> None:
    with machines_built() as built:
        transitions.Machine(states=["a", "b"], initial="a")
    assert len(built) == 1


# --- random sequences -----------------------------------------------------------------------

NATURAL = {
    "submit": "officer",
    "defer": "clerk",
    "refer_back": "clerk",
    "approve": "clerk",
    "reject": "clerk",
    "call_in": "scrutiny",
    "sign_off": "executive",
    "extend": "officer",
    "expire": "system",
    "withdraw": "officer",
    "decline": "executive",
    "decline_further": "executive",
    "lapse": "system",
    "implement": "system",
    "no_further_action": "clerk",
    "refer_back_to_decision_maker": "clerk",
    "refer_to_council": "clerk",
    "council_decides": "clerk",
    "council_refers_back": "clerk",
}
ACTORS = list(CAST)


SCRUTINY_AND_COUNCIL = {
    "no_further_action": ("met_on", "reasons"),
    "refer_back_to_decision_maker": ("met_on", "reasons"),
    "refer_to_council": ("met_on", "reasons"),
    "council_decides": ("met_on", "reasons", "resolution"),
    "council_refers_back": ("met_on", "reasons", "resolution"),
}


def decided_on(variant: int, today: date, meeting: date | None) -> date:
    """The day of a decision: the meeting's, once it has come, but for a few variants."""
    if meeting is not None and meeting <= today and variant % 5 != 4:
        return meeting
    return today - timedelta(days=variant % 3)


def payload(
    event: str, variant: int, today: date, people: dict[str, User], meeting: date | None = None
) -> dict[str, Any]:
    """A payload for ``event``: mostly good ones, some refused by a guard, some malformed.
    Cabinet decides at its meeting (``decided_at_meeting``), so most decisions are dated the
    case's meeting day, and a few some other day."""
    months = [6, 6, 12, 3, 1, 13, 7, 6, 0, 6][variant]
    past = decided_on(variant, today, meeting)
    if event == "defer":
        later = today + timedelta(days=[0, 7, 28, -1, 14, 0, 35, 7, 3, 0][variant])
        return {"reason": "r", "meeting_date": later.isoformat()} if variant != 9 else {}
    if event == "approve":
        body: dict[str, Any] = {
            "resolution": "Approved.",
            "decided_on": past.isoformat(),
            "notice_published_on": today.isoformat(),
            "delegate_id": people["executive"].id,
            "consultee_id": people["cabinet_member"].id if variant % 4 else None,
            "max_months": [None, 12, 6, 12, 24, 12, 12, 12, 12, 12][variant],
        }
        if variant == 3:
            body["urgent_reason"] = "Services stop otherwise."
            body["urgent_agreed_by_id"] = people["scrutiny"].id
        elif variant == 6:
            body["delegate_id"] = people["colleague"].id
        elif variant == 7:
            body["consultee_id"] = people["viewer"].id
        elif variant == 8:
            body["decided_on"] = (today + timedelta(days=1)).isoformat()
        elif variant == 9:
            del body["delegate_id"]
        return body
    if event == "reject":
        return {"resolution": "No.", "decided_on": past.isoformat()} if variant != 9 else {}
    if event in ("sign_off", "extend"):
        return {"months": months, "reasons": "r"}
    if event in SCRUTINY_AND_COUNCIL:
        # Full Council's decision has its resolution too.
        met = {"met_on": today.isoformat(), "reasons": "r", "resolution": "Resolved."}
        return {k: met[k] for k in SCRUTINY_AND_COUNCIL[event]} if variant != 9 else {}
    if event in ("decline", "decline_further"):
        return {"reasons": "r" if variant != 9 else ""}
    if event in ("refer_back", "call_in", "withdraw"):
        return {"reason": "r" if variant != 9 else ""}
    return {} if variant != 9 else {"unexpected": True}


any_step = st.one_of(
    st.tuples(
        st.just("fire"),
        st.sampled_from(sorted(NATURAL)),
        st.one_of(st.just("natural"), st.sampled_from(ACTORS)),
        st.integers(0, 9),
    ),
    st.tuples(st.just("consult"), st.sampled_from(["executive", "cabinet_member", "viewer"])),
    st.tuples(st.just("wait"), st.sampled_from([1, 3, 7, 30, 100, 200])),
)

# Steps that tend to move a case on from each state, so that random walks reach every state
# rather than mostly ending in an early withdrawal.
ONWARD: dict[str, list[tuple[Any, ...]]] = {
    "drafted": [("fire", "submit", "natural", 0)],
    "cabinet_consideration": [
        *(("fire", "approve", "natural", v) for v in (0, 1, 2, 3, 4)),
    ],
    "delegated_approval": [
        ("consult", "executive"),
        ("wait", 10),
        ("fire", "call_in", "natural", 0),
        *(("fire", "sign_off", "natural", v) for v in (0, 2, 3)),
    ],
    "active": [("fire", "extend", "natural", 0), ("wait", 200), ("fire", "expire", "natural", 0)],
    "called_in": [
        ("fire", "no_further_action", "natural", 0),
        ("fire", "refer_back_to_decision_maker", "natural", 0),
        ("fire", "refer_to_council", "natural", 0),
    ],
    "council_consideration": [
        ("fire", "council_decides", "natural", 0),
        ("fire", "council_refers_back", "natural", 0),
    ],
}


def next_step(
    state: str, before_meeting: bool, officer_waiting: bool
) -> st.SearchStrategy[tuple[Any, ...]]:
    """Mostly a step onward from ``state``; before the meeting, Cabinet waits for it (it
    decides at its meeting, ``decided_at_meeting``); a delegate's key decision awaiting
    call-in is mostly called in, so scrutiny's and Council's routes for it are walked."""
    onward = ONWARD.get(state)
    if state == "cabinet_consideration" and before_meeting:
        onward = [("wait", 7), ("wait", 30)]
    if state == "delegated_approval" and officer_waiting:
        onward = [("fire", "call_in", "natural", 0), ("wait", 3)]
    if onward is None:
        return any_step
    onward_step = st.sampled_from(onward)
    return st.one_of(onward_step, onward_step, onward_step, any_step)


@contextmanager
def unit(engine: Engine, clock: FrozenClock, settings: Settings) -> Iterator[Ctx]:
    with unit_of_work(engine) as session:
        yield Ctx(session, clock, settings)


def added_events(before: Snapshot, after: Snapshot, engine: Engine) -> list[tuple[Any, ...]]:
    """The audit events a step appended to the case: (event, from_state, to_state)."""
    assert after.audit_ids[: len(before.audit_ids)] == before.audit_ids
    with Session(engine) as session:
        return [
            (e.event, e.from_state, e.to_state)
            for e in (session.get(AuditEvent, i) for i in after.audit_ids[len(before.audit_ids) :])
            if e is not None
        ]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(6, 24))
def test_random_sequences_keep_the_machines_promises(
    engine: Engine, settings: Settings, people: dict[str, User], data: Any, length: int
) -> None:
    walk(engine, settings, people, data, length)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(20, 40))
def test_random_sequences_keep_the_promises_where_officer_decisions_are_called_in(
    engine: Engine, settings: Settings, people: dict[str, User], data: Any, length: int
) -> None:
    """The same walk under a constitution that calls in the delegate's key decisions (issue
    12): a six-month sign-off of the case's £50,000 a year reaches the £20,000 threshold, so
    the routes of ``sign_off``, ``refer_back_to_decision_maker``, ``council_decides`` and
    ``council_refers_back`` for the delegate's decision are walked too. The case is a key
    decision on the forward plan, as its value now makes it."""
    officer_call_in = settings.model_copy(
        update={
            "officer_key_decisions_call_in": True,
            "sign_off_above_threshold_is_key_decision": True,
            "key_decision_threshold_pence": 20_000 * 100,
        }
    )
    key = {"key_decision": True, "forward_plan_published_on": date(2024, 7, 1)}
    walk(engine, officer_call_in, people, data, length, **key)


def walk(
    engine: Engine,
    settings: Settings,
    people: dict[str, User],
    data: Any,
    length: int,
    **case: Any,
) -> None:
    """A random walk of ``length`` steps from a new case, checking the machine's promises
    after each."""
    clock = FrozenClock(START_OF_TESTS)
    with unit(engine, clock, settings) as ctx:
        case_id = new_case(ctx, people, **case)

    with unit(engine, clock, settings) as ctx:
        after = snapshot(ctx, case_id)
    for _ in range(length):
        before = after  # nothing but these steps writes to the case
        with unit(engine, clock, settings) as ctx:
            case_now = get_case(ctx, case_id)
            meeting = case_now.meeting_date
            waiting = load(ctx, case_now).officer_decision is not None
        early = meeting is not None and clock.today() < meeting
        action = data.draw(next_step(before.state, early, waiting))
        hypothesis.event(f"visited {before.state}")
        assert before.state in STATES

        if action[0] == "wait":
            clock.advance(timedelta(days=action[1]))
            continue

        if action[0] == "consult":
            with unit(engine, clock, settings) as ctx:
                try:
                    consult(ctx, people, case_id, by=action[1])
                    error: DomainError | None = None
                except DomainError as exc:
                    error = exc
            with unit(engine, clock, settings) as ctx:
                after = snapshot(ctx, case_id)
            if error is None:
                assert (after.state, after.version) == (before.state, before.version + 1)
                assert added_events(before, after, engine) == [
                    ("consultation", before.state, before.state)
                ]
            else:
                assert after == before
            continue

        _, event, who, variant = action
        actor = people[NATURAL[event] if who == "natural" else who]
        with unit(engine, clock, settings) as ctx:
            allowed_before = events_allowed(ctx, load(ctx, get_case(ctx, case_id)), actor)
            assert set(allowed_before) <= set(m.events_from(before.state))
            body = payload(event, variant, ctx.today(), people, meeting)
            try:
                fire(ctx, case_id, event, actor, body)
                error = None
            except DomainError as exc:
                error = exc  # caught inside the unit of work, which then commits

        with unit(engine, clock, settings) as ctx:
            after = snapshot(ctx, case_id)
        spec = m.EVENTS[event]
        assert after.state in STATES
        if error is not None:
            assert after == before, f"{event} refused ({error.detail}) but changed the case"
            assert isinstance(error, TransitionRefused | Forbidden | InvalidInput), error
            if isinstance(error, TransitionRefused) and before.state not in {
                s.value for s in spec.sources
            }:
                assert error.guards == []
            if before.state in ENDS:
                assert not isinstance(error, Forbidden)
            continue
        assert before.state not in ENDS
        assert (event, before.state, after.state) in SPEC_TABLE
        hypothesis.event(f"{event}: {before.state} -> {after.state}")
        assert event in allowed_before  # accepted only what was on offer
        assert after.version == before.version + 1
        assert added_events(before, after, engine) == [(event, before.state, after.state)]

    with unit(engine, clock, settings) as ctx:
        final = get_case(ctx, case_id)
        if final.state in ENDS:
            bundle = load(ctx, final)
            assert all(events_allowed(ctx, bundle, people[a]) == [] for a in ACTORS)
        assert verify(ctx).ok
