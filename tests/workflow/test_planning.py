"""Deadlines and reminders kept in step with the case (SPEC §4 and §5), through the service.

Reminders go out 28, 14, 7 and 1 days before at 09:00 London; missed offsets coalesce into one
reminder sent at once; a duty left undone escalates at 09:00 London the day after it was due;
a deadline that moves cancels its pending reminders and plans new ones; a case that ends
cancels what is still pending.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from casework import (
    GROUND,
    Work,
    case_of,
    consult,
    deadline_kinds,
    london,
    new_case,
    nine_am,
    reminders_of,
    snapshot,
    to_active,
    to_cabinet,
    to_delegated,
)
from sqlalchemy import update
from sqlmodel import col, select

from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.lifecycle.cases import patch_case
from workflow.lifecycle.events import expire_due, fire
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.models import Deadline, Reminder, User
from workflow.schemas import CasePatch, MeetingNoticeIn, ProposalIn
from workflow.settings import Settings

R, E = "reminder", "escalation"
People = dict[str, User]

MEETING = date(2023, 9, 18)  # Monday: the SPEC §4 example (Oldham's Cabinet)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(london(2023, 8, 1, 10))


def key_exempt_case(ctx: Ctx, people: People, **overrides: Any) -> int:
    """A key decision with an exempt item for Mon 18 Sep 2023, no notice published yet."""
    fields: dict[str, Any] = {
        "meeting_date": MEETING,
        "key_decision": True,
        "exempt_paragraph": 3,
        "proposal": ProposalIn(
            start_date=date(2023, 10, 1), initial_months=12, max_months=24, ground=GROUND
        ),
    }
    fields.update(overrides)
    return new_case(ctx, people, **fields)


def rows(ctx: Ctx, case_id: int, kind: str) -> list[Deadline]:
    return list(
        ctx.session.exec(
            select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind)
        ).all()
    )


def test_spec_example_meeting_monday_18_sep_2023(work: Work, people: People) -> None:
    created = london(2023, 8, 1, 10)
    with work() as ctx:
        case_id = key_exempt_case(ctx, people)
    with work() as ctx:
        # The law's days are Sun 20 Aug and Sun 10 Sep; people are told the Friday before.
        assert deadline_kinds(ctx, case_id) == {
            "forward_plan_notice": {date(2023, 8, 18)},
            "private_meeting_notice": {date(2023, 8, 18)},
            # SI 2012/2089 reg 5(4): 5 clear days before Mon 18 Sep is Tue 12 Sep.
            "private_meeting_further_notice": {date(2023, 9, 12)},
            "agenda_publication": {date(2023, 9, 8)},
            "agreement_end": {date(2024, 9, 30)},
        }
        assert reminders_of(ctx, case_id, "forward_plan_notice") == [
            (R, 28, created),  # Fri 21 Jul had passed
            (R, 14, nine_am(date(2023, 8, 4))),
            (R, 7, nine_am(date(2023, 8, 11))),
            (R, 1, nine_am(date(2023, 8, 17))),
            (E, None, nine_am(date(2023, 8, 19))),
        ]
        assert nine_am(date(2023, 8, 4)) == datetime.fromisoformat("2023-08-04T08:00+00:00")
        assert reminders_of(ctx, case_id, "agenda_publication") == [
            (R, 28, nine_am(date(2023, 8, 11))),
            (R, 14, nine_am(date(2023, 8, 25))),
            (R, 7, nine_am(date(2023, 9, 1))),
            (R, 1, nine_am(date(2023, 9, 7))),
            (E, None, nine_am(date(2023, 9, 9))),
        ]
        author, clerk = people["officer"], people["clerk"]
        for kind in ("forward_plan_notice", "private_meeting_notice", "agenda_publication"):
            (row,) = rows(ctx, case_id, kind)
            assert row.recipients == sorted([author.email, clerk.email])
            assert row.is_duty

    # Publishing the notices (today: a date still to come would not count yet) discharges the
    # duties and cancels what was still to be sent.
    with work() as ctx:
        patch_case(
            ctx,
            case_id,
            CasePatch(
                forward_plan_published_on=date(2023, 8, 1),
                private_notice_published_on=date(2023, 8, 1),
            ),
            people["officer"],
        )
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done") == {
            "forward_plan_notice": {date(2023, 8, 18)},
            "private_meeting_notice": {date(2023, 8, 18)},
        }
        assert reminders_of(ctx, case_id, "forward_plan_notice") == []
        assert len(reminders_of(ctx, case_id, "forward_plan_notice", "cancelled")) == 5


def test_missed_offsets_coalesce_into_one_reminder_sent_at_once(
    work: Work, clock: FrozenClock, people: People
) -> None:
    clock.travel_to(london(2023, 8, 10, 12))
    with work() as ctx:
        case_id = key_exempt_case(ctx, people)
    with work() as ctx:
        # 28 (21 Jul) and 14 (4 Aug) days before have both passed: one reminder, now,
        # labelled with the most urgent offset it stands for.
        assert reminders_of(ctx, case_id, "forward_plan_notice") == [
            (R, 14, london(2023, 8, 10, 12)),
            (R, 7, nine_am(date(2023, 8, 11))),
            (R, 1, nine_am(date(2023, 8, 17))),
            (E, None, nine_am(date(2023, 8, 19))),
        ]


def test_a_duty_already_overdue_escalates_at_once(
    work: Work, clock: FrozenClock, people: People
) -> None:
    clock.travel_to(london(2023, 8, 21, 12))
    with work() as ctx:
        case_id = key_exempt_case(ctx, people)
    with work() as ctx:
        assert reminders_of(ctx, case_id, "forward_plan_notice") == [
            (E, None, london(2023, 8, 21, 12))
        ]


def test_patching_the_meeting_date_moves_the_deadlines_and_replans_their_reminders(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id = key_exempt_case(ctx, people)
        before = {d.kind: d.id for d in ctx.session.exec(select(Deadline)).all()}
        untouched = reminders_of(ctx, case_id, "agreement_end")
    clock.travel_to(london(2023, 8, 3, 15))
    with work() as ctx:
        patch_case(ctx, case_id, CasePatch(meeting_date=date(2023, 10, 16)), people["officer"])
    with work() as ctx:
        assert deadline_kinds(ctx, case_id) == {
            "forward_plan_notice": {date(2023, 9, 15)},  # law's day Sun 17 Sep
            "private_meeting_notice": {date(2023, 9, 15)},
            "private_meeting_further_notice": {date(2023, 10, 10)},
            "agenda_publication": {date(2023, 10, 6)},  # law's day Sun 8 Oct
            "agreement_end": {date(2024, 9, 30)},
        }
        # The same rows moved; their pending reminders were cancelled, new ones planned.
        assert {d.kind: d.id for d in ctx.session.exec(select(Deadline)).all()} == before
        assert reminders_of(ctx, case_id, "forward_plan_notice") == [
            (R, 28, nine_am(date(2023, 8, 18))),
            (R, 14, nine_am(date(2023, 9, 1))),
            (R, 7, nine_am(date(2023, 9, 8))),
            (R, 1, nine_am(date(2023, 9, 14))),
            (E, None, nine_am(date(2023, 9, 16))),
        ]
        cancelled = reminders_of(ctx, case_id, "forward_plan_notice", "cancelled")
        assert [fire_at for _, _, fire_at in cancelled] == [
            london(2023, 8, 1, 10),
            nine_am(date(2023, 8, 4)),
            nine_am(date(2023, 8, 11)),
            nine_am(date(2023, 8, 17)),
            nine_am(date(2023, 8, 19)),
        ]
        assert reminders_of(ctx, case_id, "agenda_publication") == [
            (R, 28, nine_am(date(2023, 9, 8))),
            (R, 14, nine_am(date(2023, 9, 22))),
            (R, 7, nine_am(date(2023, 9, 29))),
            (R, 1, nine_am(date(2023, 10, 5))),
            (E, None, nine_am(date(2023, 10, 7))),
        ]
        assert reminders_of(ctx, case_id, "agreement_end") == untouched
        assert reminders_of(ctx, case_id, "agreement_end", "cancelled") == []


def test_a_deadline_that_moves_keeps_nothing_already_sent_and_resends_nothing(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """A reminder already sent stays sent; only what was still to come is replaced."""
    with work() as ctx:
        case_id = key_exempt_case(ctx, people)
        ctx.session.execute(
            update(Reminder)
            .where(col(Reminder.case_id) == case_id)
            .where(col(Reminder.deadline_kind) == "forward_plan_notice")
            .where(col(Reminder.offset_days) == 28)
            .values(status="sent")
        )
    clock.travel_to(london(2023, 8, 3, 15))
    with work() as ctx:
        patch_case(ctx, case_id, CasePatch(meeting_date=date(2023, 9, 25)), people["officer"])
    with work() as ctx:
        assert reminders_of(ctx, case_id, "forward_plan_notice", "sent") == [
            (R, 28, london(2023, 8, 1, 10))
        ]
        # Due Fri 25 Aug now; 28 days before (28 Jul) has passed and goes out at once.
        assert reminders_of(ctx, case_id, "forward_plan_notice") == [
            (R, 28, london(2023, 8, 3, 15)),
            (R, 14, nine_am(date(2023, 8, 11))),
            (R, 7, nine_am(date(2023, 8, 18))),
            (R, 1, nine_am(date(2023, 8, 24))),
            (E, None, nine_am(date(2023, 8, 26))),
        ]


def test_deferring_to_a_later_meeting_recomputes_its_deadlines(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Once submitted the notices are discharged: deferral moves their dates to the new
    meeting's and plans no reminders for them. The agenda is another matter (issue 11, bug 3):
    the first meeting's, published, stays done as it was, and the new meeting has an agenda
    duty of its own, with its reminders; so has its further private notice."""
    with work() as ctx:
        case_id = key_exempt_case(
            ctx,
            people,
            forward_plan_published_on=date(2023, 8, 1),
            private_notice_published_on=date(2023, 8, 1),
        )
        fire(ctx, case_id, "submit", people["officer"])
    clock.travel_to(london(2023, 9, 7, 10))
    with work() as ctx:
        record_meeting_notice(
            ctx,
            case_id,
            MeetingNoticeIn(kind="agenda", published_on=date(2023, 9, 7)),
            people["clerk"],
        )
    clock.travel_to(london(2023, 9, 18, 16))
    with work() as ctx:
        assert deadline_kinds(ctx, case_id, "done")["agenda_publication"] == {date(2023, 9, 8)}
        fire(
            ctx,
            case_id,
            "defer",
            people["clerk"],
            {"reason": "Out of time.", "meeting_date": "2023-10-16"},
        )
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.meeting_date, case.agenda_published_on) == (date(2023, 10, 16), None)
        assert deadline_kinds(ctx, case_id, "done") == {
            "forward_plan_notice": {date(2023, 9, 15)},
            "private_meeting_notice": {date(2023, 9, 15)},
            "agenda_publication": {date(2023, 9, 8)},
        }
        assert deadline_kinds(ctx, case_id) == {
            "agenda_publication": {date(2023, 10, 6)},
            "private_meeting_further_notice": {date(2023, 10, 10)},
            "agreement_end": {date(2024, 9, 30)},
        }
        for kind in ("forward_plan_notice", "private_meeting_notice"):
            assert reminders_of(ctx, case_id, kind) == []
        assert reminders_of(ctx, case_id, "agenda_publication") == [
            (R, 28, london(2023, 9, 18, 16)),  # Fri 8 Sep had passed: at once
            (R, 14, nine_am(date(2023, 9, 22))),
            (R, 7, nine_am(date(2023, 9, 29))),
            (R, 1, nine_am(date(2023, 10, 5))),
            (E, None, nine_am(date(2023, 10, 7))),
        ]


