"""Oldham's SLA with Miocare Group CIC (SPEC §1.1) through the service, and who sees what.

A key decision for the Cabinet of Monday 18 Sep 2023 whose item 10 is exempt (Schedule 12A
paragraph 3): the forward plan of Sunday 20 Aug is in time and 21 Aug is not; Cabinet defers
the item to later on the same meeting's agenda, to consider item 10 first, then approves.
Item 7 was public and only item 10's information exempt (issue 12, fault 4): everyone sees
Part A (the options, the value, the resolution, the urgency reasons); everyone but the author,
democratic services, the delegate, the consultee, scrutiny and admins sees Part B redacted,
with the paragraph number, until the exemption lapses. A case whose whole report is exempt
(``exempt_paragraph``) is still redacted as before.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from casework import Work, allowed, audit_events, case_of, deadline_kinds, london, snapshot

from workflow import demo
from workflow.clock import FrozenClock
from workflow.errors import TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.cases import create_case, patch_case
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire, implement_due
from workflow.lifecycle.views import audit_of, case_view, decision_record
from workflow.models import User, pk
from workflow.schemas import CasePatch, ConsultationIn, UrgencyIn

DEFER_REASON = "To consider the commercially sensitive information at item 10 (exempt) first."
RESOLUTION = "Approve the refreshed SLA with Miocare Group CIC for services through OCS Ltd."
RESPONSE = "Content, given the figures at item 10."
SIGN_OFF_REASONS = "The refreshed SLA reflects the services Miocare now delivers."
CONFLICTS = "Cllr Member declared a family member employed by Miocare; took no part."

REPORT = demo.oldham_case_in([1]).report
# What Part A of Oldham's item 7 holds (issue 12, fault 4: public unless all exempt).
PART_A = [
    RESOLUTION,
    RESPONSE,
    SIGN_OFF_REASONS,
    CONFLICTS,
    str(REPORT.summary),
    str(REPORT.reasons),
    str(REPORT.financial_implications),
    *(o.description for o in REPORT.options),
    *(str(o.rejected_reason) for o in REPORT.options if o.rejected_reason),
]
SECRETS = [DEFER_REASON, *PART_A]
ENTITLED = ("oldham_officer", "clerk", "executive", "cabinet_member", "scrutiny", "admin")
NOT_ENTITLED = ("viewer", "officer", "other_executive", "colleague")


@pytest.fixture
def clock() -> FrozenClock:
    """Oldham's story happens in 2023."""
    return FrozenClock(london(2023, 8, 1, 9))


def miocare_case(work: Work, people: dict[str, User], forward_plan: date, **update: Any) -> int:
    """Oldham's item 7 as the demo has it (Part B: item 10), with ``update`` on top; the
    public-interest test weighed by democratic services."""
    author = people["oldham_officer"]
    with work() as ctx:
        miocare = demo.oldham_agreement(ctx, author)
        data = demo.oldham_case_in([pk(miocare.id)], public_interest_by=pk(people["clerk"].id))
        data = data.model_copy(update={"forward_plan_published_on": forward_plan, **update})
        return pk(create_case(ctx, data, author).id)


ALL_EXEMPT = {"exempt_paragraph": 3, "exempt_parts": None}  # the whole report, as before


