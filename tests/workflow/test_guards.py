"""Every guard of SPEC §3 refusing, every "who may fire it" rule refusing, and payloads
refused by field; each time the case is left exactly as it was (state, version, audit trail,
deadlines, reminders, records) and the refusal names every failing guard at once.

Unless a test says otherwise a case is small (two agreements, £50,000 a year), complete, for
the Cabinet of Thu 5 Sep 2024 (agenda due by Wed 28 Aug), starting 1 Oct 2024 for six
months with up to twelve; the clock starts on Mon 1 Jul 2024.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from casework import (
    APPROVED_AT,
    SIGNED_AT,
    Work,
    approve_payload,
    case_of,
    consult,
    london,
    new_case,
    sign_off_payload,
    snapshot,
    to_active,
    to_cabinet,
    to_delegated,
)
from pydantic import ValidationError
from sqlalchemy import update

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.errors import DomainError, Forbidden, InvalidInput, NotFound, TransitionRefused
from workflow.lifecycle.events import fire
from workflow.models import Delegation, User
from workflow.schemas import CaseIn, OptionIn, ProposalIn, ReportIn, UrgencyIn
from workflow.settings import Settings

People = dict[str, User]


def refuses(work: Work, case_id: int, error: type[DomainError], call: Callable[[Ctx], Any]) -> Any:
    """Run ``call`` expecting ``error``; prove nothing changed, both inside the unit of work
    (nothing flushed) and after it commits (nothing left in the session to write)."""
    with work() as ctx:
        before = snapshot(ctx, case_id)
    with work() as ctx:
        with pytest.raises(error) as info:
            call(ctx)
        assert snapshot(ctx, case_id) == before
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
    return info.value


def refused(
    work: Work, case_id: int, actor: User, event: str, payload: dict[str, Any] | None = None
) -> TransitionRefused:
    exc = refuses(
        work, case_id, TransitionRefused, lambda ctx: fire(ctx, case_id, event, actor, payload)
    )
    assert isinstance(exc, TransitionRefused)
    return exc


def guard_names(exc: TransitionRefused) -> list[str]:
    return [g.name for g in exc.guards]


def fires(work: Work, case_id: int, actor: User, event: str, payload: Any = None) -> str:
    with work() as ctx:
        return fire(ctx, case_id, event, actor, payload).state


def drafted(work: Work, people: People, **overrides: Any) -> int:
    with work() as ctx:
        return new_case(ctx, people, **overrides)


# --- submit --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "missing"),
    [
        (
            ReportIn(options=[OptionIn(label="Extend", description="Extend it.")]),
            [
                "at least two options considered",
                "a recommended option",
                "reasons for the recommendation",
                "financial implications",
            ],
        ),
        (
            ReportIn(
                options=[
                    OptionIn(label="A", description="a", rejected_reason="no"),
                    OptionIn(label="B", description="b"),
                ],
                recommended_option="C",
                reasons="Because.",
                financial_implications="None.",
            ),
            ["a recommended option that is one of the options considered"],
        ),
        (
            ReportIn(
                options=[
                    OptionIn(label="A", description="a", rejected_reason="no"),
                    OptionIn(label="B", description="b"),
                ],
                recommended_option="B",
                reasons="Because.",
            ),
            ["financial implications"],
        ),
    ],
)
def test_report_complete_names_each_missing_part(
    work: Work, people: People, report: ReportIn, missing: list[str]
) -> None:
    case_id = drafted(work, people, report=report)
    exc = refused(work, case_id, people["officer"], "submit")
    assert guard_names(exc) == ["report_complete"]
    for part in missing:
        assert part in exc.detail
    assert exc.type_slug == "guard-failed"
    assert exc.allowed_events == ["withdraw"]


def test_meeting_date_set(work: Work, people: People) -> None:
    case_id = drafted(work, people, meeting_date=None)
    exc = refused(work, case_id, people["officer"], "submit")
    assert guard_names(exc) == ["meeting_date_set"]


def test_agenda_deadline_not_passed_counts_london_days(
    work: Work, clock: FrozenClock, people: People
) -> None:
    in_time, late = drafted(work, people), drafted(work, people)
    # Wed 28 Aug 23:30 in London is still the last day the agenda may go out...
    clock.travel_to(london(2024, 8, 28, 23, 30))
    assert fires(work, in_time, people["officer"], "submit") == "cabinet_consideration"
    # ...and half past midnight London time is Thursday, though it is Wednesday in UTC.
    clock.travel_to(london(2024, 8, 29, 0, 30))
    assert clock.now().day == 28
    exc = refused(work, late, people["officer"], "submit")
    assert guard_names(exc) == ["agenda_deadline_not_passed"]
    assert "Wed 28 Aug 2024" in exc.detail


def test_key_decision_marked_when_value_reaches_the_threshold(work: Work, people: People) -> None:
    # £400,000 a year over 15 months is £500,000: exactly the threshold.
    reaches = drafted(
        work,
        people,
        annual_pounds=[150_000, 250_000],
        forward_plan_published_on=date(2024, 7, 1),
        proposal=ProposalIn(start_date=date(2024, 10, 1), initial_months=6, max_months=15),
    )
    exc = refused(work, reaches, people["officer"], "submit")
    assert guard_names(exc) == ["key_decision_marked"]
    assert "£500,000.00" in exc.detail

    # A month fewer (£466,666.66) is under it, and a marked case passes whatever its value.
    under = drafted(
        work,
        people,
        annual_pounds=[150_000, 250_000],
        proposal=ProposalIn(start_date=date(2024, 10, 1), initial_months=6, max_months=14),
    )
    assert fires(work, under, people["officer"], "submit") == "cabinet_consideration"
    marked = drafted(
        work,
        people,
        annual_pounds=[150_000, 250_000],
        key_decision=True,
        forward_plan_published_on=date(2024, 7, 1),
        proposal=ProposalIn(start_date=date(2024, 10, 1), initial_months=6, max_months=15),
    )
    assert fires(work, marked, people["officer"], "submit") == "cabinet_consideration"


def test_key_decision_notice_needs_28_clear_days(
    work: Work, clock: FrozenClock, people: People
) -> None:
    late = drafted(work, people, key_decision=True, forward_plan_published_on=date(2024, 8, 8))
    none = drafted(work, people, key_decision=True)
    in_time = drafted(work, people, key_decision=True, forward_plan_published_on=date(2024, 8, 7))
    clock.travel_to(london(2024, 8, 8))
    exc = refused(work, late, people["officer"], "submit")
    assert guard_names(exc) == ["key_decision_notice"]
    assert "Wed 07 Aug 2024" in exc.detail and "Thu 08 Aug 2024" in exc.detail
    exc = refused(work, none, people["officer"], "submit")
    assert guard_names(exc) == ["key_decision_notice"]
    assert "was not published" in exc.detail
    assert fires(work, in_time, people["officer"], "submit") == "cabinet_consideration"


def test_general_exception_needs_5_clear_working_days_notice_and_the_chair_told(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    """Rule deliberately changed (issue 11): the general exception's 5 clear days are counted
    in working days by default, as the agenda's are, and the scrutiny chair told is a person.
    For Thu 5 Sep 2024: Wed 28 Aug is in time; Thu 29 Aug, and Fri 30 Aug (5 calendar clear
    days but only 3 working) are not."""
    # A late item: this council lets agendas go out the day before the meeting.
    settings.agenda_clear_working_days = 0
    chair = people["scrutiny"].id

    def urgency(notified_on: date | None, told: int | None = chair) -> UrgencyIn:
        return UrgencyIn(
            route="general_exception",
            reason="Contracts end 30 Sep.",
            notified_on=notified_on,
            chair_told_id=told,
        )

    friday = drafted(work, people, key_decision=True, urgency=urgency(date(2024, 8, 30)))
    thursday = drafted(work, people, key_decision=True, urgency=urgency(date(2024, 8, 29)))
    unnotified = drafted(work, people, key_decision=True, urgency=urgency(None))
    untold = drafted(work, people, key_decision=True, urgency=urgency(date(2024, 8, 28), None))
    not_chair = drafted(
        work,
        people,
        key_decision=True,
        urgency=urgency(date(2024, 8, 28), people["viewer"].id),
    )
    wednesday = drafted(work, people, key_decision=True, urgency=urgency(date(2024, 8, 28)))
    clock.travel_to(london(2024, 8, 31))
    for case_id in (friday, thursday, unnotified):
        exc = refused(work, case_id, people["officer"], "submit")
        assert guard_names(exc) == ["key_decision_notice"]
        assert "published by Wed 28 Aug 2024 (5 clear working days" in exc.detail
    for case_id in (untold, not_chair):
        exc = refused(work, case_id, people["officer"], "submit")
        assert guard_names(exc) == ["key_decision_notice"]
        assert "chair of the overview and scrutiny committee told" in exc.detail
    assert fires(work, wednesday, people["officer"], "submit") == "cabinet_consideration"
    # A constitution that counts calendar days takes Friday's notice.
    settings.general_exception_in_working_days = False
    assert fires(work, friday, people["officer"], "submit") == "cabinet_consideration"


def test_special_urgency_needs_an_office_holder_not_any_text(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Rule deliberately changed (issue 11, bug 5): a name as text is not the agreement."""

    def urgency(**fields: Any) -> UrgencyIn:
        return UrgencyIn(route="special_urgency", reason="Cannot wait.", **fields)

    text_only = drafted(
        work,
        people,
        key_decision=True,
        late_item_reason="Contracts end 30 Sep.",
        urgency=urgency(agreed_by="Chair of Overview and Scrutiny", agreed_on=date(2024, 9, 2)),
    )
    agreed = drafted(
        work,
        people,
        key_decision=True,
        late_item_reason="Contracts end 30 Sep.",
        urgency=urgency(agreed_by_id=people["scrutiny"].id, agreed_on=date(2024, 9, 2)),
    )
    clock.travel_to(london(2024, 9, 2, 12))
    exc = refused(work, text_only, people["officer"], "submit")
    assert guard_names(exc) == ["key_decision_notice"]
    assert "recorded as that person" in exc.detail
    assert fires(work, agreed, people["officer"], "submit") == "cabinet_consideration"