def test_duties_escalate_and_facts_do_not(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    """Across a whole life: every open duty has one escalation at 09:00 London the day after
    it is due; deadlines that are facts (call-in end, agreement end, envelope) have none."""
    clock.travel_to(london(2024, 7, 1, 10))
    with work() as ctx:
        case_id = new_case(ctx, people)
    seen: set[str] = set()

    def check() -> None:
        with work() as ctx:
            for row in ctx.session.exec(
                select(Deadline).where(Deadline.case_id == case_id, Deadline.status == "open")
            ).all():
                escalations = [
                    fire_at
                    for purpose, _, fire_at in reminders_of(ctx, case_id, row.kind)
                    if purpose == E
                ]
                if row.is_duty:
                    assert escalations == [nine_am(row.due_on + timedelta(days=1))], row.kind
                else:
                    assert escalations == [], row.kind
                seen.add(row.kind)

    check()
    to_delegated(work, clock, people, case_id)
    check()
    with work() as ctx:
        consult(ctx, people, case_id)
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], {"months": 6, "reasons": "r"})
    check()
    assert seen == {
        "agenda_publication",
        "agreement_end",
        "call_in_end",
        "decision_record_publication",
        "sign_off_due",
        "envelope_exhausted",
        "extension_option_decision",
    }


