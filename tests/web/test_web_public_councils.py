"""Issue 10 with issue 9's public pages: the decisions and the contracts register a member of
the public reads are one council's (``?council=slug``; the first council's without it), and
never show another council's."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from webcase import WebClient

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.councils.councils import create_council, enter
from workflow.db import unit_of_work
from workflow.models import ContractType, ProcurementRegime
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn, CouncilIn

THEIRS = "OTHER-COUNCIL-ONLY-0001"


def _agreement_of_another_council(engine: Engine, clock: FrozenClock) -> None:
    from workflow.settings import Settings

    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, Settings(database_url=str(engine.url)))
        council, admin, _ = create_council(ctx, CouncilIn(name="Other", slug="other"), None)
        enter(ctx, council)
        create_agreement(
            ctx,
            AgreementIn(
                reference=THEIRS,
                title="Another council's contract",
                kind="contract",  # type: ignore[arg-type]
                counterparty="Elsewhere Ltd",
                directorate="Adult Social Care",
                annual_value_pence=1_000_00,
                start_date=date(2020, 10, 1),
                end_date=date(2025, 9, 30),
                procurement_regime=ProcurementRegime.pcr2015,
                procurement_started_on=date(2020, 1, 6),
                light_touch=False,
                contract_type=ContractType.services,
                award_value_pence=5_000_00,
                award_max_months=60,
            ),
            admin,
        )


def test_the_public_reads_one_council_at_a_time(
    web: WebClient, engine: Engine, web_clock: FrozenClock
) -> None:
    _agreement_of_another_council(engine, web_clock)
    web.client.cookies.clear()
    first = web.client.get("/transparency/contracts-register.csv")
    assert first.status_code == 200 and THEIRS not in first.text
    theirs = web.client.get("/transparency/contracts-register.csv?council=other")
    assert theirs.status_code == 200 and THEIRS in theirs.text
    page = web.client.get("/transparency/contracts-register.html?council=other")
    assert page.status_code == 200 and THEIRS in page.text
    assert "contracts-register.csv?council=other" in page.text  # links stay in the council
    decisions = web.client.get("/decisions?council=other")
    assert decisions.status_code == 200
    assert "/transparency/contracts-register.html?council=other" in decisions.text
    for path in ("/decisions", "/transparency/contracts-register.html"):
        assert THEIRS not in web.client.get(path).text
    for path in (
        "/decisions?council=nowhere",
        "/transparency/contracts-register.csv?council=nowhere",
        "/transparency/contracts-register.html?council=nowhere",
    ):
        assert web.client.get(path).status_code == 404, path
