"""Helpers the workflow tests share: people, small cases, payloads and a snapshot of
everything a refused call must leave alone.

Imported by the test modules of this directory as ``casework`` (pytest puts the directory on
``sys.path``); fixtures built from these live in this directory's ``conftest.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from workflow import demo
from workflow.context import Ctx
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import events_allowed, fire
from workflow.models import (
    Agreement,
    AuditEvent,
    Case,
    Consultation,
    Deadline,
    Delegation,
    Reminder,
    Resolution,
    SignOff,
    User,
    pk,
)
from workflow.people.users import ensure_admin, system_user
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn, CaseIn, ConsultationIn, OptionIn, ProposalIn, ReportIn
from workflow.timerules import LONDON

Work = Callable[[], AbstractContextManager[Ctx]]

ASC = demo.ASC
ADMIN_TOKEN = "cf_test_admin_token"


def london(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant given as London wall-clock time, returned in UTC (how the service stores it)."""
    return datetime.combine(date(year, month, day), time(hour, minute), tzinfo=LONDON).astimezone(
        UTC
    )


def nine_am(d: date) -> datetime:
    """09:00 Europe/London on ``d``: the default hour reminders go out."""
    return london(d.year, d.month, d.day, 9)


# --- people -------------------------------------------------------------------------------

EXTRA_PEOPLE = [
    demo.DemoPerson(
        "colleague", "Cal Colleague", "cal.colleague@sefton.example.gov.uk", ["officer"], ASC
    ),
    demo.DemoPerson(
        "outsider", "Olu Outsider", "olu.outsider@sefton.example.gov.uk", ["officer"], "Highways"
    ),
    demo.DemoPerson(
        "other_executive",
        "Oscar Other (Executive Director of Place)",
        "oscar.other@sefton.example.gov.uk",
        ["executive"],
        "Place",
    ),
    demo.DemoPerson(
        "officer_executive",
        "Ola Both (officer and executive)",
        "ola.both@sefton.example.gov.uk",
        ["executive", "officer"],
        ASC,
    ),
    demo.DemoPerson(
        "chairman", "Cllr Cath Chairman", "cath.chairman@sefton.example.gov.uk", ["chairman"]
    ),
    demo.DemoPerson(
        "vice_chairman",
        "Cllr Vin Vice-Chairman",
        "vin.vice@sefton.example.gov.uk",
        ["vice_chairman"],
    ),
]


CAST = (
    "officer",
    "colleague",
    "outsider",
    "clerk",
    "executive",
    "other_executive",
    "cabinet_member",
    "scrutiny",
    "viewer",
    "admin",
    "system",
)
"""The people whose rights the tests compare, by their keys in ``make_people``."""


def make_people(ctx: Ctx) -> dict[str, User]:
    """Everyone the tests act as: the demo's Sefton and Oldham people, an admin, the
    scheduler, and a few extras for the "who may fire it" rules."""
    admin = ensure_admin(ctx, ADMIN_TOKEN)
    cast = demo.Demo()
    cast.users["admin"] = admin
    demo.load_people(ctx, admin, demo.SEFTON_PEOPLE + demo.OLDHAM_PEOPLE + EXTRA_PEOPLE, cast)
    cast.users["system"] = system_user(ctx)
    return dict(cast.users)


# --- agreements and cases -----------------------------------------------------------------

_refs = itertools.count(1)

# Issue 9: the procurement facts every test agreement records, and the ground a test case
# relies on: options for up to twenty years of extension under PCR 2015 reg 72(1)(a), so the
# procurement test holds for any envelope a test asks for (tests/workflow/test_procurement*
# test the grounds themselves).
PROCUREMENT: dict[str, Any] = {
    "procurement_regime": "pcr2015",
    "procurement_started_on": date(2020, 6, 1),
    "light_touch": False,
    "contract_type": "services",
    "award_max_months": 48,
    "extension_options_months": 240,
}
GROUND = "provided_for"


def pa_agreement(ctx: Ctx, author: User, **changes: Any) -> Agreement:
    """A Procurement Act 2023 home care contract worth £6m a year (over the s.77 £5m), for
    services, not light-touch, awarded for twelve months from 1 Apr 2025 with options for six
    more: the procurement notice tests' contract, ``changes`` set apart."""
    n = next(_refs)
    fields: dict[str, Any] = {
        "reference": f"PA-{n:05d}",
        "title": f"Home care lot {n}",
        "kind": "contract",
        "counterparty": f"Care Provider {n} Ltd",
        "directorate": ASC,
        "annual_value_pence": 600_000_000,  # £6m a year
        "start_date": date(2025, 4, 1),
        "end_date": date(2026, 3, 31),
        "procurement_regime": "pa2023",
        "procurement_started_on": date(2025, 3, 3),
        "light_touch": False,
        "contract_type": "services",
        "award_value_pence": 600_000_000,
        "award_max_months": 12,
        "extension_options_months": 6,
        **changes,
    }
    return create_agreement(ctx, AgreementIn.model_validate(fields), author)


