"""Reading a register file (``workflow.register.layout``): Excel's habits (BOMs, Windows-1252,
UTF-16, ``;``, title lines, blank lines) are read, and a file that is not a register changes
nothing at all, with each missing column named.
"""

from __future__ import annotations

import codecs
import random
from datetime import date

import pytest
from registerfiles import (
    CURLY,
    Work,
    agreements,
    good_row,
    import_events,
    officer,
    register,
    run,
)

from workflow.errors import InvalidInput


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
