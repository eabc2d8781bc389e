"""Importing the contract register keeps case deadlines in step (SPEC §5: deadlines are
recomputed on every change to the dates they depend on).

An import that moves an agreement's end date (or changes its annual value) re-plans every case
still running on it, in the same transaction: the ``agreement_end`` deadline moves, its pending
reminders are cancelled and planned afresh. From Cabinet's approval on, the end date is the
case's (sign-off sets it, expiry fires from it), so a row that would move it is refused with
the case named, and nothing about the case changes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from casework import (
    Work,
    audit_events,
    case_in,
    case_of,
    deadline_kinds,
    new_case,
    nine_am,
    reminders_of,
    snapshot,
    to_active,
    to_delegated,
)
from sqlmodel import col, select

from workflow.clock import FrozenClock
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire
from workflow.models import Agreement, AuditEvent, Deadline, Reminder, User, pk
from workflow.register.importer import ImportResult, import_register

People = dict[str, User]
HEADER = [
    "Reference Number",
    "Title of Agreement",
    "Supplier Name",
    "Department",
    "Start Date",
    "End Date",
    "Annual Value",
]
OLD_END = date(2024, 9, 30)  # what ``casework.small_agreements`` registers
NEW_END = date(2025, 3, 31)
R = "reminder"


def register(*agreements: tuple[Agreement, dict[str, Any]]) -> bytes:
    """A register listing ``agreements`` as stored, with the changes given for each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for a, changes in agreements:
        end = changes.get("end_date", a.end_date)
        pence = changes.get("annual_value_pence", a.annual_value_pence)
        writer.writerow(
            [
                a.reference,
                changes.get("title", a.title),
                a.counterparty,
                a.directorate,
                f"{a.start_date:%d/%m/%Y}",
                f"{end:%d/%m/%Y}",
                f"£{pence // 100:,}.{pence % 100:02d}",
            ]
        )
    return out.getvalue().encode()


def agreements_of(work: Work, case_id: int) -> list[Agreement]:
    with work() as ctx:
        return load(ctx, get_case(ctx, case_id)).agreements


def run(work: Work, data: bytes, actor: User) -> ImportResult:
    with work() as ctx:
        return import_register(ctx, data, actor)


def fire_times(before: date) -> list[tuple[str, int, Any]]:
    """The default reminders of a deadline due on ``before``: 28, 14, 7 and 1 days, 09:00."""
    return [(R, n, nine_am(before - timedelta(days=n))) for n in (28, 14, 7, 1)]


def import_event(work: Work) -> AuditEvent:
    with work() as ctx:
        return ctx.session.exec(
            select(AuditEvent)
            .where(AuditEvent.event == "agreements_imported")
            .order_by(col(AuditEvent.id).desc())
        ).first()  # type: ignore[return-value]


# --- a drafted case follows the register -------------------------------------------------


