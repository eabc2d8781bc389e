"""The read scopes: a page read in batches says exactly what each case read alone says, and
the rules of what a person may see (recipients, the envelope's last day) are the scopes' own."""

from __future__ import annotations

from datetime import date

from casework import (
    APPROVED_AT,
    CONSULTED_AT,
    SIGNED_AT,
    Work,
    approve_payload,
    case_of,
    consult,
    new_case,
    sign_off_payload,
    to_cabinet,
)
from sqlmodel import col, select

from workflow.clock import FrozenClock
from workflow.deadlines.read import DutyScope
from workflow.lifecycle.bundle import load
from workflow.lifecycle.events import fire
from workflow.lifecycle.read import CaseScope
from workflow.models import Case, Deadline, Reminder, User

VIEWERS = ("officer", "colleague", "viewer", "executive", "cabinet_member", "clerk", "admin")


def varied_cases(work: Work, clock: FrozenClock, people: dict[str, User]) -> list[int]:
    """A draft, an exempt draft, a case in delegated approval, an exempt one active."""
    exempt = {
        "exempt_paragraph": 3,
        "private_notice_published_on": date(2024, 7, 1),
        # SI 2012/2089 reg 5(4)-(5): the further notice, 5 clear days before the meeting.
        "private_further_notice_published_on": date(2024, 7, 1),
    }
    with work() as ctx:
        ids = [
            new_case(ctx, people),
            new_case(ctx, people, **exempt),
            new_case(ctx, people),
            new_case(ctx, people, **exempt),
        ]
    for case_id in ids[2:]:
        to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        for case_id in ids[2:]:
            fire(ctx, case_id, "approve", people["clerk"], approve_payload(people))
    clock.travel_to(CONSULTED_AT)
    with work() as ctx:
        consult(ctx, people, ids[3])
    clock.travel_to(SIGNED_AT)
    with work() as ctx:
        fire(ctx, ids[3], "sign_off", people["executive"], sign_off_payload(6))
    return ids


def test_a_page_read_in_batches_equals_each_case_read_alone(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    ids = varied_cases(work, clock, people)
    with work() as ctx:
        cases = list(ctx.session.exec(select(Case).where(col(Case.id).in_(ids))).all())
        for who in VIEWERS:
            scope = CaseScope(ctx, people[who])
            alone = [scope.one(load(ctx, case_of(ctx, i))) for i in ids]
            batched = scope.page(sorted(cases, key=lambda c: c.id or 0))
            assert batched == alone, who
    # and the page tells the viewer apart from the entitled
    with work() as ctx:
        viewer = CaseScope(ctx, people["viewer"]).page([case_of(ctx, ids[3])])[0]
        author = CaseScope(ctx, people["officer"]).page([case_of(ctx, ids[3])])[0]
    assert viewer.delegation is not None and author.delegation is not None
    assert viewer.delegation.latest_end_date is None
    assert author.delegation.latest_end_date is not None
    assert viewer.value_pence is None and author.value_pence is not None


def test_the_envelope_deadline_and_its_reminders_are_left_out_for_the_unentitled(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    ids = varied_cases(work, clock, people)
    with work() as ctx:
        deadlines = list(ctx.session.exec(select(Deadline)).all())
        reminders = list(ctx.session.exec(select(Reminder)).all())
        kinds = {
            who: (
                {(d.case_id, d.kind) for d in DutyScope(ctx, people[who]).deadlines(deadlines)},
                {
                    (r.case_id, r.deadline_kind)
                    for r in DutyScope(ctx, people[who]).reminders(reminders)
                },
            )
            for who in ("viewer", "officer")
        }
    exempt_active, public_delegated = ids[3], ids[2]
    for seen in kinds["viewer"]:
        assert (exempt_active, "envelope_exhausted") not in seen
        assert (public_delegated, "envelope_exhausted") in seen  # public: shown to everyone
    deadlines_seen, _ = kinds["officer"]
    assert (exempt_active, "envelope_exhausted") in deadlines_seen


def test_a_recipient_sees_themself_and_nobody_else(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    ids = varied_cases(work, clock, people)
    viewer = people["viewer"]
    with work() as ctx:
        stored = ctx.session.exec(select(Reminder).where(Reminder.case_id == ids[0])).first()
        assert stored is not None and stored.recipients
        # The same reminder, as if it were also addressed to the viewer (not stored).
        addressed = Reminder.model_validate(
            stored.model_dump() | {"recipients": [*stored.recipients, viewer.email.upper()]}
        )
        seen = {who: DutyScope(ctx, u).reminder(addressed).recipients for who, u in people.items()}
    assert seen["officer"] == addressed.recipients  # the author
    assert seen["admin"] == seen["clerk"] == addressed.recipients
    assert seen["viewer"] == [viewer.email.upper()]  # themself, and nobody else
    assert seen["colleague"] is None and seen["scrutiny"] is None