def test_forward_plan_of_sunday_20_aug_is_in_time_and_21_aug_is_not(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = miocare_case(work, people, forward_plan=date(2023, 8, 21))
    with work() as ctx:
        # Duties due on the Friday, so nobody is told a Sunday (SPEC §4). On 1 Aug both
        # notices are still to come (and the forward plan's is too late anyway): still open.
        assert deadline_kinds(ctx, case_id, "done") == {}
        assert deadline_kinds(ctx, case_id) == {
            "forward_plan_notice": {date(2023, 8, 18)},
            "private_meeting_notice": {date(2023, 8, 18)},
            # SI 2012/2089 reg 5(4): the further notice, 5 clear days before, by Tue 12 Sep.
            "private_meeting_further_notice": {date(2023, 9, 12)},
            "agenda_publication": {date(2023, 9, 8)},
            "agreement_end": {date(2023, 9, 30)},
            # Schedule 12A para 10, "so long as": the Part B exemption's review.
            "exemption_review": {date(2024, 9, 18)},
        }

    clock.travel_to(london(2023, 9, 1))
    author = people["oldham_officer"]
    with work() as ctx:
        before = snapshot(ctx, case_id)
        assert allowed(ctx, case_id, author) == ["withdraw"]
        with pytest.raises(TransitionRefused) as refused:
            fire(ctx, case_id, "submit", author)
    assert [g.name for g in refused.value.guards] == ["key_decision_notice"]
    assert "Sun 20 Aug 2023" in refused.value.detail
    assert "was published on Mon 21 Aug 2023" in refused.value.detail
    with work() as ctx:
        assert snapshot(ctx, case_id) == before

    with work() as ctx:
        patch_case(ctx, case_id, CasePatch(forward_plan_published_on=date(2023, 8, 20)), author, 1)
    with work() as ctx:
        # Both notices have now happened in time, so both duties are done.
        assert deadline_kinds(ctx, case_id, "done") == {
            "forward_plan_notice": {date(2023, 8, 18)},
            "private_meeting_notice": {date(2023, 8, 18)},
        }
    # The agenda may go out as late as Sunday 10 Sep: the guard takes the law's own day.
    clock.travel_to(london(2023, 9, 10, 18))
    with work() as ctx:
        assert allowed(ctx, case_id, author) == ["submit", "withdraw"]
        fire(ctx, case_id, "submit", author, expected_version=2)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version) == ("cabinet_consideration", 3)
        # Oldham's further private notice went out on Fri 8 Sep: its duty is done.
        assert deadline_kinds(ctx, case_id, "done")["private_meeting_further_notice"] == {
            date(2023, 9, 12)
        }


def test_oldham_defers_to_consider_item_10_first_then_approves(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = miocare_case(work, people, forward_plan=date(2023, 8, 20))
    clock.travel_to(london(2023, 9, 1))
    with work() as ctx:
        fire(ctx, case_id, "submit", people["oldham_officer"])

    # Mon 18 Sep, item 7: Cabinet takes item 10 (exempt) first, then comes back to this.
    clock.travel_to(london(2023, 9, 18, 14))
    with work() as ctx:
        deadlines_before = snapshot(ctx, case_id).deadlines
        fire(
            ctx,
            case_id,
            "defer",
            people["clerk"],
            {"reason": DEFER_REASON, "meeting_date": "2023-09-18"},
        )
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version, case.meeting_date) == (
            "cabinet_consideration",
            3,
            date(2023, 9, 18),
        )
        last = audit_events(ctx, case_id)[-1]
        assert (last.event, last.from_state, last.to_state) == (
            "defer",
            "cabinet_consideration",
            "cabinet_consideration",
        )
        assert last.data["previous_meeting_date"] == "2023-09-18"
        assert last.data["payload"] == {
            "reason": DEFER_REASON,
            "meeting_date": "2023-09-18",
            "late_item_reason": None,
        }
        # Same meeting: no change, but for the further notice, whose day (Fri 8 Sep) has come
        # since the last re-planning.
        further = "private_meeting_further_notice"
        after = snapshot(ctx, case_id).deadlines
        assert [d for d in after if d[1] != further] == [
            d for d in deadlines_before if d[1] != further
        ]
        assert [d[4] for d in after if d[1] == further] == ["done"]
        assert allowed(ctx, case_id, people["clerk"]) == [
            "defer",
            "refer_back",
            "approve",
            "reject",
        ]

    clock.travel_to(london(2023, 9, 20))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "approve",
            people["clerk"],
            {
                "resolution": RESOLUTION,
                "decided_on": "2023-09-18",
                "notice_published_on": "2023-09-20",
                "delegate_id": people["executive"].id,
                "consultee_id": people["cabinet_member"].id,
            },
        )
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version) == ("delegated_approval", 4)
        bundle = load(ctx, case)
        assert bundle.delegation is not None
        # No max_months in the resolution: the proposal's 24 months from 1 Oct 2023.
        assert (bundle.delegation.max_months, bundle.delegation.latest_end_date) == (
            24,
            date(2025, 9, 30),
        )
        assert bundle.approval is not None and bundle.approval.meeting_date == date(2023, 9, 18)
        assert deadline_kinds(ctx, case_id)["call_in_end"] == {date(2023, 9, 27)}


