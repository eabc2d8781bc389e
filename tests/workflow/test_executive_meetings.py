"""The law of executive meetings (SI 2012/2089) as issue 11 states it, with its dates.

Unless a test says otherwise the case is a key decision for the Cabinet of Thu 10 Oct 2024,
its forward-plan notice dated Wed 11 Sep (exactly 28 clear days), its agenda due by Wed 2 Oct
(5 clear working days). Each refusal leaves the case exactly as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import (
    Work,
    approve_payload,
    case_of,
    consult,
    deadline_kinds,
    london,
    new_case,
    nine_am,
    reminders_of,
    sign_off_payload,
    snapshot,
)

from workflow.clock import FrozenClock
from workflow.deadlines.notices import refresh_notices_now_published
from workflow.deadlines.rules import CaseFacts, plan
from workflow.errors import Forbidden, InvalidInput, TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.cases import patch_case
from workflow.lifecycle.council_reports import key_decision_procedure_report, special_urgency_report
from workflow.lifecycle.events import fire
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.lifecycle.views import case_view
from workflow.models import Case, Resolution, SignOff, State, User
from workflow.schemas import CasePatch, MeetingNoticeIn, PrivateUrgencyIn, UrgencyIn
from workflow.settings import Settings

People = dict[str, User]
MEETING = date(2024, 10, 10)
FORWARD_PLAN = date(2024, 9, 11)
R, E = "reminder", "escalation"


@pytest.fixture
def clock() -> FrozenClock:
    """These stories start in January 2024, so Easter and August fall inside them."""
    return FrozenClock(london(2024, 1, 2, 9))


def key_case(work: Work, people: People, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "key_decision": True,
        "meeting_date": MEETING,
        "forward_plan_published_on": FORWARD_PLAN,
    }
    fields.update(overrides)
    with work() as ctx:
        return new_case(ctx, people, **fields)


def refused(work: Work, case_id: int, who: User, event: str, body: Any = None) -> Any:
    with work() as ctx:
        before = snapshot(ctx, case_id)
    with work() as ctx, pytest.raises(TransitionRefused) as info:
        fire(ctx, case_id, event, who, body)
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
    return info.value


def names(exc: TransitionRefused) -> list[str]:
    return [g.name for g in exc.guards]


def fires(work: Work, case_id: int, who: User, event: str, body: Any = None) -> str:
    with work() as ctx:
        return fire(ctx, case_id, event, who, body).state


def notice(work: Work, case_id: int, who: User, kind: str, on: date) -> None:
    with work() as ctx:
        record_meeting_notice(
            ctx,
            case_id,
            MeetingNoticeIn(kind=kind, published_on=on),  # type: ignore[arg-type]
            who,
        )


def submitted(work: Work, clock: FrozenClock, people: People, **overrides: Any) -> int:
    case_id = key_case(work, people, **overrides)
    clock.travel_to(london(2024, 9, 12))
    assert fires(work, case_id, people["officer"], "submit") == "cabinet_consideration"
    return case_id


# --- bug 1: a deferral reruns the meeting checks --------------------------------------------


def test_deferring_to_an_earlier_meeting_reruns_submits_checks(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = submitted(work, clock, people)
    clock.travel_to(london(2024, 10, 1))
    clerk = people["clerk"]
    sooner = {"reason": "Bring it forward.", "meeting_date": "2024-10-03"}
    exc = refused(work, case_id, clerk, "defer", sooner)
    # Thu 3 Oct needed its agenda by Wed 25 Sep and a forward-plan notice by Wed 4 Sep.
    assert names(exc) == ["agenda_deadline_not_passed", "key_decision_notice"]
    assert "published by Wed 25 Sep 2024" in exc.detail
    assert "forward-plan notice by Wed 04 Sep 2024" in exc.detail
    # The chair's reason makes it a late item (reg 7); the forward plan still refuses.
    exc = refused(work, case_id, clerk, "defer", {**sooner, "late_item_reason": "Urgent."})
    assert names(exc) == ["key_decision_notice"]
    # A later meeting meets every check, and later on the same agenda reruns none.
    later = {"reason": "Out of time.", "meeting_date": "2024-10-17"}
    assert fires(work, case_id, clerk, "defer", later) == "cabinet_consideration"
    clock.travel_to(london(2024, 10, 17, 11))
    same = {"reason": "Item 10 first.", "meeting_date": "2024-10-17"}
    assert fires(work, case_id, clerk, "defer", same) == "cabinet_consideration"


def test_deferring_an_exempt_item_needs_its_private_notice_for_the_new_meeting(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """The 28-day private notice of Sun 8 Sep serves 10 Oct; it cannot serve Fri 4 Oct."""
    case_id = submitted(
        work, clock, people, exempt_paragraph=3, private_notice_published_on=date(2024, 9, 8)
    )
    clock.travel_to(london(2024, 9, 20))
    body = {"reason": "Sooner.", "meeting_date": "2024-10-04"}
    exc = refused(work, case_id, people["clerk"], "defer", body)
    assert names(exc) == ["key_decision_notice", "exempt_notice"]
    assert "private-meeting notice by Thu 05 Sep 2024" in exc.detail


# --- bug 2: Cabinet decides at its meeting --------------------------------------------------


def test_the_decision_date_is_the_meeting_date_or_the_day_it_was_adjourned_to(
    work: Work, clock: FrozenClock, people: People
) -> None:
    one = submitted(work, clock, people)
    two = key_case(work, people)
    assert fires(work, two, people["officer"], "submit") == "cabinet_consideration"
    clock.travel_to(london(2024, 10, 11))
    clerk = people["clerk"]
    early = approve_payload(
        people, decided_on=date(2024, 10, 2), notice_published_on=date(2024, 10, 11)
    )
    exc = refused(work, one, clerk, "approve", early)
    assert names(exc) == ["decided_at_meeting"]
    assert "must be Thu 10 Oct 2024, not Wed 02 Oct 2024" in exc.detail
    exc = refused(work, one, clerk, "reject", {"resolution": "No.", "decided_on": "2024-10-02"})
    assert names(exc) == ["decided_at_meeting"]
    backwards = {**early, "decided_on": date(2024, 10, 9), "adjourned_to": date(2024, 10, 9)}
    exc = refused(work, one, clerk, "approve", backwards)
    assert "only be adjourned to a later day" in exc.detail
    on_the_day = approve_payload(people, decided_on=MEETING, notice_published_on=date(2024, 10, 11))
    assert fires(work, one, clerk, "approve", on_the_day) == "delegated_approval"

    clock.travel_to(london(2024, 10, 14, 17))
    adjourned = approve_payload(
        people,
        decided_on=date(2024, 10, 14),
        notice_published_on=date(2024, 10, 14),
        adjourned_to=date(2024, 10, 14),
    )
    assert fires(work, two, clerk, "approve", adjourned) == "delegated_approval"
    with work() as ctx:
        approval = load(ctx, case_of(ctx, two)).approval
        assert approval is not None
        assert (approval.meeting_date, approval.adjourned_to) == (MEETING, date(2024, 10, 14))


# --- bug 3: the agenda duty is done by the agenda's publication ---------------------------


def test_the_agenda_duty_is_done_by_its_publication_and_each_meeting_has_its_own(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = submitted(work, clock, people)
    clerk = people["clerk"]
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["agenda_publication"] == {date(2024, 10, 2)}
    # Recorded ahead, but for Thu 3 Oct: a day too late, and no chair's reason: still open.
    clock.travel_to(london(2024, 10, 1))
    notice(work, case_id, clerk, "agenda", date(2024, 10, 3))
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["agenda_publication"] == {date(2024, 10, 2)}
    # Published on the last day: done, its reminders stopped.
    clock.travel_to(london(2024, 10, 2, 12))
    notice(work, case_id, clerk, "agenda", date(2024, 10, 2))
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done")["agenda_publication"] == {date(2024, 10, 2)}
        assert reminders_of(ctx, case_id, "agenda_publication") == []
        assert case_view(ctx, load(ctx, case_of(ctx, case_id)), clerk)["agenda_published_on"] == (
            date(2024, 10, 2)
        )
    # Moved to Thu 17 Oct: the 10 Oct agenda stays done; 17 Oct's is due Wed 9 Oct.
    clock.travel_to(london(2024, 10, 3, 10))
    fires(work, case_id, clerk, "defer", {"reason": "Later.", "meeting_date": "2024-10-17"})
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done")["agenda_publication"] == {date(2024, 10, 2)}
        assert deadline_kinds(ctx, case_id)["agenda_publication"] == {date(2024, 10, 9)}
        assert case_of(ctx, case_id).agenda_published_on is None
        assert reminders_of(ctx, case_id, "agenda_publication") == [
            (R, 7, london(2024, 10, 3, 10)),  # 28, 14 and 7 days before had passed: at once
            (R, 1, nine_am(date(2024, 10, 8))),
            (E, None, nine_am(date(2024, 10, 10))),
        ]


def test_only_democratic_services_record_a_notice_and_only_one_that_fits(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = key_case(work, people)
    with work() as ctx, pytest.raises(Exception, match="democratic services"):
        record_meeting_notice(
            ctx, case_id, MeetingNoticeIn(kind="agenda", published_on=MEETING), people["officer"]
        )
    for kind in ("private_further_notice", "urgency_reasons", "decision_record"):
        with work() as ctx, pytest.raises(InvalidInput):
            record_meeting_notice(
                ctx,
                case_id,
                MeetingNoticeIn(kind=kind, published_on=MEETING),  # type: ignore[arg-type]
                people["clerk"],
            )


# --- bug 4: the urgency route of a private meeting (reg 5(6)-(7)) ----------------------------


def test_a_private_meeting_may_go_ahead_on_the_scrutiny_chairs_agreement(
    work: Work, clock: FrozenClock, people: People
) -> None:
    urgency = UrgencyIn(
        route="general_exception",
        reason="Contracts end 31 Oct.",
        notified_on=date(2024, 10, 2),
        chair_told_id=people["scrutiny"].id,
    )
    case_id = key_case(
        work, people, forward_plan_published_on=None, exempt_paragraph=3, urgency=urgency
    )
    clock.travel_to(london(2024, 10, 2, 12))
    officer = people["officer"]
    exc = refused(work, case_id, officer, "submit")
    assert names(exc) == ["exempt_notice"]

    def agree(who: str, on: date, note: str | None = None) -> None:
        with work() as ctx:
            patch_case(
                ctx,
                case_id,
                CasePatch(
                    private_urgency=PrivateUrgencyIn(
                        reason="The provider's prices are commercially sensitive.",
                        agreed_by_id=people[who].id,  # type: ignore[arg-type]
                        agreed_on=on,
                        precedence_note=note,
                    )
                ),
                officer,
            )

    agree("chairman", date(2024, 10, 2))
    exc = refused(work, case_id, officer, "submit")
    assert "record why the chair of the overview and scrutiny committee could not act" in (
        exc.detail
    )
    agree("viewer", date(2024, 10, 2))
    assert "holds none of these offices" in refused(work, case_id, officer, "submit").detail
    agree("scrutiny", date(2024, 9, 1))  # 38 clear days ahead: the notices were practicable
    assert "impracticable" in refused(work, case_id, officer, "submit").detail
    agree("scrutiny", date(2024, 10, 2))
    assert fires(work, case_id, officer, "submit") == "cabinet_consideration"
    with work() as ctx:
        # The reasons notice (reg 5(7)) is a duty; the notices it stands in for are not.
        open_duties = deadline_kinds(ctx, case_id)
        assert open_duties["private_urgency_reasons_notice"] == {date(2024, 10, 3)}
        assert "private_meeting_further_notice" not in open_duties
    clock.travel_to(london(2024, 10, 3, 9))
    notice(work, case_id, people["clerk"], "private_urgency_reasons", date(2024, 10, 3))
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done")["private_urgency_reasons_notice"] == {
            date(2024, 10, 3)
        }
        seen = case_view(ctx, load(ctx, case_of(ctx, case_id)), people["clerk"])
        assert seen["private_urgency"]["agreed_by_id"] == people["scrutiny"].id
        assert seen["private_urgency"]["reasons_published_on"] == date(2024, 10, 3)
    # No further notice was needed either: Cabinet may decide in private.
    clock.travel_to(london(2024, 10, 10, 17))
    payload = approve_payload(people, decided_on=MEETING, notice_published_on=MEETING)
    assert fires(work, case_id, people["clerk"], "approve", payload) == "delegated_approval"


# --- bug 5: special urgency is an office holder's agreement, where it is needed ------------


def test_special_urgency_needs_the_office_in_order_and_the_general_exception_impracticable(
    work: Work, clock: FrozenClock, people: People
) -> None:
    def urgency(who: str, on: date, note: str | None = None) -> UrgencyIn:
        return UrgencyIn(
            route="special_urgency",
            reason="The provider gives notice on 11 Oct.",
            agreed_by=people[who].name,
            agreed_by_id=people[who].id,
            agreed_on=on,
            precedence_note=note,
        )

    late = "The provider's notice came after the agenda."
    chairman = key_case(
        work,
        people,
        forward_plan_published_on=None,
        late_item_reason=late,
        urgency=urgency("chairman", date(2024, 10, 8)),
    )
    vice = key_case(
        work,
        people,
        forward_plan_published_on=None,
        late_item_reason=late,
        urgency=urgency("vice_chairman", date(2024, 10, 8), "Both chairs abroad."),
    )
    too_soon = key_case(
        work,
        people,
        forward_plan_published_on=None,
        late_item_reason=late,
        urgency=urgency("scrutiny", date(2024, 10, 1)),
    )
    clock.travel_to(london(2024, 10, 8, 12))
    officer = people["officer"]
    exc = refused(work, chairman, officer, "submit")
    assert names(exc) == ["key_decision_notice"]
    assert "Cllr Cath Chairman agreed as chairman of the council" in exc.detail
    exc = refused(work, too_soon, officer, "submit")
    assert "a general exception notice on Tue 01 Oct 2024 would have been in time" in exc.detail
    assert fires(work, vice, officer, "submit") == "cabinet_consideration"
    with work() as ctx:
        # The reasons notice (reg 11(2)) is due the next working day.
        assert deadline_kinds(ctx, vice)["urgency_reasons_notice"] == {date(2024, 10, 9)}
    notice(work, vice, people["clerk"], "urgency_reasons", date(2024, 10, 8))
    with work() as ctx:
        assert deadline_kinds(ctx, vice, "done")["urgency_reasons_notice"] == {date(2024, 10, 9)}
        seen = case_view(ctx, load(ctx, case_of(ctx, vice)), people["clerk"])["urgency"]
        assert (seen["agreed_by_id"], seen["agreed_on"], seen["reasons_published_on"]) == (
            people["vice_chairman"].id,
            date(2024, 10, 8),
            date(2024, 10, 8),
        )


# --- missing rules ---------------------------------------------------------------------------


def test_the_further_private_notice_is_due_5_clear_days_ahead_and_approve_needs_it(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Reg 5(4)-(5): Fri 4 Oct for Thu 10 Oct. Submit on 12 Sep cannot need it yet (it is
    still to be given); from Sat 5 Oct on, submit and approve refuse without it."""
    case_id = submitted(
        work, clock, people, exempt_paragraph=3, private_notice_published_on=date(2024, 9, 8)
    )
    late = key_case(
        work,
        people,
        exempt_paragraph=3,
        private_notice_published_on=date(2024, 9, 8),
        late_item_reason="Contracts end.",
    )
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["private_meeting_further_notice"] == {date(2024, 10, 4)}
        assert reminders_of(ctx, case_id, "private_meeting_further_notice") == [
            (R, 28, nine_am(date(2024, 9, 6))),
            (R, 14, nine_am(date(2024, 9, 20))),
            (R, 7, nine_am(date(2024, 9, 27))),
            (R, 1, nine_am(date(2024, 10, 3))),
            (E, None, nine_am(date(2024, 10, 5))),
        ]
    clock.travel_to(london(2024, 10, 7))
    exc = refused(work, late, people["officer"], "submit")
    assert names(exc) == ["private_further_notice"]
    assert "further notice by Fri 04 Oct 2024" in exc.detail
    clock.travel_to(london(2024, 10, 10, 17))
    payload = approve_payload(people, decided_on=MEETING, notice_published_on=MEETING)
    exc = refused(work, case_id, people["clerk"], "approve", payload)
    assert names(exc) == ["private_further_notice"]
    notice(work, case_id, people["clerk"], "private_further_notice", date(2024, 10, 4))
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done")["private_meeting_further_notice"] == {
            date(2024, 10, 4)
        }
    assert fires(work, case_id, people["clerk"], "approve", payload) == "delegated_approval"