def test_a_moved_end_date_moves_the_deadline_and_replans_its_reminders(
    work: Work, people: People
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    moved, kept = agreements_of(work, case_id)
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["agreement_end"] == {OLD_END}
        assert reminders_of(ctx, case_id, "agreement_end", agreement_id=moved.id) == fire_times(
            OLD_END
        )
        version = case_of(ctx, case_id).version

    result = run(work, register((moved, {"end_date": NEW_END}), (kept, {})), people["officer"])

    assert (result.created, result.updated, result.refused) == (0, 2, [])
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["agreement_end"] == {OLD_END, NEW_END}
        due = {
            d.agreement_id: d.due_on
            for d in ctx.session.exec(
                select(Deadline).where(
                    Deadline.case_id == case_id,
                    Deadline.kind == "agreement_end",
                    Deadline.status == "open",
                )
            ).all()
        }
        assert due == {moved.id: NEW_END, kept.id: OLD_END}
        # The moved deadline's old reminders are cancelled and new ones planned for the new
        # date; the other agreement's reminders are left exactly as they were.
        assert reminders_of(ctx, case_id, "agreement_end", agreement_id=moved.id) == fire_times(
            NEW_END
        )
        assert reminders_of(
            ctx, case_id, "agreement_end", "cancelled", agreement_id=moved.id
        ) == fire_times(OLD_END)
        assert reminders_of(ctx, case_id, "agreement_end", agreement_id=kept.id) == fire_times(
            OLD_END
        )
        assert reminders_of(ctx, case_id, "agreement_end", "cancelled", agreement_id=kept.id) == []
        pending = ctx.session.exec(
            select(Reminder).where(
                Reminder.case_id == case_id,
                Reminder.deadline_kind == "agreement_end",
                Reminder.status == "pending",
            )
        ).all()
        assert {r.due_on for r in pending if r.fire_at > nine_am(date(2025, 1, 1))} == {NEW_END}

        # A change to the case like any other: its version moves (so a form left open on the
        # old dates is refused) and its own trail says what moved and who imported it.
        case = case_of(ctx, case_id)
        assert case.version == version + 1
        trail = audit_events(ctx, case_id)[-1]
        assert (trail.event, trail.actor_id) == ("agreements_updated", people["officer"].id)
        assert (trail.from_state, trail.to_state) == ("drafted", "drafted")
        assert trail.data["agreements"] == [
            {
                "agreement_id": moved.id,
                "reference": moved.reference,
                "end_date": {"from": "2024-09-30", "to": "2025-03-31"},
            }
        ]
    event = import_event(work)
    assert event.data["updated_references"] == [moved.reference, kept.reference]
    assert event.data["end_dates_changed"] == [
        {
            "agreement_id": moved.id,
            "reference": moved.reference,
            "from": "2024-09-30",
            "to": "2025-03-31",
        }
    ]
    assert event.data["replanned_cases"] == [case_id]
    assert result.replanned_case_ids == [case_id]


def test_an_unchanged_register_replans_nothing(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
        before = snapshot(ctx, case_id)
    agreements = agreements_of(work, case_id)
    result = run(work, register(*((a, {"title": "Renamed"}) for a in agreements)), people["clerk"])
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
    assert import_event(work).data["end_dates_changed"] == []
    assert (result.updated, result.replanned_case_ids) == (2, [])


def test_a_value_that_makes_it_a_key_decision_brings_the_forward_plan_deadline(
    work: Work, people: People
) -> None:
    """The annual value is a planning fact too: £50,000 a year over 12 months is under the
    £500,000 threshold; £600,000 a year is over it, so a forward-plan notice becomes due."""
    with work() as ctx:
        case_id = new_case(ctx, people)
        assert "forward_plan_notice" not in deadline_kinds(ctx, case_id)
    first, _second = agreements_of(work, case_id)

    result = run(work, register((first, {"annual_value_pence": 60_000_000})), people["officer"])

    with work() as ctx:
        assert "forward_plan_notice" in deadline_kinds(ctx, case_id)
        assert reminders_of(ctx, case_id, "forward_plan_notice")
        change = audit_events(ctx, case_id)[-1].data["agreements"][0]
        assert change["annual_value_pence"] == {"from": 2_000_000, "to": 60_000_000}
    assert import_event(work).data["end_dates_changed"] == []
    assert result.replanned_case_ids == [case_id]


def test_every_running_case_on_the_agreement_is_replanned_and_an_ended_one_is_left_alone(
    work: Work, people: People
) -> None:
    with work() as ctx:
        first = new_case(ctx, people)
    shared = agreements_of(work, first)[0]
    with work() as ctx:
        second = pk(create_case(ctx, case_in([pk(shared.id)]), people["officer"]).id)
        third = pk(create_case(ctx, case_in([pk(shared.id)]), people["officer"]).id)
    with work() as ctx:
        fire(ctx, third, "withdraw", people["officer"], {"reason": "Merged into another case."})
    with work() as ctx:
        withdrawn = snapshot(ctx, third)

    result = run(work, register((shared, {"end_date": NEW_END})), people["officer"])

    with work() as ctx:
        for case_id in (first, second):
            assert NEW_END in deadline_kinds(ctx, case_id)["agreement_end"]
        after = snapshot(ctx, third)
        # The withdrawn case's deadlines stay cancelled; only the agreement itself changed.
        assert after.agreement_ends == (NEW_END,)
        assert after == replace(withdrawn, agreement_ends=(NEW_END,))
    assert result.replanned_case_ids == [first, second]


# --- from Cabinet's approval on, the end date is the case's --------------------------------


def test_an_active_case_refuses_a_register_row_moving_its_end_date(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_active(work, clock, people, case_id)  # 6 months from 1 Oct 2024: ends 31 Mar 2025
    held, _other = agreements_of(work, case_id)
    assert held.end_date == NEW_END
    with work() as ctx:
        free = new_case(ctx, people)
    unrelated = agreements_of(work, free)[0]
    with work() as ctx:
        before = snapshot(ctx, case_id)

    data = register(
        (held, {"end_date": date(2025, 9, 30)}), (unrelated, {"end_date": date(2025, 6, 30)})
    )
    result = run(work, data, people["officer"])

    # The row is refused with the case named; the rest of the file still goes in.
    assert result.updated == 1
    assert [(r.row, r.reference) for r in result.refused] == [(2, held.reference)]
    reason = result.refused[0].reason
    assert f"covered by case {case_id}, whose signed-off term ends 31/03/2025" in reason
    assert "change it through the case" in reason
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
        stored = ctx.session.get(Agreement, held.id)
        assert stored is not None and stored.end_date == NEW_END
    event = import_event(work)
    assert event.data["refused_rows"] == [2]
    assert [c["reference"] for c in event.data["end_dates_changed"]] == [unrelated.reference]
    assert result.replanned_case_ids == [free]


def test_an_active_case_still_takes_register_changes_that_keep_its_end_date(
    work: Work, clock: FrozenClock, people: People
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_active(work, clock, people, case_id)
    held, _other = agreements_of(work, case_id)
    result = run(work, register((held, {"title": "Day services (renamed)"})), people["officer"])
    with work() as ctx:
        stored = ctx.session.get(Agreement, held.id)
        assert stored is not None and stored.title == "Day services (renamed)"
    assert (result.updated, result.refused, result.replanned_case_ids) == (1, [], [])


@pytest.mark.parametrize("months", [None, 6])
def test_a_case_awaiting_sign_off_refuses_it_too(
    work: Work, clock: FrozenClock, people: People, months: int | None
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    if months is None:
        to_delegated(work, clock, people, case_id)
        expected = f"covered by case {case_id}, approved by Cabinet and awaiting sign-off"
    else:
        # Active, then asking for a further term: back in delegated approval with the
        # signed-off term still in force.
        to_active(work, clock, people, case_id, months=months)
        with work() as ctx:
            fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "More time."})
        expected = f"covered by case {case_id}, whose signed-off term ends 31/03/2025"
    held = agreements_of(work, case_id)[0]
    with work() as ctx:
        before = snapshot(ctx, case_id)
    result = run(
        work, register((held, {"end_date": held.end_date + timedelta(days=1)})), people["officer"]
    )
    assert result.updated == 0 and expected in result.refused[0].reason
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
