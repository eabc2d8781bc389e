"""Each modification owes its own procurement notices (issue 9).

A case may modify its contracts more than once: Cabinet's own term when it starts, then each
term the delegate signs off. PCR 2015 reg 72(3) (a notice within 30 days of a modification on
ground (1)(b) or (1)(c), reg 51) and Procurement Act 2023 s.77 (the modification of a contract
over £5m published within 90 days beginning with its day) are owed for each. A later
modification used to take over the stored duty of an earlier one still unpublished, so its
reminders stopped and the duty vanished; recording a notice satisfied whichever modification
was last. These tests walk both regimes with a second modification made before the first's
notice is out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import (
    ASC,
    Work,
    case_of,
    complete_report,
    consult,
    london,
    new_case,
    nine_am,
    pa_agreement,
    reminders_of,
    snapshot,
    to_active,
)
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from scheduler.expiry import expire_overdue
from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.errors import InvalidInput
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire, implement_due
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.lifecycle.procurement_notices import record_procurement_notice
from workflow.lifecycle.read import CaseScope
from workflow.models import Deadline, Reminder, User, pk
from workflow.schemas import CaseIn, MeetingNoticeIn, NoticeIn, ProposalIn
from workflow.settings import Settings

People = dict[str, User]
R, E = "reminder", "escalation"
MN, PUB = "modification_notice", "modification_publication"


def duties(ctx: Ctx, case_id: int, kind: str) -> dict[tuple[date | None, date, str], int]:
    """{(occasion, due_on, status): how many agreements} of one kind's stored deadlines."""
    ctx.session.expire_all()
    rows = ctx.session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind)
    ).all()
    out: dict[tuple[date | None, date, str], int] = {}
    for d in rows:
        if d.status != "cancelled":
            key = (d.occasion, d.due_on, d.status)
            out[key] = out.get(key, 0) + 1
    return out


def deadline_ids(ctx: Ctx, case_id: int, kind: str) -> dict[tuple[int | None, date | None], int]:
    rows = ctx.session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == kind)
    ).all()
    return {(d.agreement_id, d.occasion): pk(d.id) for d in rows if d.status != "cancelled"}


def listed(ctx: Ctx, case_id: int, viewer: User) -> set[tuple[Any, ...]]:
    """The case answer's procurement notices: (kind, term_start, made_on, made_by, last_day,
    status), the agreements folded together."""
    ctx.session.expire_all()
    out = CaseScope(ctx, viewer).one(load(ctx, get_case(ctx, case_id)))
    return {
        (n.kind, n.term_start, n.made_on, n.made_by, n.last_day, n.status)
        for n in out.procurement_notices
    }


def record(ctx: Ctx, people: People, case_id: int, kind: str, on: date, **more: Any) -> None:
    data = NoticeIn.model_validate({"kind": kind, "published_on": on, **more})
    record_procurement_notice(ctx, case_id, data, people["officer"])


# --- Sefton: PCR 2015 reg 72(1)(c), reg 72(3) after each modification ------------------------


def sefton_active(work: Work, clock: FrozenClock, people: People) -> tuple[int, list[int]]:
    """Sefton's case as ``test_sefton`` walks it, to Mon 16 Sep 2024: Cabinet's own six
    months from Tue 1 Oct started by the scheduler, the further six delegated."""
    officer, clerk = people["officer"], people["clerk"]
    with work() as ctx:
        agreements = demo.sefton_agreements(ctx, officer)
        ids = [pk(a.id) for a in agreements]
        case_id = pk(create_case(ctx, demo.sefton_case_in(ids), officer).id)
    clock.travel_to(london(2024, 8, 1))
    with work() as ctx:
        fire(ctx, case_id, "submit", officer)
    clock.travel_to(london(2024, 8, 28))
    with work() as ctx:
        agenda = MeetingNoticeIn(kind="agenda", published_on=date(2024, 8, 28))
        record_meeting_notice(ctx, case_id, agenda, clerk)
    clock.travel_to(london(2024, 9, 6))
    with work() as ctx:
        body = {
            "resolution": "Extend for six months from 1 October 2024; a further six delegated.",
            "decided_on": "2024-09-05",
            "notice_published_on": "2024-09-06",
            "cabinet_months": 6,
            "delegate_id": people["executive"].id,
            "consultee_id": people["cabinet_member"].id,
            "max_months": 12,
        }
        fire(ctx, case_id, "approve", clerk, body)
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx:
        assert implement_due(ctx, people["system"]) == [case_id]
    return case_id, ids