def test_a_general_exception_on_fri_4_oct_is_too_late_for_thu_10_oct(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    """5 calendar clear days but only 3 working: refused by default; a constitution that
    counts calendar days may take it."""
    case_id = key_case(
        work,
        people,
        forward_plan_published_on=None,
        late_item_reason="Contracts end.",
        urgency=UrgencyIn(
            route="general_exception",
            reason="Contracts end.",
            notified_on=date(2024, 10, 4),
            chair_told_id=people["scrutiny"].id,
        ),
    )
    clock.travel_to(london(2024, 10, 4, 15))
    with work() as ctx:
        # The notice to the chair is a duty: due Wed 2 Oct, missed.
        assert deadline_kinds(ctx, case_id)["general_exception_notice"] == {date(2024, 10, 2)}
    exc = refused(work, case_id, people["officer"], "submit")
    assert "5 clear working days" in exc.detail
    settings.general_exception_in_working_days = False
    assert fires(work, case_id, people["officer"], "submit") == "cabinet_consideration"


def test_an_urgent_decision_outside_call_in_needs_the_scrutiny_chairs_agreement(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = submitted(work, clock, people)
    clock.travel_to(london(2024, 10, 10, 17))
    clerk = people["clerk"]
    body = approve_payload(
        people,
        decided_on=MEETING,
        notice_published_on=MEETING,
        urgent_reason="Services stop on 31 Oct.",
    )
    exc = refused(work, case_id, clerk, "approve", body)
    assert names(exc) == ["urgent_decision_agreed"]
    exc = refused(
        work, case_id, clerk, "approve", {**body, "urgent_agreed_by_id": people["chairman"].id}
    )
    assert names(exc) == ["urgent_decision_agreed"]
    body["urgent_agreed_by_id"] = people["scrutiny"].id
    assert fires(work, case_id, clerk, "approve", body) == "delegated_approval"
    with work() as ctx:
        assert "call_in_end" not in deadline_kinds(ctx, case_id)
        approval = load(ctx, case_of(ctx, case_id)).approval
        assert approval is not None and approval.urgent_agreed_by_id == people["scrutiny"].id


def test_a_sign_off_above_the_threshold_is_a_key_decision_only_where_the_council_says_so(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    """Cabinet's decision went under a general exception, so no forward plan named the
    delegate's decision: a council that treats the sign-off as a key decision refuses it."""
    case_id = key_case(
        work,
        people,
        forward_plan_published_on=None,
        urgency=UrgencyIn(
            route="general_exception",
            reason="Contracts end.",
            notified_on=date(2024, 10, 2),
            chair_told_id=people["scrutiny"].id,
        ),
    )
    clock.travel_to(london(2024, 10, 2, 12))
    assert fires(work, case_id, people["officer"], "submit") == "cabinet_consideration"
    clock.travel_to(london(2024, 10, 10, 17))
    fires(
        work,
        case_id,
        people["clerk"],
        "approve",
        approve_payload(people, decided_on=MEETING, notice_published_on=MEETING),
    )
    clock.travel_to(london(2024, 10, 18))
    with work() as ctx:
        consult(ctx, people, case_id)
    settings.sign_off_above_threshold_is_key_decision = True
    settings.key_decision_threshold_pence = 10_000 * 100  # £50,000 a year x 6 months reaches it
    exc = refused(work, case_id, people["executive"], "sign_off", sign_off_payload(6))
    assert names(exc) == ["sign_off_key_decision_notice"]
    settings.sign_off_above_threshold_is_key_decision = False
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload(6)) == "active"


# --- the new duties across bank holidays (pure planning) --------------------------------------


def _facts(case: Case, **more: Any) -> CaseFacts:
    return CaseFacts(
        case=case, agreements=[], is_key_decision=case.key_decision, today=date(2023, 1, 1), **more
    )


def _due(facts: CaseFacts, kind: str) -> set[date]:
    return {p.due_on for p in plan(facts, Settings()) if p.kind == kind}


def test_new_duties_fall_due_on_working_days_across_bank_holidays() -> None:
    # Further notice for Thu 4 Apr 2024: the law's day is Good Friday, so Thu 28 Mar.
    easter = Case(
        kind="extension",
        title="t",
        directorate="d",
        author_id=1,
        state=State.cabinet_consideration,
        meeting_date=date(2024, 4, 4),
        exempt_paragraph=3,
    )
    assert _due(_facts(easter), "private_meeting_further_notice") == {date(2024, 3, 28)}
    # Special urgency agreed Fri 23 Aug 2024: the reasons notice is due after the August bank
    # holiday, Tue 27 Aug.
    august = Case(
        kind="extension",
        title="t",
        directorate="d",
        author_id=1,
        state=State.cabinet_consideration,
        meeting_date=date(2024, 8, 29),
        key_decision=True,
        urgency_route="special_urgency",
        urgency_agreed_on=date(2024, 8, 23),
    )
    assert _due(_facts(august), "urgency_reasons_notice") == {date(2024, 8, 27)}
    # Cabinet decided Fri 23 Aug 2024: its reg 12 record by Wed 28 Aug.
    delegated = Case(
        kind="extension",
        title="t",
        directorate="d",
        author_id=1,
        state=State.delegated_approval,
        proposal_start_date=date(2024, 10, 1),
    )
    resolution = Resolution(
        case_id=1,
        outcome="approved",
        text="t",
        decided_on=date(2024, 8, 23),
        notice_published_on=None,
        recorded_by_id=1,
    )
    facts = _facts(delegated, resolution=resolution)
    assert _due(facts, "decision_record_publication") == {date(2024, 8, 28)}
    # An officer signed off on Fri 22 Dec 2023: the reg 13 record by Thu 28 Dec.
    active = Case(
        kind="extension",
        title="t",
        directorate="d",
        author_id=1,
        state=State.active,
        term_end=date(2024, 6, 30),
    )
    signed = SignOff(
        case_id=1,
        delegation_id=1,
        signer_id=2,
        months=6,
        term_start=date(2024, 1, 1),
        term_end=date(2024, 6, 30),
        reasons="r",
        conflicts_of_interest="None declared",
        signed_on=date(2023, 12, 22),
    )
    assert _due(_facts(active, sign_offs=[signed]), "decision_record_publication") == {
        date(2023, 12, 28)
    }


def test_the_reasons_notice_is_reminded_across_the_august_bank_holiday(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Agreed Fri 23 Aug 2024 for Thu 29 Aug: the reasons notice is due Tue 27 Aug, after the
    bank holiday; the reminders that had passed go at once, the escalation the day after."""
    clock.travel_to(london(2024, 8, 23, 10))
    case_id = key_case(
        work,
        people,
        meeting_date=date(2024, 8, 29),
        forward_plan_published_on=None,
        late_item_reason="The provider gave notice.",
        urgency=UrgencyIn(
            route="special_urgency",
            reason="The provider gave notice.",
            agreed_by_id=people["scrutiny"].id,
            agreed_on=date(2024, 8, 23),
        ),
    )
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["urgency_reasons_notice"] == {date(2024, 8, 27)}
        assert reminders_of(ctx, case_id, "urgency_reasons_notice") == [
            (R, 7, london(2024, 8, 23, 10)),
            (R, 1, nine_am(date(2024, 8, 26))),
            (E, None, nine_am(date(2024, 8, 28))),
        ]


# --- reports to the council (regs 18 and 19) ------------------------------------------------


def test_the_reports_to_council_list_the_decisions_taken_without_the_forward_plan(
    work: Work, clock: FrozenClock, people: People
) -> None:
    planned = submitted(work, clock, people)  # on the forward plan: in neither report
    late = "The provider's notice came after the agenda."
    special = key_case(
        work,
        people,
        forward_plan_published_on=None,
        late_item_reason=late,
        exempt_paragraph=3,
        private_urgency=PrivateUrgencyIn(
            reason="Prices.", agreed_by_id=people["scrutiny"].id, agreed_on=date(2024, 10, 8)
        ),
        urgency=UrgencyIn(
            route="special_urgency",
            reason="The provider gives notice on 11 Oct.",
            agreed_by_id=people["scrutiny"].id,
            agreed_on=date(2024, 10, 8),
        ),
    )
    general = key_case(
        work,
        people,
        forward_plan_published_on=None,
        late_item_reason=late,
        urgency=UrgencyIn(
            route="general_exception",
            reason="Contracts end.",
            notified_on=date(2024, 10, 2),
            chair_told_id=people["scrutiny"].id,
        ),
    )
    clock.travel_to(london(2024, 10, 8, 12))
    for case_id in (special, general):
        assert fires(work, case_id, people["officer"], "submit") == "cabinet_consideration"
    clock.travel_to(london(2024, 10, 10, 17))
    payload = approve_payload(people, decided_on=MEETING, notice_published_on=MEETING)
    for case_id in (planned, special, general):
        assert fires(work, case_id, people["clerk"], "approve", payload) == "delegated_approval"

    year = (date(2024, 4, 1), date(2025, 3, 31))
    with work() as ctx:
        urgent = special_urgency_report(ctx, people["scrutiny"], *year)
        assert urgent["regulation"] == "SI 2012/2089 reg 19"
        assert [i["case_id"] for i in urgent["items"]] == [special]
        (item,) = urgent["items"]
        assert (item["agreed_by"], item["agreed_by_office"], item["agreed_on"]) == (
            "Cllr Sid Scrutiny",
            "chair of the overview and scrutiny committee",
            "2024-10-08",
        )
        assert item["reason"] == "The provider gives notice on 11 Oct."
        procedure = key_decision_procedure_report(ctx, people["clerk"], *year)
        assert [(i["case_id"], i["route"]) for i in procedure["items"]] == [
            (special, "special_urgency"),
            (general, "general_exception"),
        ]
        assert procedure["items"][1]["chair_told"] == "Cllr Sid Scrutiny"
        before = special_urgency_report(ctx, people["admin"], date(2024, 4, 1), date(2024, 10, 9))
        assert before["items"] == []
        with pytest.raises(Forbidden):
            special_urgency_report(ctx, people["viewer"], *year)
        with pytest.raises(InvalidInput):
            special_urgency_report(ctx, people["admin"], year[1], year[0])


def test_a_further_notice_recorded_ahead_is_done_on_its_day_by_the_scheduler(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Recorded on 1 Oct for Fri 4 Oct: open until the day, then the scheduler's pass marks
    the duty done and stops its reminders, as it does for the other notices."""
    case_id = submitted(
        work, clock, people, exempt_paragraph=3, private_notice_published_on=date(2024, 9, 8)
    )
    clock.travel_to(london(2024, 10, 1))
    notice(work, case_id, people["clerk"], "private_further_notice", date(2024, 10, 4))
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["private_meeting_further_notice"] == {date(2024, 10, 4)}
        assert refresh_notices_now_published(ctx) == []
    clock.travel_to(london(2024, 10, 4, 8))
    with work() as ctx:
        assert refresh_notices_now_published(ctx) == [case_id]
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done")["private_meeting_further_notice"] == {
            date(2024, 10, 4)
        }
        assert reminders_of(ctx, case_id, "private_meeting_further_notice") == []
