"""Storing an imported contract register (``workflow.register.importer``): the sample register,
updates by reference, what a refused row or an absent column leaves alone, one transaction
that the import never commits itself, and who may import.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

import pytest
from registerfiles import (
    HEADER,
    Work,
    agreements,
    clerk,
    good_row,
    import_events,
    officer,
    register,
    run,
    user,
)
from sqlmodel import func, select

from workflow.errors import Forbidden
from workflow.models import Agreement, Role
from workflow.register.importer import import_register, sample_register


def test_sample_register_imports_every_row(work: Work) -> None:
    actor = officer(work)
    result = run(work, sample_register(), actor)

    assert result.refused == []
    assert result.created >= 200
    assert result.updated == 0
    assert result.rows == result.created == len(result.agreement_ids)
    stored = agreements(work)
    assert len(stored) == result.created
    assert {a.kind for a in stored.values()} == {"contract", "sla"}
    assert {a.directorate for a in stored.values()} >= {
        "Adult Social Care",
        "Children's Services",
        "Place",
        "Resources",
        "Public Health",
    }
    assert any(a.charity_number for a in stored.values())
    # The register's VAT and procurement columns are read but have nowhere to go.
    assert result.ignored_columns == ["VAT Not Recoverable", "Procurement Route"]

    # Only a total is given: £13,220.00 over 60 months (1 Mar 2019 - 29 Feb 2024) is £2,644 a year.
    first = stored["CR-ASC-2019-001"]
    assert (first.annual_value_pence, first.kind) == (264_400, "contract")
    assert (first.start_date, first.end_date) == (date(2019, 3, 1), date(2024, 2, 29))
    assert first.review_date == date(2023, 5, 29)
    # An annual value given as published; "Service Level Agreement - ..." (en dash) is an SLA.
    sla = stored["CR-ASC-2019-004"]
    assert (sla.annual_value_pence, sla.kind) == (587_700, "sla")
    charity = stored["CR-ASC-2019-003"]
    assert charity.counterparty == "Wrenfield Foundation"
    assert (charity.companies_house_number, charity.charity_number) == ("ZZ021899", "ZZ818845")
    assert (charity.sme, charity.vcse) == (True, True)
    assert charity.description == "Building-based and community day opportunities, West"

    [event] = import_events(work)
    assert event.actor_id == actor.id
    assert event.data == {
        "rows": result.rows,
        "created": result.created,
        "updated": 0,
        "refused": 0,
        "refused_rows": [],
        "updated_references": [],
        "end_dates_changed": [],
        "replanned_cases": [],
    }


def test_sample_register_is_packaged_and_clean() -> None:
    data = resources.files("workflow.data").joinpath("sample_contract_register.csv").read_bytes()
    assert data == sample_register()
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    references = [r[0] for r in rows[1:]]
    assert len(references) >= 200
    assert len(set(references)) == len(references)
    # Made up: no real Companies House or charity numbers, only the obviously fake "ZZ" form.
    for row in rows[1:]:
        assert all(n == "" or n.startswith("ZZ") for n in (row[5], row[6]))


def test_reimport_updates_by_reference_and_never_duplicates(work: Work) -> None:
    actor = clerk(work)  # the sample spans every directorate
    first = run(work, sample_register(), actor)
    second = run(work, sample_register(), actor)
    assert (second.created, second.updated, second.refused) == (0, first.created, [])
    assert second.agreement_ids == first.agreement_ids
    assert len(agreements(work)) == first.created

    changed = register([good_row("CR-ASC-2019-001", "£99.99"), good_row("NEW-1")])
    third = run(work, changed, actor)
    assert (third.created, third.updated) == (1, 1)
    stored = agreements(work)
    assert stored["CR-ASC-2019-001"].annual_value_pence == 9_999
    assert stored["CR-ASC-2019-001"].directorate == "Resources"
    assert len(stored) == first.created + 1
    assert [e.data["updated"] for e in import_events(work)] == [0, first.created, 1]


def test_a_refused_row_leaves_its_stored_agreement_alone(work: Work) -> None:
    actor = officer(work)
    run(work, register([good_row("K-1", "£100.00")]), actor)
    bad = ["K-1", "Cleaning", "Ashbrook Care Ltd", "Resources", "01/04/2024", "bad", "£1"]
    result = run(work, register([bad]), actor)
    assert (result.created, result.updated, len(result.refused)) == (0, 0, 1)
    assert agreements(work)["K-1"].annual_value_pence == 10_000


def test_absent_column_keeps_stored_value_blank_cell_clears_it(work: Work) -> None:
    actor = officer(work)
    header = [*HEADER, "Charity Number", "Review Date", "SME"]
    run(work, register([[*good_row("C-1"), "ZZ1234", "01/01/2025", "Yes"]], header), actor)
    run(work, register([good_row("C-1", "£2.00")]), actor)  # no charity/review/SME columns
    kept = agreements(work)["C-1"]
    assert (kept.charity_number, kept.review_date, kept.sme) == ("ZZ1234", date(2025, 1, 1), True)
    assert kept.annual_value_pence == 200
    run(work, register([[*good_row("C-1"), "", "", ""]], header), actor)
    cleared = agreements(work)["C-1"]
    assert (cleared.charity_number, cleared.review_date, cleared.sme) == (None, None, None)


def test_nothing_is_committed_by_the_import_itself(work: Work) -> None:
    actor = officer(work)
    with pytest.raises(RuntimeError), work() as ctx:
        assert import_register(ctx, sample_register(), actor).created >= 200
        assert ctx.session.exec(select(func.count()).select_from(Agreement)).one() >= 200
        raise RuntimeError("the request failed after the import")
    assert agreements(work) == {}
    assert import_events(work) == []


@pytest.mark.parametrize("role", [Role.viewer, Role.executive, Role.cabinet_member, Role.scrutiny])
def test_only_officers_democratic_services_and_admins_may_import(work: Work, role: Role) -> None:
    with work() as ctx:
        outsider = user(ctx, role, email=f"{role}@council.example.gov.uk")
    with pytest.raises(Forbidden):
        run(work, sample_register(), outsider)
    assert agreements(work) == {}
    assert import_events(work) == []


@pytest.mark.parametrize("role", [Role.officer, Role.democratic_services, Role.admin])
def test_registering_roles_may_import(work: Work, role: Role) -> None:
    with work() as ctx:
        insider = user(ctx, role, email=f"{role}@council.example.gov.uk")
    assert run(work, register([good_row("P-1")]), insider).created == 1