def test_each_deadline_goes_to_the_people_spec_5_names(
    work: Work, clock: FrozenClock, people: People
) -> None:
    clock.travel_to(london(2024, 7, 1, 10))
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    email = {key: user.email for key, user in people.items()}
    with work() as ctx:
        expected = {
            "call_in_end": [email["clerk"], email["executive"]],
            "sign_off_due": [email["executive"], email["cabinet_member"], email["officer"]],
            "agreement_end": [email["officer"], email["executive"]],
            # The head of the directorate: its executives.
            "envelope_exhausted": [
                email["officer"],
                email["executive"],
                email["officer_executive"],
            ],
        }
        for kind, who in expected.items():
            for row in rows(ctx, case_id, kind):
                assert row.recipients == sorted(who), kind
            # Reminders still to come go to the same people (one already due is left be).
            to_come = ctx.session.exec(
                select(Reminder).where(
                    Reminder.case_id == case_id,
                    Reminder.deadline_kind == kind,
                    Reminder.status == "pending",
                    col(Reminder.fire_at) > clock.now(),
                )
            ).all()
            assert to_come and all(r.recipients == sorted(who) for r in to_come), kind


def test_every_channel_gets_its_own_reminder(
    work: Work, clock: FrozenClock, people: People, settings: Settings
) -> None:
    settings.reminder_channels = ["email", "webhook"]
    with work() as ctx:
        case_id = key_exempt_case(ctx, people)
        reminders = ctx.session.exec(
            select(Reminder).where(
                Reminder.case_id == case_id, Reminder.deadline_kind == "agenda_publication"
            )
        ).all()
    assert sorted((r.fire_at, r.channel) for r in reminders) == sorted(
        (fire_at, channel)
        for _, _, fire_at in [
            (R, 28, nine_am(date(2023, 8, 11))),
            (R, 14, nine_am(date(2023, 8, 25))),
            (R, 7, nine_am(date(2023, 9, 1))),
            (R, 1, nine_am(date(2023, 9, 7))),
            (E, None, nine_am(date(2023, 9, 9))),
        ]
        for channel in ("email", "webhook")
    )