def sign_off_further_six(work: Work, people: People, case_id: int) -> None:
    with work() as ctx:
        reasons = "Procurement runs on."
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": reasons})
    with work() as ctx:
        consult(ctx, people, case_id)
    with work() as ctx:
        body = {"months": 6, "reasons": "Time to re-procure.", "conflicts_of_interest": "None"}
        fire(ctx, case_id, "sign_off", people["executive"], body)


def test_sefton_further_six_months_signed_off_before_the_first_notice_is_out(
    work: Work, clock: FrozenClock, people: People
) -> None:
    case_id, ids = sefton_active(work, clock, people)
    first = ids[0]
    cabinet = {(date(2024, 10, 1), date(2024, 10, 31), "open"): 13}  # Thu 31 Oct
    with work() as ctx:
        assert duties(ctx, case_id, MN) == cabinet
        before_ids = deadline_ids(ctx, case_id, MN)
        assert reminders_of(ctx, case_id, MN, agreement_id=first) == [
            (R, 28, nine_am(date(2024, 10, 3))),
            (R, 14, nine_am(date(2024, 10, 17))),
            (R, 7, nine_am(date(2024, 10, 24))),
            (R, 1, nine_am(date(2024, 10, 30))),
            (E, None, nine_am(date(2024, 11, 1))),
        ]
        # The scheduler sends the first two by Mon 21 Oct (marked as its delivery marks them).
        ctx.session.execute(
            update(Reminder)
            .where(col(Reminder.case_id) == case_id, col(Reminder.deadline_kind) == MN)
            .where(col(Reminder.fire_at) < nine_am(date(2024, 10, 21)))
            .values(status="sent")
        )

    # Mon 21 Oct: the further six months from 1 Apr 2025 are asked for, consulted on and
    # signed off, the reg 72(3) notice of Cabinet's term still unpublished.
    clock.travel_to(london(2024, 10, 21))
    sign_off_further_six(work, people, case_id)
    with work() as ctx:
        assert case_of(ctx, case_id).term_end == date(2025, 9, 30)
        # Both modifications owe their notice, each due 30 days after it: Cabinet's term's
        # (made Tue 1 Oct) by Thu 31 Oct, the delegate's (made Mon 21 Oct) by Wed 20 Nov.
        assert duties(ctx, case_id, MN) == {
            **cabinet,
            (date(2025, 4, 1), date(2024, 11, 20), "open"): 13,
        }
        # Cabinet's term's duties are the same rows: nothing sent is sent again, nothing
        # still to come is lost.
        assert {k: v for k, v in deadline_ids(ctx, case_id, MN).items() if k in before_ids} == (
            before_ids
        )
        assert reminders_of(ctx, case_id, MN, "sent", agreement_id=first) == [
            (R, 28, nine_am(date(2024, 10, 3))),
            (R, 14, nine_am(date(2024, 10, 17))),
        ]
        assert reminders_of(ctx, case_id, MN, agreement_id=first) == [
            (R, 28, nine_am(date(2024, 10, 23))),  # the delegate's: 28 days before 20 Nov
            (R, 7, nine_am(date(2024, 10, 24))),  # Cabinet's term's, as planned on 16 Sep
            (R, 1, nine_am(date(2024, 10, 30))),
            (E, None, nine_am(date(2024, 11, 1))),
            (R, 14, nine_am(date(2024, 11, 6))),  # the delegate's again
            (R, 7, nine_am(date(2024, 11, 13))),
            (R, 1, nine_am(date(2024, 11, 19))),
            (E, None, nine_am(date(2024, 11, 21))),
        ]
        assert reminders_of(ctx, case_id, MN, "cancelled") == []
        assert listed(ctx, case_id, people["officer"]) == {
            (MN, date(2024, 10, 1), date(2024, 10, 1), "cabinet", date(2024, 10, 31), "owed"),
            (MN, date(2025, 4, 1), date(2024, 10, 21), "delegate", date(2024, 11, 20), "owed"),
        }

    # Recording the notice without saying which modification it is for is refused, and
    # changes nothing; so is naming a modification that owes none.
    for more, words in [
        ({}, "2 modifications owe a modification_notice"),
        ({"term_start": date(2025, 10, 1)}, "no modification_notice is owed"),
    ]:
        with work() as ctx:
            before = snapshot(ctx, case_id)
        with work() as ctx, pytest.raises(InvalidInput) as refused:
            record(ctx, people, case_id, MN, date(2024, 10, 21), **more)
        assert [p.field for p in refused.value.problems] == ["term_start"]
        assert words in refused.value.problems[0].message
        assert "the term from 01/10/2024, made 01/10/2024 (unpublished, by 31/10/2024)" in (
            refused.value.problems[0].message
        )
        with work() as ctx:
            assert snapshot(ctx, case_id) == before

    # Tue 22 Oct: the delegate's is published first; Cabinet's term's is still owed.
    clock.travel_to(london(2024, 10, 22))
    with work() as ctx:
        record(ctx, people, case_id, MN, date(2024, 10, 22), term_start=date(2025, 4, 1))
    with work() as ctx:
        assert duties(ctx, case_id, MN) == {
            **cabinet,
            (date(2025, 4, 1), date(2024, 11, 20), "done"): 13,
        }
        assert reminders_of(ctx, case_id, MN, agreement_id=first) == [
            (R, 7, nine_am(date(2024, 10, 24))),
            (R, 1, nine_am(date(2024, 10, 30))),
            (E, None, nine_am(date(2024, 11, 1))),
        ]
    # Only one is owed now: a request naming none is for it, as before this change.
    with work() as ctx:
        record(ctx, people, case_id, MN, date(2024, 10, 22), reference="FTS-2024-1")
    with work() as ctx:
        assert duties(ctx, case_id, MN) == {
            (date(2024, 10, 1), date(2024, 10, 31), "done"): 13,
            (date(2025, 4, 1), date(2024, 11, 20), "done"): 13,
        }
        assert reminders_of(ctx, case_id, MN) == []
        assert {(n[1], n[5]) for n in listed(ctx, case_id, people["officer"])} == {
            (date(2024, 10, 1), "published"),
            (date(2025, 4, 1), "published"),
        }
        # Both published, a correction must say which.
        with pytest.raises(InvalidInput) as refused:
            record(ctx, people, case_id, MN, date(2024, 10, 22))
        assert "2 modifications owe" in refused.value.problems[0].message


