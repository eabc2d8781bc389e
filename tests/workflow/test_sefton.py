"""Sefton's Day Opportunities contracts (SPEC §1.2) end to end through the service.

Thirteen contracts ending 30 Sep 2024 are extended for at most twelve months from 1 Oct 2024:
six months approved by Cabinet itself, started by the scheduler when call-in is over,
then a further six by the
Executive Director in consultation with the Cabinet Member, after which the envelope is used
and only a new case can go further; the scheduler expires the case after 30 Sep 2025.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from casework import (
    CAST,
    Work,
    allowed,
    audit_events,
    case_of,
    consult,
    deadline_kinds,
    london,
    nine_am,
    reminders_of,
    snapshot,
)
from sqlmodel import select

from workflow import demo
from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.errors import InvalidInput, TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import expire_due, fire, implement_due
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.lifecycle.procurement_notices import record_procurement_notice
from workflow.lifecycle.views import decision_record
from workflow.models import Deadline, Reminder, User, pk
from workflow.schemas import MeetingNoticeIn, NoticeIn

R, E = "reminder", "escalation"
PEOPLE = CAST


def who_may(ctx: Ctx, case_id: int, people: dict[str, User]) -> dict[str, list[str]]:
    """Each person's allowed events, leaving out those who may do nothing."""
    out = {key: allowed(ctx, case_id, people[key]) for key in PEOPLE}
    return {key: events for key, events in out.items() if events}


def pending_count(ctx: Ctx, case_id: int) -> int:
    query = select(Reminder).where(Reminder.case_id == case_id, Reminder.status == "pending")
    return len(ctx.session.exec(query).all())


def assert_version(ctx: Ctx, case_id: int, state: str, version: int) -> None:
    case = case_of(ctx, case_id)
    assert (case.state, case.version) == (state, version)


