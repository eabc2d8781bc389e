"""Procurement notices as deadlines with reminders (issue 9 part 3, SPEC §9).

A Procurement Act 2023 services contract worth £6m a year, awarded for 12 months from 1 Apr
2025, is extended by six months from 1 Apr 2026 on the ground the contract provides for
(Sch 8 para 1). The term changes by 50% of the maximum term on award, so a contract change
notice comes first (s.75(1)); the contract is worth more than £5m, so the modified contract
is published within 90 days (s.77); and when it runs out with no further term a termination
notice follows within 30 days (s.80). Cabinet decides on Thu 11 Dec 2025; its notice goes out
Fri 12 Dec, so call-in ends Fri 19 Dec. The contract change notice goes out Fri 19 Dec 2025:
its standstill of eight working days skips Christmas Day, Boxing Day and New Year's Day and
ends Fri 2 Jan 2026.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from casework import Work, london, nine_am, reminders_of, snapshot
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import select

from workflow import timerules
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.deadlines.rules import CaseFacts, plan
from workflow.errors import Forbidden, InvalidInput, TransitionRefused
from workflow.lifecycle.bundle import get_case
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import expire_due, fire
from workflow.lifecycle.procurement_notices import record_procurement_notice
from workflow.models import Agreement, Case, Deadline, SignOff, User, pk
from workflow.procurement import notices as law
from workflow.schemas import CaseIn, ConsultationIn, NoticeIn, ProposalIn
from workflow.settings import Settings

from casework import ASC, complete_report, pa_agreement  # isort: skip

People = dict[str, User]

MEETING = date(2025, 12, 11)
TERM_START = date(2026, 4, 1)


def pa_case(
    ctx: Ctx, people: People, ground: str = "provided_for", **agreement: Any
) -> tuple[int, list[int]]:
    agreements = [pa_agreement(ctx, people["officer"], **agreement) for _ in range(2)]
    case_in = CaseIn.model_validate(
        {
            "kind": "extension",
            "title": "Home care: six months while the service is re-procured",
            "directorate": ASC,
            "agreement_ids": [pk(a.id) for a in agreements],
            "meeting_date": MEETING,
            "agenda_item": "7",
            "key_decision": True,
            "forward_plan_published_on": date(2025, 11, 3),
            "proposal": ProposalIn(
                start_date=TERM_START, initial_months=6, max_months=6, ground=ground
            ),
            "report": complete_report(),
        }
    )
    case = create_case(ctx, case_in, people["officer"])
    return pk(case.id), [pk(a.id) for a in agreements]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(london(2025, 11, 3, 9))


def approved(work: Work, clock: FrozenClock, people: People, case_id: int) -> None:
    with work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])
    clock.travel_to(london(2025, 12, 12, 10))
    with work() as ctx:
        body = {
            "resolution": "Extend by six months; the sign-off delegated.",
            "decided_on": MEETING,
            "notice_published_on": date(2025, 12, 12),
            "delegate_id": people["executive"].id,
            "consultee_id": people["cabinet_member"].id,
            "max_months": 6,
        }
        fire(ctx, case_id, "approve", people["clerk"], body)
    clock.travel_to(london(2025, 12, 15, 10))
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn(
                consultee_id=pk(people["cabinet_member"].id),
                consulted_on=ctx.today(),
                response="Agreed.",
            ),
            people["executive"],
        )


def notice(ctx: Ctx, people: People, case_id: int, kind: str, on: date, **kw: Any) -> Case:
    by = kw.pop("by", people["officer"])
    data = NoticeIn.model_validate({"kind": kind, "published_on": on, **kw})
    return record_procurement_notice(ctx, case_id, data, by)


def deadlines(ctx: Ctx, case_id: int, kind: str) -> list[tuple[int | None, date, str]]:
    ctx.session.expire_all()
    rows = ctx.session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind)
    ).all()
    return sorted((d.agreement_id, d.due_on, d.status) for d in rows if d.status != "cancelled")


SIGN_OFF = {"months": 6, "reasons": "Time to re-procure.", "conflicts_of_interest": "None"}


# --- the whole path -------------------------------------------------------------------------


def test_a_pa2023_extension_owes_each_notice_in_turn(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id, (a1, a2) = pa_case(ctx, people)
    approved(work, clock, people, case_id)

    # Delegated approval: a contract change notice for each contract, due so that its
    # standstill ends before the sign-off's own day (Tue 31 Mar 2026): Thu 19 Mar.
    with work() as ctx:
        assert deadlines(ctx, case_id, "contract_change_notice") == [
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
        assert deadlines(ctx, case_id, "standstill_end") == []

    # Published Fri 19 Dec 2025 for both contracts: the duty is done, its reminders stop,
    # and the standstill runs to Fri 2 Jan 2026 (25, 26 Dec and 1 Jan are bank holidays).
    clock.travel_to(london(2025, 12, 19, 10))
    with work() as ctx:
        notice(
            ctx, people, case_id, "contract_change_notice", date(2025, 12, 19), reference="UK10-1"
        )
        assert {s for *_, s in deadlines(ctx, case_id, "contract_change_notice")} == {"done"}
        assert reminders_of(ctx, case_id, "contract_change_notice") == []
        assert deadlines(ctx, case_id, "standstill_end") == [
            (a1, date(2026, 1, 2), "open"),
            (a2, date(2026, 1, 2), "open"),
        ]
        # 28 and 14 days before have passed: one reminder now; then 26 Dec and 1 Jan.
        assert reminders_of(ctx, case_id, "standstill_end", agreement_id=a1) == [
            ("reminder", 14, london(2025, 12, 19, 10)),
            ("reminder", 7, nine_am(date(2025, 12, 26))),
            ("reminder", 1, nine_am(date(2026, 1, 1))),
        ]

    # Call-in is over on Mon 22 Dec, but the standstill is not: the sign-off is refused.
    clock.travel_to(london(2025, 12, 22, 10))
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], SIGN_OFF)
    failures = {g.name: g.reason for g in refused.value.guards}
    assert "runs until 02/01/2026 (s.76)" in failures["contract_change_notice_published"]
    assert "from 03/01/2026" in failures["contract_change_notice_published"]

    clock.travel_to(london(2026, 1, 5, 10))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], SIGN_OFF)
        # s.77: 90 days beginning with Mon 5 Jan 2026 end on Sun 5 Apr (Easter Day); Good
        # Friday is a bank holiday, so people are told Thu 2 Apr.
        assert deadlines(ctx, case_id, "modification_publication") == [
            (a1, date(2026, 4, 2), "open"),
            (a2, date(2026, 4, 2), "open"),
        ]
        # No months are left: the contracts end on 30 Sep 2026 with no further term, and the
        # s.80 notice is due within 30 days beginning with that day: Thu 29 Oct 2026.
        assert deadlines(ctx, case_id, "termination_notice") == [
            (a1, date(2026, 10, 29), "open"),
            (a2, date(2026, 10, 29), "open"),
        ]
        assert deadlines(ctx, case_id, "modification_notice") == []  # a PCR 2015 notice
        assert reminders_of(ctx, case_id, "termination_notice", agreement_id=a2)
        notice(ctx, people, case_id, "modification_publication", date(2026, 1, 5), agreement_id=a1)
        assert deadlines(ctx, case_id, "modification_publication") == [
            (a1, date(2026, 4, 2), "done"),
            (a2, date(2026, 4, 2), "open"),
        ]

    clock.travel_to(london(2026, 10, 1, 6))
    with work() as ctx:
        assert expire_due(ctx, people["system"]) == [case_id]
    with work() as ctx:
        assert get_case(ctx, case_id).state == "expired"
        assert {s for *_, s in deadlines(ctx, case_id, "termination_notice")} == {"open"}
        assert reminders_of(ctx, case_id, "termination_notice", agreement_id=a1)
        notice(ctx, people, case_id, "termination_notice", date(2026, 10, 1))
        assert {s for *_, s in deadlines(ctx, case_id, "termination_notice")} == {"done"}
        assert reminders_of(ctx, case_id, "termination_notice") == []
        recorded = get_case(ctx, case_id).procurement_notices or []
        assert sorted((e["kind"], e["agreement_id"]) for e in recorded) == sorted(
            [
                ("contract_change_notice", a1),
                ("contract_change_notice", a2),
                ("modification_publication", a1),
                ("termination_notice", a1),
                ("termination_notice", a2),
            ]
        )


def test_no_contract_change_notice_no_sign_off(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id, (a1, _) = pa_case(ctx, people)
    approved(work, clock, people, case_id)
    clock.travel_to(london(2025, 12, 22, 10))
    with work() as ctx:
        notice(ctx, people, case_id, "contract_change_notice", date(2025, 12, 22), agreement_id=a1)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", people["executive"], SIGN_OFF)
    reason = {g.name: g.reason for g in refused.value.guards}["contract_change_notice_published"]
    assert "no contract change notice has been published for PA-" in reason
    assert "s.75(1)" in reason


def test_a_council_that_does_not_keep_the_standstill_may_sign_inside_it(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    settings.standstill_guard = False
    with work() as ctx:
        case_id, _ = pa_case(ctx, people)
    approved(work, clock, people, case_id)
    clock.travel_to(london(2025, 12, 22, 10))
    with work() as ctx:
        notice(ctx, people, case_id, "contract_change_notice", date(2025, 12, 22))
        fire(ctx, case_id, "sign_off", people["executive"], SIGN_OFF)
        assert get_case(ctx, case_id).state == "active"


def test_pcr2015_additional_ground_owes_a_modification_notice_and_no_contract_change_notice(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id, (a1, _) = pa_case(
            ctx,
            people,
            ground="additional",
            procurement_regime="pcr2015",
            procurement_started_on=date(2023, 1, 9),
        )
    approved(work, clock, people, case_id)
    with work() as ctx:
        assert deadlines(ctx, case_id, "contract_change_notice") == []
    clock.travel_to(london(2025, 12, 22, 10))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], SIGN_OFF)
        # reg 72(3) and reg 51: within 30 days after Mon 22 Dec 2025: Wed 21 Jan 2026.
        assert deadlines(ctx, case_id, "modification_notice")[0] == (
            a1,
            date(2026, 1, 21),
            "open",
        )
        assert reminders_of(ctx, case_id, "modification_notice", agreement_id=a1)
        assert deadlines(ctx, case_id, "termination_notice") == []  # not under the Act
        notice(ctx, people, case_id, "modification_notice", date(2025, 12, 22))
        assert {s for *_, s in deadlines(ctx, case_id, "modification_notice")} == {"done"}


# --- every refusal changes nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "on", "extra", "field", "words"),
    [
        ("contract_change_notice", date(2025, 12, 20), {}, "published_on", "still to come"),
        ("modification_notice", date(2025, 12, 19), {}, "kind", "no modification_notice"),
        ("termination_notice", date(2025, 12, 19), {}, "kind", "no termination_notice"),
        (
            "contract_change_notice",
            date(2025, 12, 19),
            {"agreement_id": 999_999},
            "agreement_id",
            "not one of this case's",
        ),
    ],
)
def test_refused_notices(
    work: Work,
    clock: FrozenClock,
    people: People,
    kind: str,
    on: date,
    extra: dict[str, Any],
    field: str,
    words: str,
) -> None:
    with work() as ctx:
        case_id, _ = pa_case(ctx, people)
    approved(work, clock, people, case_id)
    clock.travel_to(london(2025, 12, 19, 10))
    with work() as ctx:
        before = snapshot(ctx, case_id)
    with work() as ctx, pytest.raises(InvalidInput) as refused:
        notice(ctx, people, case_id, kind, on, **extra)
    [problem] = refused.value.problems
    assert problem.field == field and words in problem.message
    with work() as ctx:
        assert snapshot(ctx, case_id) == before


def test_a_notice_before_the_modification_it_follows_and_an_outsider_are_refused(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id, _ = pa_case(ctx, people)
    approved(work, clock, people, case_id)
    clock.travel_to(london(2025, 12, 19, 10))
    with work() as ctx, pytest.raises(Forbidden):
        notice(
            ctx,
            people,
            case_id,
            "contract_change_notice",
            date(2025, 12, 19),
            by=people["outsider"],
        )
    with work() as ctx:
        notice(ctx, people, case_id, "contract_change_notice", date(2025, 12, 19))
    clock.travel_to(london(2026, 1, 5, 10))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], SIGN_OFF)
    with work() as ctx, pytest.raises(InvalidInput) as refused:
        notice(ctx, people, case_id, "modification_publication", date(2026, 1, 2))
    assert "follows the modification it publishes, on 05/01/2026" in str(
        refused.value.problems[0].message
    )


# --- the law's tests, table-driven ----------------------------------------------------------


def agreement(**changes: Any) -> Agreement:
    fields: dict[str, Any] = {
        "id": 1,
        "reference": "T-1",
        "title": "T",
        "kind": "contract",
        "counterparty": "P",
        "directorate": ASC,
        "annual_value_pence": 1_200_000,  # £12,000 a year
        "start_date": date(2025, 4, 1),
        "end_date": date(2026, 3, 31),
        "procurement_regime": "pa2023",
        "procurement_started_on": date(2025, 3, 3),
        "light_touch": False,
        "contract_type": "services",
        "award_value_pence": 3_600_000,  # £36,000 over 36 months
        "award_max_months": 36,
        **changes,
    }
    return Agreement(**fields)


def signed_off(months: int, on: date = date(2025, 11, 25)) -> SignOff:
    return SignOff(
        case_id=1,
        delegation_id=1,
        signer_id=2,
        months=months,
        term_start=date(2026, 4, 1),
        term_end=timerules.term_end(date(2026, 4, 1), months),
        reasons="r",
        conflicts_of_interest="none",
        signed_on=on,
    )


def kinds_planned(state: str, ground: str, months: int, **changes: Any) -> set[str]:
    """The procurement deadlines ``plan`` gives a one-agreement case in ``state``, with its
    whole modification of ``months`` signed off already when it is active."""
    case = Case(
        id=1,
        kind="extension",
        title="t",
        directorate=ASC,
        author_id=1,
        state=state,
        proposal_ground=ground,
        proposal_start_date=date(2026, 4, 1),
        proposal_initial_months=months,
        proposal_max_months=months,
    )
    signed = signed_off(months) if state == "active" else None
    if signed is not None:
        case.term_start, case.term_end = signed.term_start, signed.term_end
    facts = CaseFacts(
        case=case,
        agreements=[agreement(**changes)],
        is_key_decision=False,
        today=date(2025, 11, 25),
        sign_offs=[signed] if signed is not None else [],
    )
    own = {"forward_plan_notice", "agenda_publication", "sign_off_due", "agreement_end"}
    own |= {"envelope_exhausted", "decision_record_publication", "extension_option_decision"}
    return {p.kind for p in plan(facts, Settings())} - own


PCR = {"procurement_regime": "pcr2015", "procurement_started_on": date(2023, 1, 9)}
BIG = {"annual_value_pence": 600_000_000, "award_value_pence": 1_800_000_000}  # £18m


@pytest.mark.parametrize(
    ("state", "ground", "months", "changes", "kinds"),
    [
        # PA 2023: 12 months of a 36-month award change the value by 33%: s.75(1).
        ("delegated_approval", "provided_for", 12, {}, {"contract_change_notice"}),
        # No months left once signed: the contract ends with no further term (s.80).
        ("active", "provided_for", 12, {}, {"termination_notice"}),
        ("active", "provided_for", 12, BIG, {"termination_notice", "modification_publication"}),
        # Within 10% of value: no contract change notice (s.75(2)); light touch: s.75(6)(b).
        ("delegated_approval", "below_threshold", 3, {}, set()),
        ("delegated_approval", "provided_for", 12, {"light_touch": True}, set()),
        ("delegated_approval", "in_house", 12, {}, set()),
        ("active", "in_house", 12, {}, set()),  # exempt: no s.80 notice either
        # PCR 2015: reg 72(3) after grounds (1)(b) and (1)(c) only; none of the Act's notices.
        ("delegated_approval", "unforeseeable", 12, PCR, set()),
        ("active", "unforeseeable", 12, PCR, {"modification_notice"}),
        ("active", "additional", 12, PCR, {"modification_notice"}),
        ("active", "provided_for", 12, PCR, set()),
    ],
)
def test_which_notices_a_case_owes(
    state: str, ground: str, months: int, changes: dict[str, Any], kinds: set[str]
) -> None:
    changes = {"extension_options_months": 12, **changes}
    assert kinds_planned(state, ground, months, **changes) == kinds


def test_s80_is_for_the_act_only() -> None:
    assert law.termination_notice_needed(agreement(), "provided_for")
    assert law.termination_notice_needed(agreement(light_touch=True), "provided_for")
    assert not law.termination_notice_needed(agreement(), "in_house")
    assert not law.termination_notice_needed(agreement(**PCR), "provided_for")


def test_a_pcr_notice_falling_on_christmas_day_is_due_the_day_before(settings: Settings) -> None:
    case = Case(
        id=1,
        kind="extension",
        title="t",
        directorate=ASC,
        author_id=1,
        state="active",
        proposal_ground="unforeseeable",
        proposal_max_months=6,
        term_start=date(2026, 4, 1),
        term_end=date(2026, 9, 30),
    )
    facts = CaseFacts(
        case=case,
        agreements=[agreement(**PCR)],
        is_key_decision=False,
        today=date(2025, 11, 25),
        sign_offs=[signed_off(6, date(2025, 11, 25))],  # + 30 days: Thu 25 Dec 2025
    )
    planned = [p for p in plan(facts, settings) if p.kind == "modification_notice"]
    assert [(p.due_on, p.done) for p in planned] == [(date(2025, 12, 24), False)]


# --- the standstill, a rule of time ---------------------------------------------------------


def test_the_standstill_across_christmas() -> None:
    assert timerules.standstill_end(date(2025, 12, 19)) == date(2026, 1, 2)
    # Counting bank holidays of every part of the UK adds Scotland's 2 January.
    assert timerules.standstill_end(date(2025, 12, 19), 8, ["ENG", "SCT", "NIR"]) == date(
        2026, 1, 5
    )
    # Published on a Saturday, the first working day is Monday 22 Dec.
    assert timerules.standstill_end(date(2025, 12, 20)) == date(2026, 1, 5)
    assert timerules.latest_publication_for(date(2026, 1, 5)) == date(2025, 12, 19)


DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@hypothesis_settings(max_examples=200, deadline=None)
@given(published=DAYS, n=st.integers(min_value=1, max_value=20))
def test_a_standstill_holds_exactly_n_working_days(published: date, n: int) -> None:
    end = timerules.standstill_end(published, n)
    days = [published + timedelta(days=i) for i in range((end - published).days + 1)]
    assert sum(timerules.is_working_day(d) for d in days) == n
    assert timerules.is_working_day(end)


@hypothesis_settings(max_examples=200, deadline=None)
@given(before=DAYS)
def test_the_latest_publication_is_the_last_whose_standstill_ends_in_time(before: date) -> None:
    latest = timerules.latest_publication_for(before)
    assert timerules.standstill_end(latest) < before
    assert timerules.standstill_end(latest + timedelta(days=1)) >= before
