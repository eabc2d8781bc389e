"""The procurement columns of the contract register (issue 9, SPEC §9): read where present,
written by the export so it reads back, and never wiped by a register that lacks them; and
the facts recorded through ``update_procurement`` where the register has no column."""

from __future__ import annotations

from datetime import date

import pytest
from registerfiles import HEADER, Work, agreements, good_row, officer, register, run, user

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Agreement, Role
from workflow.register.agreements import update_procurement
from workflow.register.export import RegisterFilters, export_register
from workflow.register.importer import import_register
from workflow.schemas import AgreementProcurementIn

PROCUREMENT_HEADER = [
    *HEADER,
    "Procurement Regime",
    "Procurement Start Date",
    "Light Touch",
    "Contract Type",
    "Value on Award (£)",
    "Maximum Term (months)",
    "Extension Options",
]


def facts(a: Agreement) -> dict[str, object]:
    return a.model_dump(exclude={"created_at", "updated_at"})


def row(ref: str, *cells: str) -> list[str]:
    return [*good_row(ref), *cells]


def test_the_columns_are_read_where_the_register_has_them(work: Work) -> None:
    actor = officer(work)
    data = register(
        [
            row("P-1", "PCR 2015", "01/03/2019", "Yes", "Services", "£975,000", "60", "none"),
            row(
                "P-2",
                "Procurement Act 2023",
                "03/03/2025",
                "No",
                "Supplies",
                "50000",
                "3 years",
                "12",
            ),
            row("P-3", "", "", "", "", "", "", ""),
        ],
        PROCUREMENT_HEADER,
    )
    result = run(work, data, actor)
    assert (result.created, result.refused, result.ignored_columns) == (3, [], [])
    stored = agreements(work)
    one, two, three = stored["P-1"], stored["P-2"], stored["P-3"]
    assert (one.procurement_regime, one.procurement_started_on) == ("pcr2015", date(2019, 3, 1))
    assert (one.light_touch, one.contract_type) == (True, "services")
    assert (one.award_value_pence, one.award_max_months) == (97_500_000, 60)
    assert one.extension_options_months is None  # "none": the contract provides no option
    assert (two.procurement_regime, two.contract_type, two.award_max_months) == (
        "pa2023",
        "goods",
        36,
    )
    assert two.extension_options_months == 12
    assert three.procurement_regime is None and three.award_max_months is None


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        (("PA 2023", "01/03/2019", "", "", "", "", ""), "is under pcr2015, not pa2023"),
        (("Directive", "", "", "", "", "", ""), "procurement regime: 'Directive' is not"),
        (("", "", "", "Consultancy", "", "", ""), "contract type: 'Consultancy' is not goods"),
        (("", "", "", "", "", "three years", ""), "maximum term: 'three years' is not a number"),
        (("", "", "", "", "", "0", ""), "maximum term: must be at least one month"),
        (("", "", "", "", "nothing", "", ""), "award value:"),
    ],
)
def test_a_row_whose_facts_cannot_be_read_is_refused_with_why(
    work: Work, facts: tuple[str, ...], problem: str
) -> None:
    result = run(work, register([row("P-9", *facts)], PROCUREMENT_HEADER), officer(work))
    [refused] = result.refused
    assert problem in refused.reason


def test_a_register_without_the_columns_leaves_recorded_facts_alone(work: Work) -> None:
    actor = officer(work)
    run(
        work,
        register(
            [row("P-1", "PCR 2015", "01/03/2019", "Yes", "Services", "975000", "60", "12")],
            PROCUREMENT_HEADER,
        ),
        actor,
    )
    run(work, register([good_row("P-1", value="£11,000.00")]), actor)
    after = agreements(work)["P-1"]
    assert after.annual_value_pence == 1_100_000
    assert (after.procurement_regime, after.award_max_months, after.extension_options_months) == (
        "pcr2015",
        60,
        12,
    )


def test_the_export_writes_the_columns_and_reads_back_unchanged(work: Work) -> None:
    actor = officer(work)
    run(
        work,
        register(
            [
                row("P-1", "PCR 2015", "01/03/2019", "Yes", "Works", "975000", "60", "none"),
                row("P-2", "PA 2023", "03/03/2025", "No", "Goods", "50000.50", "36", "12"),
            ],
            PROCUREMENT_HEADER,
        ),
        actor,
    )
    before = {
        k: a.model_dump(exclude={"created_at", "updated_at"}) for k, a in agreements(work).items()
    }
    with work() as ctx:
        text = "".join(export_register(ctx, actor, RegisterFilters()))
    assert "Procurement Regime,Procurement Start Date,Light Touch,Contract Type,Award Value" in text
    assert "pcr2015,01/03/2019,Yes,works,975000.00,60,none" in text
    with work() as ctx:
        result = import_register(ctx, text.encode(), actor)
    assert result.refused == [] and result.updated == 2
    after = {
        k: a.model_dump(exclude={"created_at", "updated_at"}) for k, a in agreements(work).items()
    }
    assert after == before


def test_facts_are_recorded_where_the_register_has_no_column(work: Work) -> None:
    actor = officer(work)
    run(work, register([good_row("P-1")]), actor)
    agreement_id = agreements(work)["P-1"].id
    assert agreement_id is not None
    with work() as ctx:
        update_procurement(
            ctx,
            agreement_id,
            AgreementProcurementIn.model_validate(
                {"procurement_regime": "pcr2015", "procurement_started_on": "2019-03-01"}
            ),
            actor,
        )
    with work() as ctx:
        update_procurement(
            ctx,
            agreement_id,
            AgreementProcurementIn.model_validate({"award_max_months": 48}),
            actor,
        )
    stored = agreements(work)["P-1"]
    assert (stored.procurement_regime, stored.award_max_months) == ("pcr2015", 48)
    # A change that would contradict the stored start date is refused, and changes nothing.
    with work() as ctx, pytest.raises(InvalidInput, match="is under pcr2015, not pa2023"):
        update_procurement(
            ctx,
            agreement_id,
            AgreementProcurementIn.model_validate({"procurement_regime": "pa2023"}),
            actor,
        )
    # Another directorate's officer may not change it; democratic services may.
    with work() as ctx:
        other = user(ctx, Role.officer, email="other@council.example.gov.uk", directorate="Place")
    with work() as ctx, pytest.raises(Forbidden):
        update_procurement(
            ctx, agreement_id, AgreementProcurementIn.model_validate({"light_touch": True}), other
        )
    with work() as ctx:
        update_procurement(
            ctx,
            agreement_id,
            AgreementProcurementIn.model_validate({"light_touch": True}),
            user(ctx, Role.democratic_services, email="ds@council.example.gov.uk"),
        )
    assert agreements(work)["P-1"].light_touch is True
