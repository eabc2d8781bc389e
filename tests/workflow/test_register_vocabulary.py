"""The register's header vocabulary (``workflow.register.vocabulary``): councils' own spellings
of each column, whatever their case, spacing, punctuation or VAT note, are all recognised.
"""

from __future__ import annotations

from datetime import date

import pytest
from registerfiles import (
    Work,
    agreements,
    officer,
    register,
    run,
)


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        (
            [
                "Ref",
                "Contract Title",
                "Name of Supplier",
                "Service Area",
                "Contract Start Date",
                "Contract End Date",
                "Annual Value (£)",
                "Companies House Number",
                "Charity Number",
                "Is SME",
                "Voluntary or Community Sector",
            ],
            ";",
        ),
        (
            [
                " REFERENCE NUMBER ",
                "title of agreement",
                "Supplier",
                "DIRECTORATE",
                "start date",
                "END-DATE",
                "Estimated Annual Value (excluding VAT)",
                "Company Registration Number",
                "Charity Registration Number",
                "SME",
                "VCSE",
            ],
            ",",
        ),
        (
            [
                "Contract Reference",
                "Title",
                "Supplier Name",
                "Department",
                "Start Date",
                "End Date",
                "Annual Value",
                "Registered Company Number",
                "Registered Charity Number",
                "Small or Medium Enterprise",
                "VCSE Flag",
            ],
            "\t",
        ),
        (
            [
                "Contract Ref.",
                "Agreement Title",
                "Contractor",
                "Local Authority Department Responsible",
                "Commencement Date",
                "Expiry Date",
                "Annual Spend",
                "Company No",
                "Charity No.",
                "SME?",
                "VCSE?",
            ],
            "|",
        ),
    ],
)
def test_header_spellings_and_delimiters(work: Work, header: list[str], delimiter: str) -> None:
    rows = [
        [
            "CR-1",
            "Carers' Support Service",
            "Larkhaven Community Trust",
            "Adult Social Care",
            "01/04/2024",
            "31/03/2027",
            "£123,456.78",
            "1234567",
            "ZZ12345",
            "Yes",
            "Yes",
        ],
        [
            "CR-2",
            "SLA for Payroll Services",
            "Oakmere Services Ltd",
            "Resources",
            "2024-04-01",
            "2025-03-31",
            "£5,000",
            "ZZ000001",
            "",
            "No",
            "No",
        ],
    ]
    result = run(work, register(rows, header, delimiter=delimiter), officer(work))
    assert (result.created, result.refused, result.ignored_columns) == (2, [], [])
    stored = agreements(work)
    one, two = stored["CR-1"], stored["CR-2"]
    assert (one.title, one.counterparty, one.directorate) == (
        "Carers' Support Service",
        "Larkhaven Community Trust",
        "Adult Social Care",
    )
    assert (one.annual_value_pence, one.start_date, one.end_date) == (
        12_345_678,
        date(2024, 4, 1),
        date(2027, 3, 31),
    )
    # Excel drops a Companies House number's leading zero; it is put back.
    assert (one.companies_house_number, one.charity_number) == ("01234567", "ZZ12345")
    assert (one.sme, one.vcse, one.kind) == (True, True, "contract")
    assert (two.sme, two.vcse, two.kind, two.charity_number) == (False, False, "sla", None)
    assert two.annual_value_pence == 500_000