def small_agreements(
    ctx: Ctx, author: User, annual_pounds: list[int], end: date = date(2024, 9, 30)
) -> list[Agreement]:
    """Agreements with unique references, so one database can hold many test cases."""
    out = []
    for pounds in annual_pounds:
        n = next(_refs)
        out.append(
            create_agreement(
                ctx,
                AgreementIn(
                    reference=f"TEST-{n:05d}",
                    title=f"Test agreement {n}",
                    kind="contract",  # type: ignore[arg-type]
                    counterparty=f"Provider {n} Ltd",
                    directorate=ASC,
                    annual_value_pence=pounds * 100,
                    start_date=date(2020, 10, 1),
                    end_date=end,
                    award_value_pence=max(pounds * 100 * 4, 1),
                    **PROCUREMENT,
                ),
                author,
            )
        )
    return out


def complete_report() -> ReportIn:
    return ReportIn(
        summary="Extend the day services while they are re-procured.",
        options=[
            OptionIn(
                label="Let it end",
                description="Allow the agreement to end.",
                rejected_reason="People would lose their service.",
            ),
            OptionIn(label="Extend", description="Extend within the envelope."),
        ],
        recommended_option="Extend",
        reasons="Time for a compliant procurement.",
        financial_implications="Within the existing budget.",
    )


def case_in(agreement_ids: list[int], **overrides: Any) -> CaseIn:
    """A small, complete, non-key, non-exempt extension for the Cabinet of Thu 5 Sep 2024,
    starting 1 Oct 2024 for 6 months with up to 12: everything a submit needs on 1 Jul 2024."""
    fields: dict[str, Any] = {
        "kind": "extension",
        "title": "Test extension",
        "directorate": ASC,
        "agreement_ids": agreement_ids,
        "meeting_date": date(2024, 9, 5),
        "agenda_item": "5",
        "proposal": ProposalIn.model_validate(
            {
                "start_date": date(2024, 10, 1),
                "initial_months": 6,
                "max_months": 12,
                "ground": GROUND,
            }
        ),
        "report": complete_report(),
    }
    fields.update(overrides)
    return CaseIn.model_validate(fields)


def new_case(
    ctx: Ctx,
    people: dict[str, User],
    annual_pounds: list[int] | None = None,
    author: str = "officer",
    **overrides: Any,
) -> int:
    agreements = small_agreements(ctx, people[author], annual_pounds or [20_000, 30_000])
    case = create_case(ctx, case_in([pk(a.id) for a in agreements], **overrides), people[author])
    return pk(case.id)


# --- payloads -----------------------------------------------------------------------------


def approve_payload(people: dict[str, User], **overrides: Any) -> dict[str, Any]:
    """Cabinet's resolution of Thu 5 Sep 2024, its notice published Fri 6 Sep."""
    body: dict[str, Any] = {
        "resolution": "Approve the extension; delegate further terms to the Executive Director.",
        "decided_on": date(2024, 9, 5),
        "notice_published_on": date(2024, 9, 6),
        "delegate_id": people["executive"].id,
        "consultee_id": people["cabinet_member"].id,
        "max_months": 12,
    }
    body.update(overrides)
    return body


def sign_off_payload(months: int = 6, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "months": months,
        "reasons": "A further term keeps the service going while it is re-procured.",
        "conflicts_of_interest": "None declared",
    }
    body.update(overrides)
    return body


def consult(
    ctx: Ctx,
    people: dict[str, User],
    case_id: int,
    response: str = "Agreed.",
    by: str = "executive",
) -> None:
    """The delegate (or whoever ``by`` names) records consulting the Cabinet Member today."""
    record_consultation(
        ctx,
        case_id,
        ConsultationIn(
            consultee_id=pk(people["cabinet_member"].id),
            consulted_on=ctx.today(),
            response=response,
        ),
        people[by],
    )


# The clock of ``tests/conftest.py``: Mon 1 Jul 2024, 09:00 in London.
START_OF_TESTS = london(2024, 7, 1, 9)

# The standard path of a small case, each step at the instant it lawfully can happen.
APPROVED_AT = london(2024, 9, 6, 10)
CONSULTED_AT = london(2024, 9, 10, 10)
SIGNED_AT = london(2024, 9, 16, 10)  # Mon: the first working day after call-in (Fri 13 Sep)


def to_cabinet(work: Work, people: dict[str, User], case_id: int) -> None:
    with work() as ctx:
        fire(ctx, case_id, "submit", people["officer"])


def to_delegated(
    work: Work, clock: Any, people: dict[str, User], case_id: int, **approve: Any
) -> None:
    to_cabinet(work, people, case_id)
    clock.travel_to(max(clock.now(), APPROVED_AT))
    with work() as ctx:
        fire(ctx, case_id, "approve", people["clerk"], approve_payload(people, **approve))