# --- a case that ends -----------------------------------------------------------------------


def end_by_withdrawing_a_draft(
    work: Work, clock: FrozenClock, people: People, case_id: int
) -> None:
    with work() as ctx:
        fire(ctx, case_id, "withdraw", people["officer"], {"reason": "Not needed."})


def end_by_withdrawing_from_cabinet(
    work: Work, clock: FrozenClock, people: People, case_id: int
) -> None:
    to_cabinet(work, people, case_id)
    with work() as ctx:
        fire(ctx, case_id, "withdraw", people["admin"], {"reason": "Not needed."})


def end_by_rejecting(work: Work, clock: FrozenClock, people: People, case_id: int) -> None:
    to_cabinet(work, people, case_id)
    clock.travel_to(london(2024, 9, 5, 20))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "reject",
            people["clerk"],
            {"resolution": "Re-procure now instead.", "decided_on": "2024-09-05"},
        )


def end_by_expiring(work: Work, clock: FrozenClock, people: People, case_id: int) -> None:
    to_active(work, clock, people, case_id, months=12)
    clock.travel_to(london(2025, 10, 1, 1))
    with work() as ctx:
        assert expire_due(ctx, people["system"]) == [case_id]


@pytest.mark.parametrize(
    "end",
    [
        end_by_withdrawing_a_draft,
        end_by_withdrawing_from_cabinet,
        end_by_rejecting,
        end_by_expiring,
    ],
    ids=["withdraw-draft", "withdraw-cabinet", "reject", "expire"],
)
def test_a_case_that_ends_cancels_its_pending_reminders(
    work: Work, clock: FrozenClock, people: People, end: Any
) -> None:
    clock.travel_to(london(2024, 7, 1, 10))
    with work() as ctx:
        case_id = new_case(ctx, people)
        other = new_case(ctx, people)
        first = ctx.session.exec(
            select(Reminder).where(Reminder.case_id == case_id).order_by(col(Reminder.id))
        ).first()
        assert first is not None
        ctx.session.execute(
            update(Reminder).where(col(Reminder.id) == first.id).values(status="sent")
        )
    end(work, clock, people, case_id)
    with work() as ctx:
        statuses = {
            r.status
            for r in ctx.session.exec(select(Reminder).where(Reminder.case_id == case_id)).all()
        }
        assert statuses <= {"sent", "cancelled"}
        assert ctx.session.get(Reminder, first.id).status == "sent"  # type: ignore[union-attr]
        assert deadline_kinds(ctx, case_id) == {}
        # Duties discharged on the way keep saying so; the rest are cancelled.
        history = {
            (d.kind, d.status)
            for d in ctx.session.exec(select(Deadline)).all()
            if d.case_id == case_id
        }
        assert {s for _, s in history} <= {"done", "cancelled"}
        # The agenda is done only by its publication (issue 11): none was recorded here, so
        # it was cancelled with the case, unless Cabinet met and decided the case onwards.
        if end is end_by_expiring:
            assert ("agenda_publication", "done") in history
        elif end is not end_by_withdrawing_a_draft:
            assert ("agenda_publication", "cancelled") in history
        if end is end_by_expiring:
            assert ("sign_off_due", "done") in history
        # Another case's reminders are not touched.
        assert reminders_of(ctx, other, "agenda_publication")


