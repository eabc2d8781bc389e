"""Cabinet's own term is a modification too (issues 9 and 12): its procurement notices.

A Procurement Act 2023 services contract worth £6m a year, awarded for 12 months from 1 Apr
2025 with six months of extension options, runs to 31 Mar 2026. Cabinet (Thu 11 Dec 2025,
notice Fri 12 Dec, call-in ends Fri 19 Dec) itself approves the six months from 1 Apr 2026
and delegates nothing. Six months of twelve change the term and the value by 50%, beyond
both limbs of s.75(2), so a contract change notice comes first (s.75(1)): it is due Thu 19
Mar 2026, for its standstill to end before the term starts. The scheduler may implement the
decision from Mon 22 Dec, but holds it back until the notice is published and its voluntary
standstill (s.76) is over; the case says why meanwhile. A light-touch contract owes no
contract change notice (s.75(6)(b)) and starts on Mon 22 Dec.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import Work, case_of, deadline_kinds, london, reminders_of
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.expiry import expire_overdue
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.deadlines.planning import facts_of
from workflow.deadlines.rules import procurement_now as deadlines_now
from workflow.errors import InvalidInput, TransitionRefused
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.decision import guard_context
from workflow.lifecycle.events import fire
from workflow.lifecycle.guards import procurement_now as guard_now
from workflow.lifecycle.procurement_notices import record_procurement_notice
from workflow.lifecycle.read import CaseOut, CaseScope
from workflow.models import Deadline, Resolution, User, pk
from workflow.schemas import CaseIn, NoticeIn, ProposalIn
from workflow.settings import Settings

from casework import ASC, complete_report, pa_agreement  # isort: skip

People = dict[str, User]

MEETING = date(2025, 12, 11)
NOTICE = date(2025, 12, 12)
TERM_START = date(2026, 4, 1)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(london(2025, 11, 3, 9))


def own_term_case(
    ctx: Ctx, people: People, months: int = 6, **agreement: Any
) -> tuple[int, list[int]]:
    """Two PA 2023 contracts, ``months`` proposed from 1 Apr 2026 on Sch 8 para 1."""
    ids = []
    for _ in range(2):
        a = pa_agreement(ctx, people["officer"], **agreement)
        ids.append(pk(a.id))
    case = create_case(
        ctx,
        CaseIn.model_validate(
            {
                "kind": "extension",
                "title": "Home care: six months while the service is re-procured",
                "directorate": ASC,
                "agreement_ids": ids,
                "meeting_date": MEETING,
                "agenda_item": "7",
                "key_decision": True,
                "forward_plan_published_on": date(2025, 11, 3),
                "proposal": ProposalIn(
                    start_date=TERM_START,
                    initial_months=6,
                    max_months=months,
                    ground="provided_for",
                ),
                "report": complete_report(),
            }
        ),
        people["officer"],
    )
    return pk(case.id), ids


def cabinet_approves_its_own_term(
    work: Work, clock: FrozenClock, people: People, case_id: int
) -> None:
    with work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])
    clock.travel_to(london(2025, 12, 12, 10))
    with work() as ctx:
        body = {
            "resolution": "Extend by six months from 1 April 2026.",
            "decided_on": MEETING,
            "notice_published_on": NOTICE,
            "cabinet_months": 6,
            "max_months": 6,
        }
        fire(ctx, case_id, "approve", people["clerk"], body)


def held_back(ctx: Ctx, case_id: int, viewer: User) -> list[tuple[str, str]]:
    ctx.session.expire_all()
    out: CaseOut = CaseScope(ctx, viewer).one(load(ctx, get_case(ctx, case_id)))
    return [(h.guard, h.reason) for h in out.held_back]


def ccn_deadlines(ctx: Ctx, case_id: int, kind: str) -> list[tuple[int | None, date, str]]:
    rows = ctx.session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind)
    ).all()
    return sorted((d.agreement_id, d.due_on, d.status) for d in rows if d.status != "cancelled")


def publish(ctx: Ctx, people: People, case_id: int, kind: str, on: date) -> None:
    data = NoticeIn.model_validate({"kind": kind, "published_on": on, "reference": "UK10-7"})
    record_procurement_notice(ctx, case_id, data, people["officer"])


def test_cabinets_own_term_waits_for_its_contract_change_notice_and_standstill(
    engine: Engine, work: Work, clock: FrozenClock, settings: Settings, people: People
) -> None:
    with work() as ctx:
        case_id, (a1, a2) = own_term_case(ctx, people)
    cabinet_approves_its_own_term(work, clock, people, case_id)
    refs = ", ".join(a.reference for a in load_agreements(work, case_id))

    # Delegated approval: the contract change notice of each contract is a duty with its
    # reminders, due Thu 19 Mar 2026 so that its standstill ends before Wed 1 Apr.
    with work() as ctx:
        assert ccn_deadlines(ctx, case_id, "contract_change_notice") == [
            (a1, date(2026, 3, 19), "open"),
            (a2, date(2026, 3, 19), "open"),
        ]
        assert [
            p for p, *_ in reminders_of(ctx, case_id, "contract_change_notice", agreement_id=a1)
        ] == [
            "reminder",
            "reminder",
            "reminder",
            "reminder",
            "escalation",
        ]
        assert "sign_off_due" not in deadline_kinds(ctx, case_id)
        # Call-in runs until Fri 19 Dec; the notice is missing too: both are said.
        assert held_back(ctx, case_id, people["officer"]) == [
            (
                "call_in_period_over",
                "the call-in period ends on Fri 19 Dec 2025; the decision may be implemented "
                "from Mon 22 Dec 2025",
            ),
            (
                "contract_change_notice_published",
                f"no contract change notice has been published for {refs} (Procurement Act "
                "2023 s.75(1): before modifying)",
            ),
        ]

    # Mon 22 Dec: call-in is over, but no notice is published: the scheduler's pass leaves the
    # case where it is, and the case says why; firing it refuses on the notice alone.
    clock.travel_to(london(2025, 12, 22, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "delegated_approval"
        assert [g for g, _ in held_back(ctx, case_id, people["officer"])] == [
            "contract_change_notice_published"
        ]
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "implement", people["system"])
    assert [g.name for g in refused.value.guards] == ["contract_change_notice_published"]

    # Published Mon 5 Jan 2026: eight working days end Wed 14 Jan; not before that.
    clock.travel_to(london(2026, 1, 5, 10))
    with work() as ctx:
        publish(ctx, people, case_id, "contract_change_notice", date(2026, 1, 5))
        assert {s for *_, s in ccn_deadlines(ctx, case_id, "contract_change_notice")} == {"done"}
        assert reminders_of(ctx, case_id, "contract_change_notice") == []
        assert ccn_deadlines(ctx, case_id, "standstill_end") == [
            (a1, date(2026, 1, 14), "open"),
            (a2, date(2026, 1, 14), "open"),
        ]
    clock.travel_to(london(2026, 1, 14, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "delegated_approval"
        assert held_back(ctx, case_id, people["officer"]) == [
            (
                "contract_change_notice_published",
                f"the voluntary standstill of the contract change notice for {refs} runs "
                "until 14/01/2026 (s.76); the modification may be made from 15/01/2026",
            )
        ]

    # Thu 15 Jan: the scheduler starts Cabinet's term; the modification it made owes its
    # s.77 publication (over £5m) within 90 days of taking effect on 1 Apr: by Mon 29 Jun.
    clock.travel_to(london(2026, 1, 15, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            TERM_START,
            date(2026, 9, 30),
        )
        assert held_back(ctx, case_id, people["officer"]) == []
        assert ccn_deadlines(ctx, case_id, "modification_publication") == [
            (a1, date(2026, 6, 29), "open"),
            (a2, date(2026, 6, 29), "open"),
        ]
        # No months are left: the contracts end on 30 Sep with no further term (s.80).
        assert ccn_deadlines(ctx, case_id, "termination_notice") == [
            (a1, date(2026, 10, 29), "open"),
            (a2, date(2026, 10, 29), "open"),
        ]
    # The publication follows the modification: not before the term takes effect.
    with work() as ctx, pytest.raises(InvalidInput) as bad:
        publish(ctx, people, case_id, "modification_publication", date(2026, 1, 15))
    assert "01/04/2026" in bad.value.problems[0].message


def load_agreements(work: Work, case_id: int) -> list[Any]:
    with work() as ctx:
        return list(load(ctx, get_case(ctx, case_id)).agreements)


def test_a_light_touch_contract_owes_no_contract_change_notice_and_starts_after_call_in(
    engine: Engine, work: Work, clock: FrozenClock, settings: Settings, people: People
) -> None:
    with work() as ctx:
        case_id, _ = own_term_case(ctx, people, light_touch=True)
    cabinet_approves_its_own_term(work, clock, people, case_id)
    with work() as ctx:
        kinds = deadline_kinds(ctx, case_id)
        assert "contract_change_notice" not in kinds
        assert [g for g, _ in held_back(ctx, case_id, people["officer"])] == ["call_in_period_over"]
    clock.travel_to(london(2025, 12, 22, 7))  # Mon: the first working day after call-in
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            TERM_START,
            date(2026, 9, 30),
        )
        kinds = deadline_kinds(ctx, case_id)
        assert "contract_change_notice" not in kinds
        assert "standstill_end" not in kinds
        assert kinds["termination_notice"] == {date(2026, 10, 29)}  # s.80: light touch too


def test_a_council_without_the_standstill_guard_starts_the_term_once_the_notice_is_out(
    engine: Engine, work: Work, clock: FrozenClock, settings: Settings, people: People
) -> None:
    settings.standstill_guard = False
    with work() as ctx:
        case_id, _ = own_term_case(ctx, people)
    cabinet_approves_its_own_term(work, clock, people, case_id)
    clock.travel_to(london(2026, 1, 5, 10))
    with work() as ctx:
        publish(ctx, people, case_id, "contract_change_notice", date(2026, 1, 5))
    clock.travel_to(london(2026, 1, 6, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "active"


# --- the guard and the deadlines read one approval ----------------------------------------


def both_nows(ctx: Ctx, case_id: int) -> tuple[Any, Any]:
    ctx.session.expire_all()
    bundle = load(ctx, get_case(ctx, case_id))
    return (
        guard_now(guard_context(ctx, bundle, None)),
        deadlines_now(facts_of(ctx, bundle, people={}), ctx.settings),
    )


def approvals(ctx: Ctx, case_id: int) -> list[int]:
    rows = ctx.session.exec(
        select(Resolution).where(Resolution.case_id == case_id, Resolution.outcome == "approved")
    ).all()
    return sorted(pk(r.id) for r in rows)


def test_after_a_call_in_the_guard_and_the_deadlines_read_the_reconsidered_decision(
    engine: Engine, work: Work, clock: FrozenClock, settings: Settings, people: People
) -> None:
    """Cabinet first approves six months of its own and delegates six more: twelve months of
    a 36-month award, 33% of the term and the value, so a contract change notice is owed.
    Scrutiny calls it in and refers it back; Cabinet reconsiders on Thu 18 Dec and approves
    three months of its own, delegating nothing: 8.3%, within s.75(2), so no notice. The
    delegation of the first decision is still the case's latest, but not the new decision's."""
    with work() as ctx:
        case_id, (a1, a2) = own_term_case(
            ctx,
            people,
            months=12,
            annual_value_pence=12_000_000,
            award_value_pence=36_000_000,
            award_max_months=36,
            extension_options_months=12,
        )
    with work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])
    clock.travel_to(london(2025, 12, 12, 10))
    with work() as ctx:
        body = {
            "resolution": "Six months from 1 April 2026; the further six delegated.",
            "decided_on": MEETING,
            "notice_published_on": NOTICE,
            "cabinet_months": 6,
            "max_months": 12,
            "delegate_id": people["executive"].id,
            "consultee_id": people["cabinet_member"].id,
        }
        fire(ctx, case_id, "approve", people["clerk"], body)
    with work() as ctx:
        (first,) = approvals(ctx, case_id)
        by_guard, by_deadlines = both_nows(ctx, case_id)
        assert by_guard == by_deadlines
        assert (by_guard.approval_id, by_guard.months) == (first, 12)
        assert by_guard.needs() == {a1: {"contract_change_notice"}, a2: {"contract_change_notice"}}
        assert "contract_change_notice" in deadline_kinds(ctx, case_id)

    clock.travel_to(london(2025, 12, 15, 10))
    with work() as ctx:
        fire(ctx, case_id, "call_in", people["scrutiny"], {"reason": "Why not re-procure now?"})
    clock.travel_to(london(2025, 12, 17, 10))
    with work() as ctx:
        outcome = {"met_on": "2025-12-17", "reasons": "Cabinet should consider a shorter term."}
        fire(ctx, case_id, "refer_back_to_decision_maker", people["clerk"], outcome)
    with work() as ctx:
        assert case_of(ctx, case_id).state == "cabinet_consideration"
        by_guard, by_deadlines = both_nows(ctx, case_id)
        assert by_guard == by_deadlines
        assert by_guard.approval_id == first and by_guard.next_term_start is None

    clock.travel_to(london(2025, 12, 18, 16))
    with work() as ctx:
        body = {
            "resolution": "Reconsidered: three months from 1 April 2026, no delegation.",
            "decided_on": date(2025, 12, 18),
            "notice_published_on": date(2025, 12, 18),
            "adjourned_to": date(2025, 12, 18),
            "cabinet_months": 3,
            "max_months": 3,
        }
        fire(ctx, case_id, "approve", people["clerk"], body)
    with work() as ctx:
        _, second = approvals(ctx, case_id)
        by_guard, by_deadlines = both_nows(ctx, case_id)
        assert by_guard == by_deadlines
        assert (by_guard.approval_id, by_guard.months) == (second, 3)
        assert by_guard.needs() == {a1: frozenset(), a2: frozenset()}
        assert "contract_change_notice" not in deadline_kinds(ctx, case_id)
        assert held_back(ctx, case_id, people["officer"]) == []
    # Reconsidered after a call-in: no second call-in, and no notice owed: the next pass
    # starts the three months at once.
    clock.travel_to(london(2025, 12, 19, 7))
    expire_overdue(engine, clock, settings)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            TERM_START,
            date(2026, 6, 30),
        )