def test_sefton_from_draft_to_expiry(work: Work, clock: FrozenClock, people: dict[str, User]):
    officer, clerk, executive = people["officer"], people["clerk"], people["executive"]
    cabinet_member = people["cabinet_member"]

    # --- 1 Jul 2024: the officer drafts the case for Cabinet on Thu 5 Sep -----------------
    with work() as ctx:
        agreements = demo.sefton_agreements(ctx, officer)
        case = create_case(ctx, demo.sefton_case_in([pk(a.id) for a in agreements]), officer)
        case_id = pk(case.id)
    agreement_ids = [pk(a.id) for a in agreements]
    assert len(agreement_ids) == 13

    with work() as ctx:
        assert_version(ctx, case_id, "drafted", 1)
        assert deadline_kinds(ctx, case_id, "done") == {"forward_plan_notice": {date(2024, 8, 7)}}
        assert deadline_kinds(ctx, case_id) == {
            "agenda_publication": {date(2024, 8, 28)},  # Wed: 5 clear working days before
            "agreement_end": {date(2024, 9, 30)},
        }
        ends = select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == "agreement_end")
        assert {d.agreement_id for d in ctx.session.exec(ends).all()} == set(agreement_ids)
        assert reminders_of(ctx, case_id, "agenda_publication") == [
            (R, 28, nine_am(date(2024, 7, 31))),
            (R, 14, nine_am(date(2024, 8, 14))),
            (R, 7, nine_am(date(2024, 8, 21))),
            (R, 1, nine_am(date(2024, 8, 27))),
            (E, None, nine_am(date(2024, 8, 29))),
        ]

    # --- Thu 1 Aug: submitted to Cabinet -------------------------------------------------
    clock.travel_to(london(2024, 8, 1))
    with work() as ctx:
        assert who_may(ctx, case_id, people) == {
            "officer": ["submit", "withdraw"],
            "colleague": ["submit"],
            "admin": ["withdraw"],
        }
        fire(ctx, case_id, "submit", officer)
    with work() as ctx:
        assert_version(ctx, case_id, "cabinet_consideration", 2)
        # Submitting is not publishing: the agenda duty waits for democratic services
        # (SI 2012/2089 reg 7; issue 11, bug 3).
        assert deadline_kinds(ctx, case_id)["agenda_publication"] == {date(2024, 8, 28)}
        assert who_may(ctx, case_id, people) == {
            "officer": ["withdraw"],
            "clerk": ["defer", "refer_back", "approve", "reject"],
            "admin": ["withdraw"],
        }

    # --- Wed 28 Aug: democratic services publish the agenda, on the last day ---------------
    clock.travel_to(london(2024, 8, 28))
    with work() as ctx:
        record_meeting_notice(
            ctx, case_id, MeetingNoticeIn(kind="agenda", published_on=date(2024, 8, 28)), clerk
        )
    with work() as ctx:
        assert_version(ctx, case_id, "cabinet_consideration", 3)
        assert "agenda_publication" in deadline_kinds(ctx, case_id, "done")
        assert reminders_of(ctx, case_id, "agenda_publication") == []
        assert len(reminders_of(ctx, case_id, "agenda_publication", "cancelled")) == 5

    # --- Fri 6 Sep: Cabinet (Thu 5 Sep) approved; the decision notice is out ---------------
    # Cabinet itself approved the initial six months and delegated only "any extension
    # beyond the initial six months" (issue 12, fault 1).
    clock.travel_to(london(2024, 9, 6))
    approved_at = clock.now()
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "approve",
            clerk,
            {
                "resolution": (
                    "Extend the thirteen Day Opportunities contracts for an initial six months "
                    "from 1 October 2024, with the option of a further six months; the Executive "
                    "Director of Adult Social Care, in consultation with the Cabinet Member, may "
                    "approve any extension beyond the initial six months."
                ),
                "decided_on": "2024-09-05",
                "notice_published_on": "2024-09-06",
                "cabinet_months": 6,
                "delegate_id": executive.id,
                "consultee_id": cabinet_member.id,
                "max_months": 12,
            },
        )
    with work() as ctx:
        assert_version(ctx, case_id, "delegated_approval", 4)
        bundle = load(ctx, case_of(ctx, case_id))
        assert bundle.delegation is not None
        assert bundle.delegation.latest_end_date == date(2025, 9, 30)
        assert bundle.delegation.max_months == 6  # only the months beyond Cabinet's own
        assert deadline_kinds(ctx, case_id) == {
            "call_in_end": {date(2024, 9, 13)},  # 5th working day after Fri 6 Sep
            "agreement_end": {date(2024, 9, 30)},
            "envelope_exhausted": {date(2025, 9, 30)},
        }
        # 28, 14 and 7 days before (the 7 at 09:00 this very morning) coalesce into one.
        assert reminders_of(ctx, case_id, "call_in_end") == [
            (R, 7, approved_at),
            (R, 1, nine_am(date(2024, 9, 12))),
        ]
        assert reminders_of(ctx, case_id, "envelope_exhausted") == [
            (R, 28, nine_am(date(2025, 9, 2))),
            (R, 14, nine_am(date(2025, 9, 16))),
            (R, 7, nine_am(date(2025, 9, 23))),
            (R, 1, nine_am(date(2025, 9, 29))),
        ]
        # Nobody signs off (or declines) Cabinet's own six months.
        assert who_may(ctx, case_id, people) == {"scrutiny": ["call_in"]}
    before = _snap(work, case_id)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", executive, _sign_off(6))
    assert "term_is_delegated" in {g.name for g in refused.value.guards}
    assert _snap(work, case_id) == before

    # --- Mon 16 Sep: call-in over; the scheduler starts Cabinet's six months ---------------
    clock.travel_to(london(2024, 9, 13))
    with work() as ctx:
        assert implement_due(ctx, people["system"]) == []  # the last day of call-in
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx:
        assert who_may(ctx, case_id, people) == {"system": ["implement"]}
        assert implement_due(ctx, people["system"]) == [case_id]
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version) == ("active", 5)
        assert (case.term_start, case.term_end) == (date(2024, 10, 1), date(2025, 3, 31))
        assert {a.end_date for a in load(ctx, case).agreements} == {date(2025, 3, 31)}
        assert deadline_kinds(ctx, case_id) == {
            "extension_option_decision": {date(2024, 12, 31)},  # Tue: end minus 3 months
            "agreement_end": {date(2025, 3, 31)},
            "envelope_exhausted": {date(2025, 9, 30)},
            # Cabinet's own six months are a modification on reg 72(1)(c), made when they
            # take effect on Tue 1 Oct: the reg 72(3) notice within 30 days (issue 9).
            "modification_notice": {date(2024, 10, 31)},
        }
        assert deadline_kinds(ctx, case_id, "done") == {
            "forward_plan_notice": {date(2024, 8, 7)},
            "agenda_publication": {date(2024, 8, 28)},
            "call_in_end": {date(2024, 9, 13)},
            # Cabinet's reg 12 record, published as its decision notice on Fri 6 Sep.
            "decision_record_publication": {date(2024, 9, 9)},
        }
        assert reminders_of(ctx, case_id, "call_in_end") == []
        # Winter: 09:00 London is 09:00 UTC.
        assert reminders_of(ctx, case_id, "extension_option_decision") == [
            (R, 28, nine_am(date(2024, 12, 3))),
            (R, 14, nine_am(date(2024, 12, 17))),
            (R, 7, nine_am(date(2024, 12, 24))),
            (R, 1, nine_am(date(2024, 12, 30))),
            (E, None, nine_am(date(2025, 1, 1))),
        ]
        assert nine_am(date(2024, 12, 3)) == datetime.fromisoformat("2024-12-03T09:00+00:00")
        # The agreements' end moved: old reminders cancelled, new ones planned, one set each;
        # the day-before reminder falls on the morning the clocks go forward (08:00 UTC).
        first = agreement_ids[0]
        assert reminders_of(ctx, case_id, "agreement_end", agreement_id=first) == [
            (R, 28, nine_am(date(2025, 3, 3))),
            (R, 14, nine_am(date(2025, 3, 17))),
            (R, 7, nine_am(date(2025, 3, 24))),
            (R, 1, datetime.fromisoformat("2025-03-30T08:00+00:00")),
        ]
        assert len(reminders_of(ctx, case_id, "agreement_end")) == 13 * 4
        assert all(
            fire_at.date() < date(2024, 10, 1)
            for _, _, fire_at in reminders_of(ctx, case_id, "agreement_end", "cancelled")
        )
        assert who_may(ctx, case_id, people) == {
            "officer": ["extend"],
            "colleague": ["extend"],
            "outsider": ["extend"],
        }

    # --- Mon 2 Dec: the officer asks for the further six months ----------------------------
    clock.travel_to(london(2024, 12, 2))
    with work() as ctx:
        fire(ctx, case_id, "extend", officer, {"months": 6, "reasons": "Procurement runs on."})
    with work() as ctx:
        assert_version(ctx, case_id, "delegated_approval", 6)
        assert deadline_kinds(ctx, case_id) == {
            "sign_off_due": {date(2025, 3, 31)},  # Mon: the day before 1 Apr 2025
            "agreement_end": {date(2025, 3, 31)},
            "envelope_exhausted": {date(2025, 9, 30)},
            "modification_notice": {date(2024, 10, 31)},  # Cabinet's term's, still owed
        }
        assert "extension_option_decision" in deadline_kinds(ctx, case_id, "done")
        assert reminders_of(ctx, case_id, "extension_option_decision") == []
        # No consultation yet: the delegate may only decline the further months.
        assert who_may(ctx, case_id, people) == {"executive": ["decline_further"]}
    before = _snap(work, case_id)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "sign_off", executive, _sign_off(6))
    assert [g.name for g in refused.value.guards] == ["consultation_recorded"]
    assert cabinet_member.name in refused.value.detail
    assert _snap(work, case_id) == before

    # --- Mon 9 Dec: consulted again, and the second six months signed off ------------------
    clock.travel_to(london(2024, 12, 9))
    with work() as ctx:
        consult(ctx, people, case_id, "Agree the further six months.")
    with work() as ctx:
        assert_version(ctx, case_id, "delegated_approval", 7)
        assert who_may(ctx, case_id, people) == {"executive": ["sign_off", "decline_further"]}
        fire(ctx, case_id, "sign_off", executive, _sign_off(6))
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version) == ("active", 8)
        assert (case.term_start, case.term_end) == (date(2025, 4, 1), date(2025, 9, 30))
        assert {a.end_date for a in load(ctx, case).agreements} == {date(2025, 9, 30)}
        assert deadline_kinds(ctx, case_id) == {
            "decision_record_publication": {date(2024, 12, 11)},  # reg 13, 2 working days
            "agreement_end": {date(2025, 9, 30)},
            "envelope_exhausted": {date(2025, 9, 30)},
            # PCR 2015 reg 72(3): a (1)(c) modification is notified within 30 days (reg 51);
            # each modification its own: Cabinet's term's (overdue since Thu 31 Oct) stays.
            "modification_notice": {date(2024, 10, 31), date(2025, 1, 8)},
        }
        # Democratic services publish the officer's record the same day.
        record_meeting_notice(
            ctx,
            case_id,
            MeetingNoticeIn(kind="decision_record", published_on=date(2024, 12, 9)),
            clerk,
        )
    # ...and the officer the reg 72(3) notice of each contract's two modifications, each
    # named by the first day of the term it brought: without it, which is ambiguous.
    before = _snap(work, case_id)
    with work() as ctx, pytest.raises(InvalidInput) as ambiguous:
        record_procurement_notice(
            ctx,
            case_id,
            NoticeIn(kind="modification_notice", published_on=date(2024, 12, 9)),
            officer,
        )
    assert [p.field for p in ambiguous.value.problems] == ["term_start"]
    assert _snap(work, case_id) == before
    with work() as ctx:
        for term_start in (date(2024, 10, 1), date(2025, 4, 1)):
            record_procurement_notice(
                ctx,
                case_id,
                NoticeIn(
                    kind="modification_notice",
                    published_on=date(2024, 12, 9),
                    term_start=term_start,
                ),
                officer,
            )
    with work() as ctx:
        case = case_of(ctx, case_id)
        # Cabinet's (Mon 9 Sep) and the delegate's, the only officer decision.
        assert deadline_kinds(ctx, case_id, "done")["decision_record_publication"] == {
            date(2024, 9, 9),
            date(2024, 12, 11),
        }
        record = decision_record(ctx, load(ctx, case), officer)
        assert record["date"] == date(2024, 12, 9)
        assert record["term"] == {
            "months": 6,
            "start_date": date(2025, 4, 1),
            "end_date": date(2025, 9, 30),
        }
        assert record["decision_maker"] == {"id": executive.id, "name": executive.name}
        assert "13 agreement(s)" in record["decision"]
        assert record["reasons"] == _sign_off(6)["reasons"]
        assert record["consultee"]["consultee_id"] == cabinet_member.id
        assert record["consultee"]["consulted_on"] == date(2024, 12, 9)
        assert record["consultee"]["response"] == "Agree the further six months."
        assert record["conflicts_of_interest"] == "None declared"
        assert record["authority"]["decided_on"] == date(2024, 9, 5)
        assert record["redacted"] is None
        assert who_may(ctx, case_id, people) == {}

    # --- The envelope is used: a further extension needs a new case and Cabinet ------------
    before = _snap(work, case_id)
    with work() as ctx, pytest.raises(TransitionRefused) as refused:
        fire(ctx, case_id, "extend", officer, {"months": 6, "reasons": "More time."})
    assert {g.name for g in refused.value.guards} == {
        "envelope_has_months_left",
        "extension_within_envelope",
    }
    assert "a new case and a Cabinet decision are needed" in refused.value.detail
    assert _snap(work, case_id) == before

    # --- The scheduler expires the case once 30 Sep 2025 has passed ------------------------
    clock.travel_to(london(2025, 9, 30, 23, 30))
    with work() as ctx:
        assert who_may(ctx, case_id, people) == {}
        assert expire_due(ctx, people["system"]) == []
    clock.travel_to(london(2025, 10, 1, 0, 5))
    with work() as ctx:
        assert who_may(ctx, case_id, people) == {"system": ["expire"]}
        assert expire_due(ctx, people["system"]) == [case_id]
    with work() as ctx:
        assert_version(ctx, case_id, "expired", 12)
        assert deadline_kinds(ctx, case_id) == {}
        assert pending_count(ctx, case_id) == 0
        assert who_may(ctx, case_id, people) == {}
        trail = audit_events(ctx, case_id)
        assert [(e.event, e.from_state, e.to_state) for e in trail] == [
            ("create", None, "drafted"),
            ("submit", "drafted", "cabinet_consideration"),
            ("notice", "cabinet_consideration", "cabinet_consideration"),
            ("approve", "cabinet_consideration", "delegated_approval"),
            ("implement", "delegated_approval", "active"),
            ("extend", "active", "delegated_approval"),
            ("consultation", "delegated_approval", "delegated_approval"),
            ("sign_off", "delegated_approval", "active"),
            ("notice", "active", "active"),
            ("notice", "active", "active"),  # the reg 72(3) notice of Cabinet's term
            ("notice", "active", "active"),  # ...and of the delegate's
            ("expire", "active", "expired"),
        ]
        assert trail[-1].actor_id == people["system"].id
        assert trail[2].data["notice"]["kind"] == "agenda"
        assert trail[4].data["term"] == {"start_date": "2024-10-01", "end_date": "2025-03-31"}
        assert verify(ctx).ok


def _sign_off(months: int) -> dict[str, Any]:
    return {
        "months": months,
        "reasons": "Keeps day services running while a compliant procurement is completed.",
        "conflicts_of_interest": "None declared",
    }


def _snap(work: Work, case_id: int) -> Any:
    with work() as ctx:
        return snapshot(ctx, case_id)