def to_active(
    work: Work, clock: Any, people: dict[str, User], case_id: int, months: int = 6
) -> None:
    to_delegated(work, clock, people, case_id)
    clock.travel_to(max(clock.now(), CONSULTED_AT))
    with work() as ctx:
        consult(ctx, people, case_id)
    clock.travel_to(max(clock.now(), SIGNED_AT))
    with work() as ctx:
        fire(ctx, case_id, "sign_off", people["executive"], sign_off_payload(months))


def two_sign_offs_on_unforeseen_circumstances(
    work: Work, clock: Any, people: dict[str, User]
) -> int:
    """Two PCR 2015 contracts extended on reg 72(1)(c), every month delegated: signed off
    Mon 16 Sep 2024 (six months from 1 Oct) and again Mon 14 Oct 2024 (six from 1 Apr 2025),
    so each sign-off owes its own reg 72(3) notice, neither yet published."""
    proposal = {
        "start_date": date(2024, 10, 1),
        "initial_months": 6,
        "max_months": 12,
        "ground": "unforeseeable",
    }
    with work() as ctx:
        case_id = new_case(ctx, people, proposal=ProposalIn.model_validate(proposal))
    to_active(work, clock, people, case_id)
    clock.travel_to(london(2024, 10, 14))
    with work() as ctx:
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "Runs on."})
    with work() as ctx:
        consult(ctx, people, case_id)
    with work() as ctx:
        body = {"months": 6, "reasons": "Time to re-procure.", "conflicts_of_interest": "None"}
        fire(ctx, case_id, "sign_off", people["executive"], body)
    return case_id


# --- reading back -------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything about a case that a refused call must leave exactly as it was."""

    state: str
    version: int
    case_row: tuple[Any, ...]
    audit_ids: tuple[int, ...]
    deadlines: tuple[tuple[Any, ...], ...]
    reminders: tuple[tuple[Any, ...], ...]
    records: tuple[int, ...]
    agreement_ends: tuple[date, ...]


def snapshot(ctx: Ctx, case_id: int) -> Snapshot:
    s = ctx.session
    s.expire_all()
    case = get_case(ctx, case_id)
    bundle = load(ctx, case)
    deadlines = s.exec(
        select(Deadline).where(Deadline.case_id == case_id).order_by(col(Deadline.id))
    ).all()
    reminders = s.exec(
        select(Reminder).where(Reminder.case_id == case_id).order_by(col(Reminder.id))
    ).all()

    def count(model: Any) -> int:
        return s.exec(select(func.count()).select_from(model).where(model.case_id == case_id)).one()

    return Snapshot(
        state=case.state,
        version=case.version,
        case_row=tuple(sorted(case.model_dump().items())),
        audit_ids=tuple(
            s.exec(
                select(AuditEvent.id)
                .where(AuditEvent.case_id == case_id)
                .order_by(col(AuditEvent.id))
            ).all()
        ),
        deadlines=tuple(
            (d.id, d.kind, d.agreement_id, d.due_on, d.status, tuple(d.recipients))
            for d in deadlines
        ),
        reminders=tuple((r.id, r.purpose, r.fire_at, r.status) for r in reminders),
        records=tuple(count(m) for m in (Resolution, Delegation, Consultation, SignOff)),
        agreement_ends=tuple(a.end_date for a in bundle.agreements),
    )


def case_of(ctx: Ctx, case_id: int) -> Case:
    ctx.session.expire_all()
    return get_case(ctx, case_id)


def allowed(ctx: Ctx, case_id: int, user: User) -> list[str]:
    return events_allowed(ctx, load(ctx, case_of(ctx, case_id)), user)


def deadline_kinds(ctx: Ctx, case_id: int, status: str = "open") -> dict[str, set[date]]:
    """{kind: {due_on, ...}} of the case's deadlines in ``status``."""
    out: dict[str, set[date]] = {}
    for d in ctx.session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.status == status)
    ).all():
        out.setdefault(d.kind, set()).add(d.due_on)
    return out


def reminders_of(
    ctx: Ctx, case_id: int, kind: str, status: str = "pending", agreement_id: int | None = None
) -> list[tuple[str, int | None, datetime]]:
    """(purpose, offset_days, fire_at) of one deadline kind's reminders in ``status``."""
    query = (
        select(Reminder)
        .join(Deadline, col(Deadline.id) == col(Reminder.deadline_id))
        .where(Reminder.case_id == case_id, Reminder.deadline_kind == kind)
        .where(Reminder.status == status)
        .order_by(col(Reminder.fire_at), col(Reminder.id))
    )
    if agreement_id is not None:
        query = query.where(Deadline.agreement_id == agreement_id)
    return [(r.purpose, r.offset_days, r.fire_at) for r in ctx.session.exec(query).all()]


def audit_events(ctx: Ctx, case_id: int) -> list[AuditEvent]:
    return list(
        ctx.session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.id))
        ).all()
    )
