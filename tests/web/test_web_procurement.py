"""An agreement's page: its procurement facts (SPEC §9), flagged when missing, recorded on the
page where the register had no column for them (issue 9)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from webcase import WebClient, form_fields

from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire
from workflow.models import User, pk
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn, ProposalIn


def test_the_agreement_page_flags_missing_facts_and_records_them(web: WebClient) -> None:
    web.sign_in("officer")
    first = web.seeded.sefton_agreement_ids[0]
    path = f"/agreements/{first}"
    page = web.get(path)
    assert page.status_code == 200
    assert "Public Contracts Regulations 2015" in page.text
    assert "Procurement facts missing" not in page.text
    fields = form_fields(page.text, path)
    assert fields["award_max_months"] == ["60"]
    assert fields["light_touch"] == ["yes"]

    fields["award_max_months"] = [""]  # cleared: not known
    saved = web.post(path, fields)
    assert "The procurement facts were recorded." in saved.text
    assert "Procurement facts missing: its maximum term on award" in saved.text
    assert "may not be extended until they are recorded" in saved.text
    register = web.get("/agreements?q=SEFTON-DAYOPS-01")
    assert "Procurement facts missing" in register.text

    # A regime that contradicts when the procurement began is refused by the field.
    fields["procurement_regime"] = ["pa2023"]
    refused = web.post(path, fields)
    assert refused.status_code == 400
    assert "is under pcr2015, not pa2023" in refused.text

    fields["procurement_regime"] = ["pcr2015"]
    fields["award_max_months"] = ["60"]
    restored = web.post(path, fields)
    assert "Procurement facts missing" not in restored.text


def test_a_viewer_sees_the_facts_but_no_form(web: WebClient) -> None:
    web.sign_in("viewer")
    first = web.seeded.sefton_agreement_ids[0]
    page = web.get(f"/agreements/{first}")
    assert "Procurement facts" in page.text
    assert "Save the procurement facts" not in page.text
    assert web.post(f"/agreements/{first}", {"award_max_months": "1"}).status_code == 403


def test_the_case_page_says_why_cabinets_own_term_has_not_started(
    web: WebClient, web_app_parts: Any, engine: Engine, web_clock: FrozenClock
) -> None:
    """A PA 2023 contract (not light touch): Cabinet approves six months of its own on Thu
    11 Dec 2025. On Mon 22 Dec call-in is over, but no contract change notice is published
    (s.75(1)), so the term is held back; the case page says so, in the guard's words."""
    _app, settings = web_app_parts
    ids = web.seeded.user_ids
    web_clock.travel_to(datetime(2025, 11, 3, 9, tzinfo=UTC))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, web_clock, settings)
        officer = session.get(User, ids["officer"])
        assert officer is not None
        agreement = create_agreement(
            ctx,
            AgreementIn.model_validate(
                {
                    "reference": "PA-PAGE-001",
                    "title": "Home care, south locality",
                    "kind": "contract",
                    "counterparty": "South Care Ltd",
                    "directorate": demo.ASC,
                    "annual_value_pence": 600_000_000,
                    "start_date": date(2025, 4, 1),
                    "end_date": date(2026, 3, 31),
                    "procurement_regime": "pa2023",
                    "procurement_started_on": date(2025, 3, 3),
                    "light_touch": False,
                    "contract_type": "services",
                    "award_value_pence": 600_000_000,
                    "award_max_months": 12,
                    "extension_options_months": 6,
                }
            ),
            officer,
        )
        data = demo.sefton_case_in([pk(agreement.id)]).model_copy(
            update={
                "meeting_date": date(2025, 12, 11),
                "forward_plan_published_on": date(2025, 11, 3),
                "proposal": ProposalIn(
                    start_date=date(2026, 4, 1),
                    initial_months=6,
                    max_months=6,
                    ground="provided_for",
                ),
            }
        )
        case_id = pk(create_case(ctx, data, officer).id)
        fire(ctx, case_id, "submit", officer)
    web_clock.travel_to(datetime(2025, 12, 12, 10, tzinfo=UTC))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, web_clock, settings)
        clerk = session.get(User, ids["clerk"])
        assert clerk is not None
        body = {
            "resolution": "Extend by six months from 1 April 2026.",
            "decided_on": date(2025, 12, 11),
            "notice_published_on": date(2025, 12, 12),
            "cabinet_months": 6,
            "max_months": 6,
        }
        fire(ctx, case_id, "approve", clerk, body)
    web_clock.travel_to(datetime(2025, 12, 22, 10, tzinfo=UTC))
    web.sign_in("officer")
    page = web.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "The term decided has not started yet" in page.text
    assert (
        "No contract change notice has been published for PA-PAGE-001 (Procurement Act 2023 "
        "s.75(1): before modifying)" in page.text
    )