def walk_oldham_to_active(
    work: Work, clock: FrozenClock, people: dict[str, User], **update: Any
) -> int:
    case_id = miocare_case(work, people, forward_plan=date(2023, 8, 20), **update)
    clock.travel_to(london(2023, 9, 1))
    with work() as ctx:
        fire(ctx, case_id, "submit", people["oldham_officer"])
    clock.travel_to(london(2023, 9, 18, 14))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "defer",
            people["clerk"],
            {"reason": DEFER_REASON, "meeting_date": "2023-09-18"},
        )
        fire(
            ctx,
            case_id,
            "approve",
            people["clerk"],
            {
                "resolution": RESOLUTION,
                "decided_on": "2023-09-18",
                "notice_published_on": "2023-09-18",
                "delegate_id": people["executive"].id,
                "consultee_id": people["cabinet_member"].id,
                "max_months": 24,
            },
        )
    clock.travel_to(london(2023, 9, 21))
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn(
                consultee_id=pk(people["cabinet_member"].id),
                consulted_on=date(2023, 9, 21),
                response=RESPONSE,
            ),
            people["cabinet_member"],
        )
    clock.travel_to(london(2023, 9, 26))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "sign_off",
            people["executive"],
            {"months": 12, "reasons": SIGN_OFF_REASONS, "conflicts_of_interest": CONFLICTS},
        )
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            date(2023, 10, 1),
            date(2024, 9, 30),
        )
    return case_id


def everything_seen_by(work: Work, case_id: int, viewer: User) -> dict[str, Any]:
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        return {
            "case": case_view(ctx, bundle, viewer),
            "audit": audit_of(ctx, bundle, viewer, limit=200),
            "decision_record": decision_record(ctx, bundle, viewer),
        }


