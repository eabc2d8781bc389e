"""Reading one register row (``workflow.register.rows``): refused rows named by the row number
the officer sees and why, annual values from totals, and the combined SME/VCSE column.
"""

from __future__ import annotations

from registerfiles import (
    HEADER,
    Work,
    agreements,
    good_row,
    import_events,
    officer,
    register,
    run,
)


def test_total_value_only_is_annualised_by_contract_months(work: Work) -> None:
    header = [
        "Reference Number",
        "Title",
        "Supplier",
        "Service Area",
        "Start Date",
        "End Date",
        "Total Value",
    ]
    rows = [
        # 36 months: £300,000 -> £100,000 a year
        ["T-1", "Home Care", "Elmholt Care Ltd", "ASC", "01/04/2024", "31/03/2027", "£300,000"],
        # 6 months: annualised, £50,000 -> £100,000 a year
        ["T-2", "Home Care", "Elmholt Care Ltd", "ASC", "01/10/2024", "31/03/2025", "50000"],
        # 7 years: £1,000,000.00 / 84 * 12 = £142,857.142857.. -> £142,857.14
        ["T-3", "Waste", "Greythorne plc", "Place", "01/04/2020", "31/03/2027", "£1,000,000.00"],
        # one day short of 24 months still counts as 24
        ["T-4", "Audit", "Fernlow LLP", "Resources", "01/04/2024", "30/03/2026", "£24,000"],
    ]
    run(work, register(rows, header), officer(work))
    pence = {ref: a.annual_value_pence for ref, a in agreements(work).items()}
    assert pence == {
        "T-1": 10_000_000,
        "T-2": 10_000_000,
        "T-3": 14_285_714,
        "T-4": 1_200_000,
    }


def test_annual_value_wins_and_total_fills_a_blank_annual_cell(work: Work) -> None:
    header = [*HEADER[:6], "Annual Value", "Contract Value"]
    rows = [
        ["A-1", "Parks", "Oakmere Ltd", "Place", "01/04/2024", "31/03/2026", "£7,500", "£20,000"],
        ["A-2", "Parks", "Oakmere Ltd", "Place", "01/04/2024", "31/03/2026", "", "£20,000"],
    ]
    run(work, register(rows, header), officer(work))
    stored = agreements(work)
    assert stored["A-1"].annual_value_pence == 750_000
    assert stored["A-2"].annual_value_pence == 1_000_000


def test_bad_rows_are_refused_with_row_numbers_while_good_rows_land(work: Work) -> None:
    rows = [
        good_row("G-1"),  # row 2
        ["R-3", "Cleaning", "Ashbrook Ltd", "Resources", "31/02/2024", "31/03/2025", "£1"],
        ["R-4", "Cleaning", "Ashbrook Ltd", "Resources", "01/04/2025", "31/03/2024", "£1"],
        ["R-5", "Cleaning", "Ashbrook Ltd", "Resources", "01/04/2024", "31/03/2025", ""],
        good_row("DUP"),  # row 6
        [],  # row 7: blank, skipped but counted
        good_row("G-8"),
        good_row("DUP"),  # row 9
        ["R-10", "Cleaning", "", "Resources", "01/04/2024", "31/03/2025", "-£5"],
        ["", "No reference", "Ashbrook Ltd", "Resources", "01/04/2024", "31/03/2025", "£1"],
        ["R-12", "Cleaning", "Ashbrook Ltd", "Resources", "01/04/24", "31/03/2025", "£1,00"],
        ["R-13", "x" * 501, "Ashbrook Ltd", "Resources", "01/04/2024", "31/03/2025", "£1"],
        good_row("G-14", title="Service Level Agreement - HR Advice"),
    ]
    result = run(work, register(rows), officer(work))

    assert (result.created, result.updated, result.rows) == (3, 0, 12)
    refused = {r.row: (r.reference, r.reason) for r in result.refused}
    assert sorted(refused) == [3, 4, 5, 6, 9, 10, 11, 12, 13]
    assert refused[3] == ("R-3", "start date: '31/02/2024' is not a date on the calendar")
    assert refused[4] == ("R-4", "end date 31/03/2024 is before start date 01/04/2025")
    assert refused[5] == ("R-5", "no value")
    duplicate = "reference 'DUP' appears more than once in the file (rows 6, 9)"
    assert refused[6] == refused[9] == ("DUP", duplicate)
    assert refused[10] == ("R-10", "no supplier name; annual value: '-£5' is negative")
    assert refused[11] == (None, "no reference")
    assert refused[12][1] == (
        "start date: '01/04/24' has a two-digit year; write it as DD/MM/YYYY; "
        "annual value: '£1,00' is not an amount of money"
    )
    assert refused[13][1].startswith("title: String should have at most 500 characters")

    stored = agreements(work)
    assert sorted(stored) == ["G-1", "G-14", "G-8"]
    assert stored["G-14"].kind == "sla"
    [event] = import_events(work)
    assert event.data["refused_rows"] == [3, 4, 5, 6, 9, 10, 11, 12, 13]
    assert (event.data["created"], event.data["refused"]) == (3, 9)


def test_combined_sme_vcse_column(work: Work) -> None:
    header = [*HEADER, "SME / VCSE"]
    rows = [
        [*good_row("F-1"), "SME"],
        [*good_row("F-2"), "VCSE"],
        [*good_row("F-3"), "Both"],
        [*good_row("F-4"), "Neither"],
        [*good_row("F-5"), ""],
    ]
    run(work, register(rows, header), officer(work))
    flags = {ref: (a.sme, a.vcse) for ref, a in agreements(work).items()}
    assert flags == {
        "F-1": (True, False),
        "F-2": (False, True),
        "F-3": (True, True),
        "F-4": (False, False),
        "F-5": (None, None),
    }