def test_exempt_notice_needs_a_private_meeting_notice_28_clear_days_ahead(
    work: Work, clock: FrozenClock, people: People
) -> None:
    late = drafted(work, people, exempt_paragraph=3, private_notice_published_on=date(2024, 8, 8))
    none = drafted(work, people, exempt_paragraph=3)
    in_time = drafted(
        work, people, exempt_paragraph=3, private_notice_published_on=date(2024, 8, 7)
    )
    clock.travel_to(london(2024, 8, 8))
    for case_id in (late, none):
        exc = refused(work, case_id, people["officer"], "submit")
        assert guard_names(exc) == ["exempt_notice"]
        assert "Wed 07 Aug 2024" in exc.detail
    assert fires(work, in_time, people["officer"], "submit") == "cabinet_consideration"
    with pytest.raises(ValidationError, match="exempt_paragraph"):
        CaseIn.model_validate({**_case_fields(), "exempt_paragraph": 8})


def test_a_notice_dated_in_the_future_does_not_count_until_its_day(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    """Recording the date a notice *will* go out is not publishing it: until that day comes,
    submit is refused for each of the three notices, and on the day it passes."""
    settings.agenda_clear_working_days = 0
    forward = drafted(work, people, key_decision=True, forward_plan_published_on=date(2024, 8, 2))
    private = drafted(
        work, people, exempt_paragraph=3, private_notice_published_on=date(2024, 8, 2)
    )
    general = drafted(
        work,
        people,
        key_decision=True,
        urgency=UrgencyIn(
            route="general_exception",
            reason="Contracts end.",
            notified_on=date(2024, 8, 2),
            chair_told_id=people["scrutiny"].id,
        ),
    )
    clock.travel_to(london(2024, 8, 1))
    for case_id, guard, what in (
        (forward, "key_decision_notice", "forward-plan notice"),
        (private, "exempt_notice", "private-meeting notice"),
        (general, "key_decision_notice", "general exception notice"),
    ):
        exc = refused(work, case_id, people["officer"], "submit")
        assert guard_names(exc) == [guard]
        assert f"the {what} is dated Fri 02 Aug 2024, which is still to come" in exc.detail
    clock.travel_to(london(2024, 8, 2))
    for case_id in (forward, private, general):
        assert fires(work, case_id, people["officer"], "submit") == "cabinet_consideration"


def _case_fields() -> dict[str, Any]:
    return {
        "kind": "extension",
        "title": "t",
        "directorate": "d",
        "agreement_ids": [1],
        "proposal": {"start_date": "2024-10-01", "initial_months": 6, "max_months": 12},
    }


def test_a_refusal_names_every_failing_guard_at_once(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = drafted(
        work,
        people,
        annual_pounds=[600_000],
        exempt_paragraph=1,
        report=ReportIn(recommended_option="Extend"),
    )
    clock.travel_to(london(2024, 8, 29))
    exc = refused(work, case_id, people["officer"], "submit")
    assert guard_names(exc) == [
        "report_complete",
        "agenda_deadline_not_passed",
        "key_decision_marked",
        "key_decision_notice",
        "exempt_notice",
    ]
    for guard in exc.guards:
        assert guard.reason in exc.detail


# --- defer, approve, reject ---------------------------------------------------------------


def test_meeting_date_not_past(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(london(2024, 9, 5))
    payload = {"reason": "Time ran out.", "meeting_date": "2024-09-04"}
    exc = refused(work, case_id, people["clerk"], "defer", payload)
    assert guard_names(exc) == ["meeting_date_not_past"]
    assert "Wed 04 Sep 2024" in exc.detail
    payload["meeting_date"] = "2024-09-05"
    assert fires(work, case_id, people["clerk"], "defer", payload) == "cabinet_consideration"


def test_decided_not_in_future(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(london(2024, 9, 5))
    exc = refused(
        work,
        case_id,
        people["clerk"],
        "reject",
        {"resolution": "Rejected.", "decided_on": "2024-09-06"},
    )
    # Tomorrow is not the meeting's day either (issue 11): both are named.
    assert guard_names(exc) == ["decided_not_in_future", "decided_at_meeting"]
    assert "Fri 06 Sep 2024" in exc.detail
    # An approval dated tomorrow has its notice in the future too: all three are named.
    payload = approve_payload(
        people, decided_on=date(2024, 9, 6), notice_published_on=date(2024, 9, 6)
    )
    exc = refused(work, case_id, people["clerk"], "approve", payload)
    assert guard_names(exc) == [
        "decided_not_in_future",
        "decided_at_meeting",
        "notice_after_decision",
    ]


@pytest.mark.parametrize(
    ("decided_on", "notice", "words"),
    [
        (date(2024, 9, 5), date(2024, 9, 4), "before the decision"),
        (date(2024, 9, 5), date(2024, 9, 7), "in the future"),
    ],
)
def test_notice_after_decision(
    work: Work, clock: FrozenClock, people: People, decided_on: date, notice: date, words: str
) -> None:
    case_id = drafted(work, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    payload = approve_payload(people, decided_on=decided_on, notice_published_on=notice)
    exc = refused(work, case_id, people["clerk"], "approve", payload)
    assert guard_names(exc) == ["notice_after_decision"]
    assert words in exc.detail


@pytest.mark.parametrize(
    ("overrides", "guards", "words"),
    [
        ({"delegate": "colleague"}, ["delegate_is_executive"], "executive role"),
        ({"delegate_id": 999_999}, ["delegate_is_executive"], "does not exist"),
        ({"delegate": "system"}, ["delegate_is_executive"], "does not exist"),
        ({"consultee": "viewer"}, ["consultee_is_cabinet_member"], "cabinet_member role"),
        ({"consultee_id": 999_999}, ["consultee_is_cabinet_member"], "does not exist"),
        (
            {"delegate": "colleague", "consultee": "executive"},
            ["delegate_is_executive", "consultee_is_cabinet_member"],
            "executive role",
        ),
    ],
)
def test_delegate_and_consultee_hold_their_roles(
    work: Work,
    clock: FrozenClock,
    people: People,
    overrides: dict[str, Any],
    guards: list[str],
    words: str,
) -> None:
    case_id = drafted(work, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    body = dict(overrides)
    if "delegate" in body:
        body["delegate_id"] = people[body.pop("delegate")].id
    if "consultee" in body:
        body["consultee_id"] = people[body.pop("consultee")].id
    exc = refused(work, case_id, people["clerk"], "approve", approve_payload(people, **body))
    assert guard_names(exc) == guards
    assert words in exc.detail


def test_delegate_is_not_author(work: Work, clock: FrozenClock, people: People) -> None:
    author = people["officer_executive"]
    case_id = drafted(work, people, author="officer_executive")
    with work() as ctx:
        fire(ctx, case_id, "submit", author)
    clock.travel_to(APPROVED_AT)
    payload = approve_payload(people, delegate_id=author.id)
    exc = refused(work, case_id, people["clerk"], "approve", payload)
    assert guard_names(exc) == ["delegate_is_not_author"]


def test_approve_without_a_consultee_needs_no_consultation(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id, consultee_id=None)
    clock.travel_to(SIGNED_AT)
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload(6)) == "active"


# --- call_in, sign_off ----------------------------------------------------------------------


def test_within_call_in_period(work: Work, clock: FrozenClock, people: People) -> None:
    in_time, late = drafted(work, people), drafted(work, people)
    to_cabinet(work, people, late)
    to_delegated(work, clock, people, in_time)
    fires(work, late, people["clerk"], "approve", approve_payload(people))
    # Notice Fri 6 Sep: call-in closes at the end of Fri 13 Sep.
    clock.travel_to(london(2024, 9, 13, 23))
    reason = {"reason": "The committee wants to look again."}
    assert fires(work, in_time, people["scrutiny"], "call_in", reason) == "called_in"
    clock.travel_to(london(2024, 9, 14, 9))
    exc = refused(work, late, people["scrutiny"], "call_in", reason)
    assert guard_names(exc) == ["within_call_in_period"]
    assert "ended on Fri 13 Sep 2024" in exc.detail


def test_an_urgent_decision_cannot_be_called_in_and_may_be_signed_off_at_once(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = drafted(work, people)
    to_delegated(
        work,
        clock,
        people,
        case_id,
        urgent_reason="Services stop on 30 Sep.",
        urgent_agreed_by_id=people["scrutiny"].id,
    )
    with work() as ctx:
        consult(ctx, people, case_id)
    exc = refused(work, case_id, people["scrutiny"], "call_in", {"reason": "Look again."})
    assert guard_names(exc) == ["within_call_in_period"]
    assert "urgent" in exc.detail
    # Fri 6 Sep, inside what would have been the call-in period.
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload()) == "active"


def test_call_in_period_over(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        consult(ctx, people, case_id)
    # The last day of call-in, and the weekend after it: not yet.
    for moment in (london(2024, 9, 13, 17), london(2024, 9, 15, 12)):
        clock.travel_to(moment)
        exc = refused(work, case_id, people["executive"], "sign_off", sign_off_payload())
        assert guard_names(exc) == ["call_in_period_over"]
        assert "from Mon 16 Sep 2024" in exc.detail
    clock.travel_to(london(2024, 9, 16, 8))
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload()) == "active"


def test_consultation_recorded_since_the_case_last_entered_delegated_approval(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        consult(ctx, people, case_id)
    # Called in and approved again: the consultation under the first approval lapsed.
    clock.travel_to(london(2024, 9, 9))
    fires(work, case_id, people["scrutiny"], "call_in", {"reason": "Look again."})
    outcome = {"met_on": "2024-09-10", "reasons": "Cabinet should look again."}
    fires(work, case_id, people["clerk"], "refer_back_to_decision_maker", outcome)
    clock.travel_to(london(2024, 9, 12))
    # Cabinet reconsiders at its meeting of 5 Sep, adjourned to 12 Sep.
    payload = approve_payload(
        people,
        decided_on=date(2024, 9, 12),
        notice_published_on=date(2024, 9, 12),
        adjourned_to=date(2024, 9, 12),
    )
    fires(work, case_id, people["clerk"], "approve", payload)
    clock.travel_to(london(2024, 9, 20))
    exc = refused(work, case_id, people["executive"], "sign_off", sign_off_payload())
    assert guard_names(exc) == ["consultation_recorded"]
    with work() as ctx:
        consult(ctx, people, case_id)
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload()) == "active"


@pytest.mark.parametrize(
    ("max_months", "months", "words"),
    [
        (12, 13, "13 months exceeds what is left of the envelope (12 of 12 months)"),
        (6, 7, "7 months exceeds what is left of the envelope (6 of 6 months)"),
    ],
)
def test_term_within_envelope(
    work: Work, clock: FrozenClock, people: People, max_months: int, months: int, words: str
) -> None:
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id, max_months=max_months)
    with work() as ctx:
        consult(ctx, people, case_id)
    clock.travel_to(SIGNED_AT)
    exc = refused(work, case_id, people["executive"], "sign_off", sign_off_payload(months))
    assert guard_names(exc) == ["term_within_envelope"]
    assert words in exc.detail
    assert "new case" not in exc.detail
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload(max_months))


def test_signer_not_author_even_if_the_delegation_names_the_author(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """The approve guard keeps the author from being delegate; should a delegation row say
    otherwise (edited in the database), sign-off still refuses the author."""
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        consult(ctx, people, case_id)
        ctx.session.execute(
            update(Delegation)
            .where(Delegation.case_id == case_id)  # type: ignore[arg-type]
            .values(delegate_id=people["officer"].id)
        )
    clock.travel_to(SIGNED_AT)
    exc = refused(work, case_id, people["officer"], "sign_off", sign_off_payload())
    assert guard_names(exc) == ["signer_not_author"]


# --- extend, expire -------------------------------------------------------------------------


def test_extension_within_envelope(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_active(work, clock, people, case_id, months=6)
    exc = refused(work, case_id, people["officer"], "extend", {"months": 7, "reasons": "Longer."})
    assert guard_names(exc) == ["extension_within_envelope"]
    assert "7 months exceeds what is left of the envelope (6 of 12 months)" in exc.detail
    assert "a new case and a Cabinet decision are needed" in exc.detail


def test_envelope_has_months_left(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_active(work, clock, people, case_id, months=12)
    exc = refused(work, case_id, people["officer"], "extend", {"months": 1, "reasons": "More."})
    assert guard_names(exc) == ["envelope_has_months_left", "extension_within_envelope"]
    assert "envelope is used up; a new case and a Cabinet decision are needed" in exc.detail
    assert exc.allowed_events == []


def test_end_date_passed(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_active(work, clock, people, case_id, months=6)
    clock.travel_to(london(2025, 3, 31, 23, 59))
    exc = refused(work, case_id, people["system"], "expire")
    assert guard_names(exc) == ["end_date_passed"]
    assert "Mon 31 Mar 2025" in exc.detail
    clock.travel_to(london(2025, 4, 1, 0, 1))
    assert fires(work, case_id, people["system"], "expire") == "expired"


# --- who may fire it ------------------------------------------------------------------------


def forbidden(work: Work, case_id: int, actor: User, event: str, payload: Any = None) -> str:
    exc = refuses(work, case_id, Forbidden, lambda ctx: fire(ctx, case_id, event, actor, payload))
    return str(exc.detail)


def test_submit_by_the_author_or_an_officer_of_its_directorate(work: Work, people: People) -> None:
    case_id = drafted(work, people)
    for who in ("outsider", "clerk", "executive", "admin", "viewer"):
        detail = forbidden(work, case_id, people[who], "submit")
        assert "the case's author, or any officer of its directorate" in detail
    assert fires(work, case_id, people["colleague"], "submit") == "cabinet_consideration"


def test_only_democratic_services_record_cabinet(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id = drafted(work, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    payloads = {
        "defer": {"reason": "Later.", "meeting_date": "2024-10-03"},
        "refer_back": {"reason": "Needs work."},
        "approve": approve_payload(people),
        "reject": {"resolution": "No.", "decided_on": "2024-09-05"},
    }
    for event, payload in payloads.items():
        for who in ("officer", "admin", "scrutiny", "executive"):
            assert "democratic services" in forbidden(work, case_id, people[who], event, payload)
    assert fires(work, case_id, people["clerk"], "approve", payloads["approve"])


def test_only_scrutiny_calls_in(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id)
    for who in ("clerk", "officer", "admin", "cabinet_member"):
        detail = forbidden(work, case_id, people[who], "call_in", {"reason": "Look again."})
        assert "scrutiny" in detail


def test_only_the_named_delegate_signs_off(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        consult(ctx, people, case_id)
    clock.travel_to(SIGNED_AT)
    for who in ("other_executive", "cabinet_member", "admin", "clerk", "officer"):
        detail = forbidden(work, case_id, people[who], "sign_off", sign_off_payload())
        assert "only the named delegate" in detail
    assert fires(work, case_id, people["executive"], "sign_off", sign_off_payload()) == "active"


def test_only_an_officer_extends(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_active(work, clock, people, case_id)
    for who in ("clerk", "executive", "admin", "cabinet_member"):
        detail = forbidden(work, case_id, people[who], "extend", {"months": 6, "reasons": "r"})
        assert "an officer" in detail
    assert fires(work, case_id, people["outsider"], "extend", {"months": 6, "reasons": "r"})


def test_only_the_scheduler_expires(work: Work, clock: FrozenClock, people: People) -> None:
    case_id = drafted(work, people)
    to_active(work, clock, people, case_id)
    clock.travel_to(london(2025, 4, 2))
    for who in ("admin", "officer", "clerk", "executive"):
        assert "the scheduler only" in forbidden(work, case_id, people[who], "expire")
    assert fires(work, case_id, people["system"], "expire") == "expired"


def test_withdraw_by_the_author_or_an_admin(work: Work, people: People) -> None:
    by_author, by_admin = drafted(work, people), drafted(work, people)
    to_cabinet(work, people, by_admin)
    reason = {"reason": "No longer needed."}
    for case_id in (by_author, by_admin):
        for who in ("colleague", "clerk", "executive", "scrutiny"):
            detail = forbidden(work, case_id, people[who], "withdraw", reason)
            assert "the author, or an admin" in detail
    assert fires(work, by_author, people["officer"], "withdraw", reason) == "withdrawn"
    assert fires(work, by_admin, people["admin"], "withdraw", reason) == "withdrawn"


# --- payloads and states --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "actor", "payload", "fields"),
    [
        ("defer", "clerk", {}, {"reason", "meeting_date"}),
        ("defer", "clerk", {"reason": "r", "meeting_date": "next week"}, {"meeting_date"}),
        ("refer_back", "clerk", {"reason": ""}, {"reason"}),
        ("withdraw", "officer", {"reason": ""}, {"reason"}),
        ("submit", "officer", {"meeting_date": "2024-09-05"}, {"meeting_date"}),
        (
            "approve",
            "clerk",
            {"resolution": "r", "decided_on": "yesterday", "notice_published_on": "2024-09-06"},
            {"decided_on", "delegate_id"},
        ),
        (
            "reject",
            "clerk",
            {"resolution": "r", "decided_on": "2024-09-05", "urgent": True},
            {"urgent"},
        ),
    ],
)
def test_payloads_are_validated_by_field(
    work: Work,
    people: People,
    event: str,
    actor: str,
    payload: dict[str, Any],
    fields: set[str],
) -> None:
    case_id = drafted(work, people)
    if event not in ("submit", "withdraw"):
        to_cabinet(work, people, case_id)
    exc = refuses(
        work,
        case_id,
        InvalidInput,
        lambda ctx: fire(ctx, case_id, event, people[actor], payload),
    )
    assert {p.field for p in exc.problems} == fields


@pytest.mark.parametrize("months", [0, -6, "six", 241])
def test_months_asked_for_are_a_whole_positive_number(
    work: Work, clock: FrozenClock, people: People, months: Any
) -> None:
    case_id = drafted(work, people)
    to_active(work, clock, people, case_id)
    payload = {"months": months, "reasons": "r"}
    exc = refuses(
        work,
        case_id,
        InvalidInput,
        lambda ctx: fire(ctx, case_id, "extend", people["officer"], payload),
    )
    assert [p.field for p in exc.problems] == ["months"]


def test_an_event_not_allowed_from_the_state_says_what_is(work: Work, people: People) -> None:
    case_id = drafted(work, people)
    exc = refused(work, case_id, people["officer"], "sign_off", sign_off_payload())
    assert exc.guards == []
    assert exc.type_slug == "transition-not-allowed"
    assert exc.state == "drafted"
    assert exc.allowed_events == ["submit", "withdraw"]
    assert refuses(
        work, case_id, NotFound, lambda ctx: fire(ctx, case_id, "approve_all", people["admin"])
    )


def test_case_left_alone_is_still_drafted(work: Work, people: People) -> None:
    """The helper itself: a refusal that did write something would be caught."""
    case_id = drafted(work, people)
    with work() as ctx:
        before = snapshot(ctx, case_id)
        fire(ctx, case_id, "submit", people["officer"])
        assert snapshot(ctx, case_id) != before
        assert case_of(ctx, case_id).version == before.version + 1