def test_an_all_exempt_case_is_redacted_as_before(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """``exempt_paragraph`` still means the whole report is exempt (backwards compatible)."""
    case_id = walk_oldham_to_active(work, clock, people, **ALL_EXEMPT)
    for who in NOT_ENTITLED:
        sees_it_redacted(everything_seen_by(work, case_id, people[who]), who)
    for who in ENTITLED:
        sees_it_in_full(everything_seen_by(work, case_id, people[who]), who)


def sees_it_redacted(seen: dict[str, Any], who: str) -> None:
    text = json.dumps(seen, default=str)
    assert [s for s in SECRETS if s in text] == [], who

    view = seen["case"]
    # What stays public: the title, the state and the dates.
    assert view["title"] == "Service Level Agreement with Miocare Group CIC"
    assert view["state"] == "active"
    assert view["meeting_date"] == date(2023, 9, 18)
    assert view["term"] == {"start_date": date(2023, 10, 1), "end_date": date(2024, 9, 30)}
    # The envelope's last day counts back to the redacted max_months (issue 14, 2c).
    kinds = {d["kind"] for d in view["deadlines"]}
    assert "agreement_end" in kinds and "envelope_exhausted" not in kinds
    notice = view["redacted"]
    assert notice["exempt_paragraph"] == 3, who
    assert "paragraph 3 of Schedule 12A" in notice["reason"]
    assert view["report"] == notice
    assert view["value_pence"] is None

    assert seen["audit"], "the audit trail is listed, redacted"
    for event in seen["audit"]:
        assert event["data"]["redacted"]["exempt_paragraph"] == 3, who
    events = {e["event"]: e for e in seen["audit"]}
    assert list(events) == ["create", "submit", "defer", "approve", "consultation", "sign_off"]
    assert events["defer"]["data"]["payload"] == {"meeting_date": "2023-09-18"}

    record = seen["decision_record"]
    assert record["redacted"]["exempt_paragraph"] == 3, who
    assert record["date"] == date(2023, 9, 26)
    assert record["term"]["end_date"] == date(2024, 9, 30)


def sees_it_in_full(seen: dict[str, Any], who: str) -> None:
    text = json.dumps(seen, default=str)
    assert [s for s in SECRETS if s not in text] == [], who
    assert seen["case"]["redacted"] is None, who
    assert seen["case"]["report"]["financial_implications"] == REPORT.financial_implications
    assert seen["case"]["value_pence"] == 2_500_000_000 * 24 // 12
    assert all("redacted" not in e["data"] for e in seen["audit"]), who
    record = seen["decision_record"]
    assert record["redacted"] is None, who
    assert record["exempt_paragraph"] == 3
    assert record["conflicts_of_interest"] == CONFLICTS
    assert record["consultee"]["response"] == RESPONSE
    assert record["reasons"] == SIGN_OFF_REASONS


def test_oldham_as_decided_with_no_delegation(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Oldham's resolution delegated nothing (issue 12, fault 1): Cabinet approved the SLA
    itself. Notice Mon 18 Sep 2023; call-in ends Mon 25 Sep; the scheduler starts the SLA's
    twelve months on Tue 26 Sep; nobody signs off, and no further term can be asked for."""
    case_id = miocare_case(work, people, forward_plan=date(2023, 8, 20))
    clock.travel_to(london(2023, 9, 1))
    with work() as ctx:
        fire(ctx, case_id, "submit", people["oldham_officer"])
    clock.travel_to(london(2023, 9, 18, 14))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "defer",
            people["clerk"],
            {"reason": DEFER_REASON, "meeting_date": "2023-09-18"},
        )
        fire(
            ctx,
            case_id,
            "approve",
            people["clerk"],
            {
                "resolution": RESOLUTION,
                "decided_on": "2023-09-18",
                "notice_published_on": "2023-09-18",
                "cabinet_months": 12,
                "max_months": 12,
            },
        )
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        assert bundle.delegation is None
        assert deadline_kinds(ctx, case_id)["call_in_end"] == {date(2023, 9, 25)}
        assert "sign_off_due" not in deadline_kinds(ctx, case_id)
        assert allowed(ctx, case_id, people["executive"]) == []
    clock.travel_to(london(2023, 9, 25, 18))
    with work() as ctx:
        assert implement_due(ctx, people["system"]) == []
    clock.travel_to(london(2023, 9, 26, 7))
    with work() as ctx:
        assert implement_due(ctx, people["system"]) == [case_id]
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.term_start, case.term_end) == (
            "active",
            date(2023, 10, 1),
            date(2024, 9, 30),
        )
        assert allowed(ctx, case_id, people["oldham_officer"]) == []
        events = [e.event for e in audit_events(ctx, case_id)]
        assert events == ["create", "submit", "defer", "approve", "implement"]


# --- Issue 12, fault 4: only item 10's information exempt -------------------------------

PART_B = str(demo.OLDHAM_PART_B.content)


def test_only_item_10_is_exempt_everything_else_is_shown_to_everyone(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Oldham's item 7 was public; only item 10's information (Part B, paragraph 3) is
    withheld from those not entitled: they see the options, the value, the resolution and the
    officer's record, and Part B's heading and paragraph but not its content."""
    case_id = walk_oldham_to_active(work, clock, people)
    for who in NOT_ENTITLED:
        seen = everything_seen_by(work, case_id, people[who])
        shown = json.dumps({k: seen[k] for k in ("case", "decision_record")}, default=str)
        assert [s for s in PART_A if s not in shown] == [], who
        assert PART_B not in json.dumps(seen, default=str), who
        view = seen["case"]
        assert view["redacted"] is None, who
        assert view["value_pence"] == 2_500_000_000 * 24 // 12
        assert [o["label"] for o in view["report"]["options"]] == [
            "Do nothing",
            "Wait",
            "Enter a new SLA",
        ]
        assert view["delegation"]["resolution"]["text"] == RESOLUTION
        assert view["delegation"]["max_months"] == 24
        assert "envelope_exhausted" in {d["kind"] for d in view["deadlines"]}
        (part,) = view["exempt_parts"]
        assert (part["part"], part["paragraph"], part["content"]) == ("B", 3, None), who
        assert part["heading"].startswith("Item 10: commercially sensitive information")
        assert "paragraph 3 of Schedule 12A" in part["redacted"]["reason"]
        record = seen["decision_record"]
        assert record["redacted"] is None and record["reasons"] == SIGN_OFF_REASONS
        assert record["cabinet_record"]["decision"] == RESOLUTION
        assert [o["label"] for o in record["cabinet_record"]["alternatives_rejected"]] == [
            "Do nothing",
            "Wait",
        ]
        assert record["exemption"]["exempt_parts"][0]["content"] is None
        # The audit trail carries what was typed, Part B included: it stays redacted.
        assert all(e["data"]["redacted"]["exempt_paragraph"] == 3 for e in seen["audit"])
    for who in ENTITLED:
        seen = everything_seen_by(work, case_id, people[who])
        (part,) = seen["case"]["exempt_parts"]
        assert (part["content"], part["redacted"]) == (PART_B, None), who
        assert seen["decision_record"]["exemption"]["exempt_parts"][0]["content"] == PART_B


def test_the_public_interest_test_and_the_review_are_recorded_and_shown(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Schedule 12A para 10: who weighed the public interest, when and why, shown to
    everyone (it says why something is withheld, not what); the review is a dated reminder."""
    case_id = miocare_case(work, people, forward_plan=date(2023, 8, 20))
    with work() as ctx:
        view = case_view(ctx, load(ctx, case_of(ctx, case_id)), people["viewer"])
    assert view["public_interest"] == {
        "decided_by_id": people["clerk"].id,
        "decided_on": date(2023, 8, 18),
        "reasons": demo.OLDHAM_PUBLIC_INTEREST_REASONS,
    }
    assert (view["exemption_review_on"], view["exemption_lapses_on"]) == (
        date(2024, 9, 18),
        date(2025, 10, 1),
    )
    assert view["exemption_lapsed"] is False
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["exemption_review"] == {date(2024, 9, 18)}
        # Lapsing before its review, the exemption needs no review.
        patch_case(
            ctx,
            case_id,
            CasePatch(exemption_lapses_on=date(2024, 9, 1)),
            people["oldham_officer"],
        )
    with work() as ctx:
        assert "exemption_review" not in deadline_kinds(ctx, case_id)


def test_after_the_lapse_date_part_b_is_shown_to_everyone(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """The exemption lapses on Wed 1 Oct 2025: on Tue 30 Sep Part B is still withheld, from
    1 Oct everyone sees it (the clock decides)."""
    case_id = walk_oldham_to_active(work, clock, people)
    clock.travel_to(london(2025, 9, 30, 23))
    for who in NOT_ENTITLED:
        (part,) = everything_seen_by(work, case_id, people[who])["case"]["exempt_parts"]
        assert part["content"] is None, who
    clock.travel_to(london(2025, 10, 1, 0, 5))
    for who in NOT_ENTITLED:
        seen = everything_seen_by(work, case_id, people[who])
        (part,) = seen["case"]["exempt_parts"]
        assert (part["content"], part["redacted"]) == (PART_B, None), who
        assert seen["case"]["exemption_lapsed"] is True
        assert seen["decision_record"]["exemption"]["exempt_parts"][0]["content"] == PART_B


def test_a_part_b_takes_only_what_it_covers_out_of_part_a(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """A Part B may take named facts into itself: here the figures and the options. The
    urgency reason, the recommendation and the financial implications stay public."""
    urgency = UrgencyIn(
        route="special_urgency",
        reason="The SLA ends on 30 Sep and services must continue.",  # invented for the test
        agreed_by="Chair of Overview and Scrutiny",
        agreed_by_id=pk(people["scrutiny"].id),
        agreed_on=date(2023, 9, 12),
    )
    part = demo.OLDHAM_PART_B.model_copy(update={"covers": ["figures", "options"]})
    case_id = miocare_case(
        work, people, forward_plan=date(2023, 8, 20), exempt_parts=[part], urgency=urgency
    )
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        view = case_view(ctx, bundle, people["viewer"])
        full = case_view(ctx, bundle, people["clerk"])
    assert view["urgency"]["reason"] == urgency.reason
    assert view["report"]["recommended_option"] == "Enter a new SLA"
    assert view["report"]["financial_implications"] == REPORT.financial_implications
    assert view["value_pence"] is None and view["proposal"]["max_months"] is None
    assert {o["description"] for o in view["report"]["options"]} == {"[exempt]"}
    assert view["exempt_parts"][0]["covers"] == ["figures", "options"]
    assert full["value_pence"] == 2_500_000_000 * 24 // 12
    assert full["report"]["options"][0]["description"] == "Continue under the existing SLA."