def test_a_duty_stored_before_each_modification_had_its_own_keeps_its_row_and_reminders(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Rows stored before migration 0017 have no occasion: the next re-plan adopts them as
    the duty of the modification falling on their day, without re-sending a reminder."""
    case_id, ids = sefton_active(work, clock, people)
    with work() as ctx:
        before_ids = {a: i for (a, _), i in deadline_ids(ctx, case_id, MN).items()}
        ctx.session.execute(
            update(Deadline)
            .where(col(Deadline.case_id) == case_id, col(Deadline.kind) == MN)
            .values(occasion=None)
        )
        ctx.session.execute(
            update(Reminder)
            .where(col(Reminder.case_id) == case_id, col(Reminder.deadline_kind) == MN)
            .where(col(Reminder.fire_at) < nine_am(date(2024, 10, 21)))
            .values(status="sent")
        )
    clock.travel_to(london(2024, 10, 21))
    sign_off_further_six(work, people, case_id)
    with work() as ctx:
        adopted = deadline_ids(ctx, case_id, MN)
        assert {a: i for (a, o), i in adopted.items() if o == date(2024, 10, 1)} == before_ids
        assert duties(ctx, case_id, MN) == {
            (date(2024, 10, 1), date(2024, 10, 31), "open"): 13,
            (date(2025, 4, 1), date(2024, 11, 20), "open"): 13,
        }
        assert len(reminders_of(ctx, case_id, MN, "sent")) == 13 * 2
        assert reminders_of(ctx, case_id, MN, "cancelled") == []
        assert len(reminders_of(ctx, case_id, MN, agreement_id=ids[0])) == 3 + 5


def test_two_sign_offs_in_a_row_each_owe_their_reg_72_3_notice(
    work: Work, clock: FrozenClock, people: People
) -> None:
    """Two small PCR 2015 contracts extended on reg 72(1)(c), all twelve months delegated:
    signed off Mon 16 Sep 2024 (from 1 Oct) and again Mon 14 Oct (from 1 Apr 2025)."""
    proposal = ProposalIn(
        start_date=date(2024, 10, 1), initial_months=6, max_months=12, ground="unforeseeable"
    )
    with work() as ctx:
        case_id = new_case(ctx, people, proposal=proposal)
    to_active(work, clock, people, case_id)
    first = {(date(2024, 10, 1), date(2024, 10, 16), "open"): 2}  # Wed: 30 days after
    with work() as ctx:
        assert duties(ctx, case_id, MN) == first
    clock.travel_to(london(2024, 10, 14))
    sign_off_further_six(work, people, case_id)
    with work() as ctx:
        assert duties(ctx, case_id, MN) == {
            **first,
            (date(2025, 4, 1), date(2024, 11, 13), "open"): 2,
        }
        # Each duty keeps its own five reminders (none sent here: no scheduler runs).
        assert len(reminders_of(ctx, case_id, MN)) == 2 * (5 + 5)
        assert reminders_of(ctx, case_id, MN, "cancelled") == []
    with work() as ctx, pytest.raises(InvalidInput):
        record(ctx, people, case_id, MN, date(2024, 10, 14))
    with work() as ctx:
        record(ctx, people, case_id, MN, date(2024, 10, 14), term_start=date(2024, 10, 1))
    with work() as ctx:
        assert duties(ctx, case_id, MN) == {
            (date(2024, 10, 1), date(2024, 10, 16), "done"): 2,
            (date(2025, 4, 1), date(2024, 11, 13), "open"): 2,
        }


# --- A Procurement Act 2023 contract over £5m: s.77 after each modification --------------


def pa_case(ctx: Ctx, people: People) -> tuple[int, list[int]]:
    """Two PA 2023 home care contracts of £6m a year, with options for twelve months more:
    six approved by Cabinet itself from Wed 1 Apr 2026, six delegated."""
    ids = []
    for _ in range(2):
        a = pa_agreement(ctx, people["officer"], extension_options_months=12)
        ids.append(pk(a.id))
    body = {
        "kind": "extension",
        "title": "Home care: up to twelve months while the service is re-procured",
        "directorate": ASC,
        "agreement_ids": ids,
        "meeting_date": date(2025, 12, 11),
        "agenda_item": "7",
        "key_decision": True,
        "forward_plan_published_on": date(2025, 11, 3),
        "proposal": ProposalIn(
            start_date=date(2026, 4, 1), initial_months=6, max_months=12, ground="provided_for"
        ),
        "report": complete_report(),
    }
    case = create_case(ctx, CaseIn.model_validate(body), people["officer"])
    return pk(case.id), ids


def test_pa2023_s77_publication_owed_for_each_modification(
    engine: Engine, work: Work, clock: FrozenClock, settings: Settings, people: People
) -> None:
    clock.travel_to(london(2025, 11, 3, 9))
    with work() as ctx:
        case_id, ids = pa_case(ctx, people)
    with work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])
    clock.travel_to(london(2025, 12, 12))
    with work() as ctx:
        body = {
            "resolution": "Extend by six months from 1 April 2026; a further six delegated.",
            "decided_on": date(2025, 12, 11),
            "notice_published_on": date(2025, 12, 12),
            "cabinet_months": 6,
            "delegate_id": people["executive"].id,
            "consultee_id": people["cabinet_member"].id,
            "max_months": 12,
        }
        fire(ctx, case_id, "approve", people["clerk"], body)
    # Mon 5 Jan 2026: Cabinet's term's contract change notice; its standstill ends Wed 14 Jan
    # and the scheduler starts the term on Thu 15 Jan. Made when it takes effect on Wed
    # 1 Apr, it is published (s.77) within 90 days beginning with that day: by Mon 29 Jun.
    clock.travel_to(london(2026, 1, 5))
    with work() as ctx:
        record(ctx, people, case_id, "contract_change_notice", date(2026, 1, 5))
    clock.travel_to(london(2026, 1, 15, 7))
    expire_overdue(engine, clock, settings)
    cabinet = {(date(2026, 4, 1), date(2026, 6, 29), "open"): 2}
    with work() as ctx:
        assert case_of(ctx, case_id).state == "active"
        assert duties(ctx, case_id, PUB) == cabinet

    # Mon 2 Feb: the further six months from Thu 1 Oct 2026 are asked for; their own contract
    # change notice goes out the same day (standstill to Wed 11 Feb); signed off Thu 12 Feb.
    clock.travel_to(london(2026, 2, 2))
    with work() as ctx:
        body = {"months": 6, "reasons": "Re-procurement runs on."}
        fire(ctx, case_id, "extend", people["officer"], body)
    with work() as ctx:
        assert duties(ctx, case_id, "contract_change_notice") == {
            (date(2026, 4, 1), date(2026, 3, 19), "done"): 2,
            (date(2026, 10, 1), date(2026, 9, 18), "open"): 2,
        }
        # One contract change notice is owed (the pending modification's): no need to say.
        record(ctx, people, case_id, "contract_change_notice", date(2026, 2, 2))
    clock.travel_to(london(2026, 2, 12))
    with work() as ctx:
        consult(ctx, people, case_id)
    with work() as ctx:
        body = {"months": 6, "reasons": "Time to re-procure.", "conflicts_of_interest": "None"}
        fire(ctx, case_id, "sign_off", people["executive"], body)
    with work() as ctx:
        # The delegate's modification (made Thu 12 Feb) is published by Tue 12 May; Cabinet's
        # term's still by Mon 29 Jun: two duties per contract, each with its reminders.
        assert duties(ctx, case_id, PUB) == {
            **cabinet,
            (date(2026, 10, 1), date(2026, 5, 12), "open"): 2,
        }
        assert reminders_of(ctx, case_id, PUB, agreement_id=ids[0]) == [
            (R, 28, nine_am(date(2026, 4, 14))),
            (R, 14, nine_am(date(2026, 4, 28))),
            (R, 7, nine_am(date(2026, 5, 5))),
            (R, 1, nine_am(date(2026, 5, 11))),
            (E, None, nine_am(date(2026, 5, 13))),
            (R, 28, nine_am(date(2026, 6, 1))),
            (R, 14, nine_am(date(2026, 6, 15))),
            (R, 7, nine_am(date(2026, 6, 22))),
            (R, 1, nine_am(date(2026, 6, 28))),
            (E, None, nine_am(date(2026, 6, 30))),
        ]
        assert {n for n in listed(ctx, case_id, people["officer"]) if n[0] == PUB} == {
            (PUB, date(2026, 4, 1), date(2026, 4, 1), "cabinet", date(2026, 6, 29), "owed"),
            (PUB, date(2026, 10, 1), date(2026, 2, 12), "delegate", date(2026, 5, 12), "owed"),
        }
        before = snapshot(ctx, case_id)
    with work() as ctx, pytest.raises(InvalidInput) as refused:
        record(ctx, people, case_id, PUB, date(2026, 2, 12))
    assert "2 modifications owe a modification_publication" in refused.value.problems[0].message
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
        # The delegate's modification is published; Cabinet's term's is not yet made public.
        record(ctx, people, case_id, PUB, date(2026, 2, 12), term_start=date(2026, 10, 1))
    with work() as ctx:
        assert duties(ctx, case_id, PUB) == {
            **cabinet,
            (date(2026, 10, 1), date(2026, 5, 12), "done"): 2,
        }
        assert len(reminders_of(ctx, case_id, PUB)) == 2 * 5
    # Thu 2 Apr: Cabinet's term took effect yesterday; its publication is the one owed.
    clock.travel_to(london(2026, 4, 2))
    with work() as ctx:
        record(ctx, people, case_id, PUB, date(2026, 4, 2))
    with work() as ctx:
        assert duties(ctx, case_id, PUB) == {
            (date(2026, 4, 1), date(2026, 6, 29), "done"): 2,
            (date(2026, 10, 1), date(2026, 5, 12), "done"): 2,
        }
        assert reminders_of(ctx, case_id, PUB) == []
