"""Importing a Transparency Code contract register (SPEC §7 ``POST /agreements/import``).

Councils publish the register in their own spellings and from Excel's habits, so these tests
feed it the way real files arrive (BOMs, Windows-1252, ``;``, title lines, blank lines) and pin
what must never bend: exact pence and dates, refused rows named by the row number the officer
sees, and a file that is not a register changing nothing at all.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, func, select

from workflow.context import Ctx
from workflow.errors import Forbidden, InvalidInput
from workflow.models import Agreement, AuditEvent, Role, User
from workflow.people.users import create_user
from workflow.register.transparency import (
    ImportResult,
    contract_months,
    derive_annual_pence,
    import_register,
    parse_date,
    parse_pence,
    sample_register,
)
from workflow.schemas import UserIn

Work = Callable[[], AbstractContextManager[Ctx]]  # the ``work`` fixture of conftest

CURLY = "\u2019"  # the apostrophe Word and Excel type: "Children's" with a curly quote
HEADER = [
    "Reference Number",
    "Title of Agreement",
    "Supplier Name",
    "Department",
    "Start Date",
    "End Date",
    "Annual Value",
]


def register(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    preamble: str = "",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (preamble + out.getvalue()).encode(encoding)


def good_row(ref: str, value: str = "£10,000.00", title: str = "Cleaning") -> list[str]:
    return [ref, title, "Ashbrook Care Ltd", "Resources", "01/04/2024", "31/03/2025", value]


def user(ctx: Ctx, *roles: Role, email: str = "officer@council.example.gov.uk") -> User:
    return create_user(ctx, UserIn(name="Ola Officer", email=email, roles=list(roles)), actor=None)[
        0
    ]


def officer(work: Work) -> User:
    with work() as ctx:
        return user(ctx, Role.officer)


def run(work: Work, data: bytes, actor: User) -> ImportResult:
    with work() as ctx:
        return import_register(ctx, data, actor)


def agreements(work: Work) -> dict[str, Agreement]:
    with work() as ctx:
        return {a.reference: a for a in ctx.session.exec(select(Agreement)).all()}


def import_events(work: Work) -> list[AuditEvent]:
    with work() as ctx:
        query = select(AuditEvent).where(AuditEvent.event == "agreements_imported")
        return list(ctx.session.exec(query.order_by(col(AuditEvent.id))).all())


# --- The sample register -------------------------------------------------------------------


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
    actor = officer(work)
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


# --- Header spellings, delimiters, encodings -----------------------------------------------


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


def test_excel_habits_bom_windows_1252_blank_lines_title_line_whitespace(work: Work) -> None:
    children = f"Children{CURLY}s Services"
    rows = [
        [
            "  W-1  ",
            f"Children{CURLY}s Short Breaks  ",
            " Ravenbeck Trust ",
            f"{children} ",
            "01/04/2024 ",
            " 31/03/2025",
            " £1,500.50 ",
        ],
        [],
        ["", "", "", "", "", "", ""],
        ["W-2", "Bad", "Ravenbeck Trust", children, "31/13/2024", "2025-01-01", "1"],
    ]
    preamble = "Contract Register,,,,,,\r\nPublished under the Transparency Code,,,,,,\r\n\r\n"
    data = register(rows, preamble=preamble, encoding="cp1252")
    assert b"\xa3" in data and b"\x92" in data  # "£" and the curly quote, as Windows-1252
    actor = officer(work)
    result = run(work, data, actor)
    assert result.created == 1
    # Title lines and blank lines count as the rows a spreadsheet shows: header at row 4.
    assert [(r.row, r.reference) for r in result.refused] == [(8, "W-2")]
    stored = agreements(work)["W-1"]
    assert (stored.title, stored.counterparty, stored.directorate) == (
        f"Children{CURLY}s Short Breaks",
        "Ravenbeck Trust",
        children,
    )
    assert (stored.annual_value_pence, stored.end_date) == (150_050, date(2025, 3, 31))

    for encoded in (
        codecs.BOM_UTF8 + register([good_row("B-1", "£1.00")]),
        register([good_row("B-2", "£2.00")], encoding="utf-16"),
    ):
        assert run(work, encoded, actor).created == 1
    assert agreements(work)["B-2"].annual_value_pence == 200


def test_semicolon_register_with_commas_inside_money(work: Work) -> None:
    rows = [good_row(f"S-{n}", f"£1,{n:03d},000.00") for n in range(5)]
    result = run(work, register(rows, delimiter=";"), officer(work))
    assert (result.created, result.refused) == (5, [])
    assert agreements(work)["S-3"].annual_value_pence == 100_300_000


# --- Money and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "pence"),
    [
        ("£1,234,567.89", 123_456_789),
        ("1234567", 123_456_700),
        ("£5,000", 500_000),
        ("5000.5", 500_050),
        ("£0.99", 99),
        ("0", 0),
        ("£ 12,345.00 ", 1_234_500),
        ("GBP 250,000", 25_000_000),
        ("£1.2m", 120_000_000),
        ("£250k", 25_000_000),
        ("1234.5600000001", 123_456),  # a spreadsheet's float artefact, to the penny
        ("1234.565", 123_457),  # half a penny rounds up
        ("", None),
        ("N/A", None),
        ("TBC", None),
    ],
)
def test_parse_pence(cell: str, pence: int | None) -> None:
    assert parse_pence(cell) == pence


@pytest.mark.parametrize("cell", ["£1,23", "12,34,567", "ten pounds", "£1.2.3", "-£5", "(£5)"])
def test_parse_pence_refuses_what_it_cannot_read_for_certain(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_pence(cell)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("01/04/2024", date(2024, 4, 1)),
        ("1/4/2024", date(2024, 4, 1)),
        ("31.03.2025", date(2025, 3, 31)),
        ("2024-04-01", date(2024, 4, 1)),
        ("2024-04-01 00:00:00", date(2024, 4, 1)),
        ("01/04/2024 00:00", date(2024, 4, 1)),
        ("1 Apr 2024", date(2024, 4, 1)),
        ("1 April 2024", date(2024, 4, 1)),
        ("1st Sept 2024", date(2024, 9, 1)),
        ("29-Feb-2024", date(2024, 2, 29)),
        ("", None),
        ("n/a", None),
    ],
)
def test_parse_date(cell: str, day: date | None) -> None:
    assert parse_date(cell) == day


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("29/02/2023", "not a date on the calendar"),
        ("01/04/24", "two-digit year"),
        ("April 2024", "not a date"),
        ("04/01/2024 extra", "not a date"),
    ],
)
def test_parse_date_refuses(cell: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_date(cell)


def test_money_and_date_formats_land_exactly(work: Work) -> None:
    cases = [
        ("M-1", "01/04/2024", "31/03/2025", "£1,234,567.89", 123_456_789),
        ("M-2", "2024-04-01", "2025-03-31", "1234567", 123_456_700),
        ("M-3", "1 Apr 2024", "31 Mar 2025", "£5,000", 500_000),
        ("M-4", "1 April 2024", "31-Mar-2025", "£0.07", 7),
    ]
    rows = [
        [ref, "Service", "Dunmere Ltd", "Place", start, end, value]
        for ref, start, end, value, _ in cases
    ]
    result = run(work, register(rows), officer(work))
    assert result.refused == []
    stored = agreements(work)
    for ref, *_, pence in cases:
        assert stored[ref].annual_value_pence == pence
        assert (stored[ref].start_date, stored[ref].end_date) == (
            date(2024, 4, 1),
            date(2025, 3, 31),
        )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 4, 1), date(2027, 3, 31), 36),
        (date(2024, 4, 1), date(2027, 3, 30), 36),  # a day short: nearest whole month
        (date(2024, 4, 1), date(2027, 4, 2), 36),  # two days over: still 36
        (date(2024, 4, 1), date(2027, 4, 20), 37),  # most of another month
        (date(2024, 8, 31), date(2025, 2, 28), 6),  # SPEC §4's term: 31 Aug + 6 ends 28 Feb
        (date(2024, 4, 1), date(2024, 4, 1), 1),  # never less than a month
        (date(2024, 10, 1), date(2025, 3, 31), 6),  # Sefton's initial six months
    ],
)
def test_contract_months(start: date, end: date, months: int) -> None:
    assert contract_months(start, end) == months


@given(
    pence=st.integers(min_value=0, max_value=10**13),
    style=st.sampled_from(
        ["£{p:,}.{d:02d}", "{p}.{d:02d}", "GBP {p:,}.{d:02d}", " £ {p}.{d:02d} "]
    ),
)
def test_formatted_pence_round_trip(pence: int, style: str) -> None:
    pounds, part = divmod(pence, 100)
    assert parse_pence(style.format(p=pounds, d=part)) == pence


@given(pounds=st.integers(min_value=0, max_value=10**11))
def test_whole_pounds_round_trip(pounds: int) -> None:
    assert parse_pence(f"£{pounds:,}") == parse_pence(str(pounds)) == pounds * 100


@given(
    total=st.integers(min_value=0, max_value=10**12),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    days=st.integers(min_value=0, max_value=3650),
)
def test_derived_annual_value_is_exact_decimal_arithmetic(
    total: int, start: date, days: int
) -> None:
    end = date.fromordinal(start.toordinal() + days)
    months = contract_months(start, end)
    exact = Decimal(total) * 12 / Decimal(months)
    derived = derive_annual_pence(total, start, end)
    assert abs(Decimal(derived) - exact) <= Decimal("0.5")


# --- Refused rows --------------------------------------------------------------------------


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


# --- Bad files change nothing --------------------------------------------------------------


def _junk() -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(4096))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (_junk(), "binary"),
        (b"PK\x03\x04" + _junk(), "Excel workbook"),
        (b"%PDF-1.7\n" + _junk(), "PDF"),
        (b"\x01\x02\x03,\x04\r\n", "binary"),
        (b"Reference Number,Title of Agreement\r\nX,Y\r\n", "lacks required columns"),
        (register([]), "no agreements"),
        (b"just some prose, not a register at all\n", "lacks required columns"),
        (
            ("\u00a5" * 50 + "\n").encode("cp1252"),  # decodes, but names no column at all
            "lacks required columns: reference, title, supplier",
        ),
    ],
)
def test_a_bad_file_changes_nothing(work: Work, data: bytes, says: str) -> None:
    actor = officer(work)
    run(work, register([good_row("KEEP", "£1.00")]), actor)
    before = agreements(work)["KEEP"].annual_value_pence

    with pytest.raises(InvalidInput, match=says):
        run(work, data, actor)

    stored = agreements(work)
    assert list(stored) == ["KEEP"]
    assert stored["KEEP"].annual_value_pence == before
    assert len(import_events(work)) == 1


def test_missing_columns_are_each_named(work: Work) -> None:
    header = ["Ref", "Contract Title", "Start Date", "Contract Value"]
    with pytest.raises(InvalidInput) as caught:
        run(work, register([["R", "T", "01/04/2024", "£1"]], header), officer(work))
    error = caught.value
    assert "supplier, directorate, end date" in error.detail
    assert [p.field for p in error.problems] == ["supplier", "directorate", "end date"]
    assert agreements(work) == {}
    assert import_events(work) == []


def test_nothing_is_committed_by_the_import_itself(work: Work) -> None:
    actor = officer(work)
    with pytest.raises(RuntimeError), work() as ctx:
        assert import_register(ctx, sample_register(), actor).created >= 200
        assert ctx.session.exec(select(func.count()).select_from(Agreement)).one() >= 200
        raise RuntimeError("the request failed after the import")
    assert agreements(work) == {}
    assert import_events(work) == []


# --- Who may import ------------------------------------------------------------------------


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