def test_a_case_referred_back_has_its_agenda_duty_again(
    work: Work, clock: FrozenClock, people: People
) -> None:
    clock.travel_to(london(2024, 7, 1, 10))
    with work() as ctx:
        case_id = new_case(ctx, people, meeting_date=date(2024, 10, 3))
    to_cabinet(work, people, case_id)
    clock.travel_to(london(2024, 8, 1, 10))
    with work() as ctx:
        fire(ctx, case_id, "refer_back", people["clerk"], {"reason": "Add the options."})
    with work() as ctx:
        assert case_of(ctx, case_id).state == "drafted"
        assert deadline_kinds(ctx, case_id)["agenda_publication"] == {date(2024, 9, 25)}
        assert [m[:2] for m in reminders_of(ctx, case_id, "agenda_publication")] == [
            (R, 28),
            (R, 14),
            (R, 7),
            (R, 1),
            (E, None),
        ]


def test_duties_fall_due_on_a_working_day_and_facts_as_they_are(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """A term from Mon 26 May 2025 (a bank holiday): sign-off is due the day before, a
    Sunday, so Friday; the option decision three months before the end falls on the August
    bank holiday, so the Friday before; the end and the envelope are shown as they are."""
    clock.travel_to(london(2024, 7, 1, 10))
    with work() as ctx:
        case_id = new_case(
            ctx,
            people,
            proposal=ProposalIn(
                start_date=date(2025, 5, 26), initial_months=6, max_months=12, ground=GROUND
            ),
        )
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["sign_off_due"] == {date(2025, 5, 23)}
        assert deadline_kinds(ctx, case_id)["envelope_exhausted"] == {date(2026, 5, 25)}
        consult(ctx, people, case_id)
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], {"months": 6, "reasons": "r"})
    with work() as ctx:
        assert deadline_kinds(ctx, case_id) == {
            "decision_record_publication": {date(2024, 9, 18)},  # reg 13: 2 working days
            "extension_option_decision": {date(2025, 8, 22)},
            "agreement_end": {date(2025, 11, 25)},
            "envelope_exhausted": {date(2026, 5, 25)},
        }


def test_a_transition_is_written_whole_or_not_at_all(
    work: Work, clock: FrozenClock, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning fails after the state and the audit event were written: the unit of work
    rolls all of it back, and the audit chain carries on without a gap."""
    with work() as ctx:
        case_id = key_exempt_case(
            ctx,
            people,
            forward_plan_published_on=date(2023, 8, 1),
            private_notice_published_on=date(2023, 8, 1),
        )
    with work() as ctx:
        before = snapshot(ctx, case_id)

    def broken(ctx: Ctx, bundle: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("workflow.deadlines.planning.sync", broken)
    with pytest.raises(RuntimeError), work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])
    monkeypatch.undo()
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
        fire(ctx, case_id, "submit", people["officer"])
    with work() as ctx:
        assert case_of(ctx, case_id).version == before.version + 1
        assert verify(ctx).ok
