"""A case that owes a contract change notice, for the procurement notice form's tests (pages
and Chromium): a Procurement Act 2023 services contract of £6m a year, awarded for 12 months,
extended by six months from 1 Apr 2026 (``provided_for``). Cabinet decides on Thu 11 Dec 2025,
its notice is published Fri 12 Dec, the delegate consults on Mon 15 Dec; the case then waits
in delegated approval for its contract change notice (s.75), due by Thu 19 Mar 2026."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy.engine import Engine
from webcase import Seeded

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.demo import ASC
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire
from workflow.models import User, pk
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn, CaseIn, ConsultationIn
from workflow.settings import Settings
from workflow.timerules import LONDON

TITLE = "Home care: six months while it is re-procured"
REFERENCES = ("PA-NOTICE-1", "PA-NOTICE-2")


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=LONDON)


def _user(ctx: Ctx, user_id: int) -> User:
    found = ctx.session.get(User, user_id)
    assert found is not None
    return found


def _agreement(reference: str) -> AgreementIn:
    return AgreementIn.model_validate(
        {
            "reference": reference,
            "title": "Home care, north locality",
            "kind": "contract",
            "counterparty": f"North Care {reference} Ltd",
            "directorate": ASC,
            "annual_value_pence": 600_000_000,
            "start_date": "2025-04-01",
            "end_date": "2026-03-31",
            "procurement_regime": "pa2023",
            "procurement_started_on": "2025-03-03",
            "light_touch": False,
            "contract_type": "services",
            "award_value_pence": 600_000_000,
            "award_max_months": 12,
            "extension_options_months": 6,
        }
    )


def _case(agreement_ids: list[int]) -> CaseIn:
    return CaseIn.model_validate(
        {
            "kind": "extension",
            "title": TITLE,
            "directorate": ASC,
            "agreement_ids": agreement_ids,
            "meeting_date": "2025-12-11",
            "agenda_item": "7",
            "key_decision": True,
            "forward_plan_published_on": "2025-11-03",
            "proposal": {
                "start_date": "2026-04-01",
                "initial_months": 6,
                "max_months": 6,
                "ground": "provided_for",
            },
            "report": {
                "summary": "Extend home care while it is re-procured.",
                "options": [
                    {"label": "Let it end", "description": "End.", "rejected_reason": "No care."},
                    {"label": "Extend", "description": "Six months."},
                ],
                "recommended_option": "Extend",
                "reasons": "Time for a compliant procurement.",
                "financial_implications": "Within budget.",
            },
        }
    )


def owing_case(
    engine: Engine, clock: FrozenClock, settings: Settings, seeded: Seeded, agreements: int = 1
) -> int:
    """The case described above, covering ``agreements`` contracts; the clock is left on
    Mon 15 Dec 2025. Answers the case's id."""
    ids = seeded.user_ids

    def work() -> Any:
        return unit_of_work(engine)

    clock.travel_to(at(date(2025, 11, 3)))
    with work() as session:
        ctx = Ctx(session, clock, settings)
        officer = _user(ctx, ids["officer"])
        made = [create_agreement(ctx, _agreement(r), officer) for r in REFERENCES[:agreements]]
        case_id = pk(create_case(ctx, _case([pk(a.id) for a in made]), officer).id)
    with work() as session:
        ctx = Ctx(session, clock, settings)
        fire(ctx, case_id, "submit", _user(ctx, ids["officer"]))
    clock.travel_to(at(date(2025, 12, 12)))
    with work() as session:
        ctx = Ctx(session, clock, settings)
        approve = {
            "resolution": "Extend by six months; the sign-off delegated.",
            "decided_on": date(2025, 12, 11),
            "notice_published_on": date(2025, 12, 12),
            "delegate_id": ids["executive"],
            "consultee_id": ids["cabinet_member"],
            "max_months": 6,
        }
        fire(ctx, case_id, "approve", _user(ctx, ids["clerk"]), approve)
    clock.travel_to(at(date(2025, 12, 15)))
    with work() as session:
        ctx = Ctx(session, clock, settings)
        consulted = ConsultationIn(
            consultee_id=ids["cabinet_member"], consulted_on=date(2025, 12, 15), response="Agreed."
        )
        record_consultation(ctx, case_id, consulted, _user(ctx, ids["executive"]))
    return case_id
