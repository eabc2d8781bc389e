"""Every CSV cell the service writes is neutralised by the OWASP rule (issue 13, fault 5):
the probe's formula strings get a leading ``'``; ordinary text is written as it is."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.register.csv_safe import FORMULA_STARTS, csv_line, neutralise, restore

PROBES = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("probe", PROBES)
def test_each_probe_gets_a_leading_quote(probe: str) -> None:
    assert neutralise(probe) == "'" + probe
    assert restore(neutralise(probe)) == probe
    [[cell]] = list(csv.reader(io.StringIO(csv_line([probe]), newline="")))
    assert cell == "'" + probe


@pytest.mark.parametrize(
    "text", ["Day Opportunities", "", "1,234.56", "01/04/2024", "'=already quoted", "a=b", " =1"]
)
def test_ordinary_text_is_written_as_it_is(text: str) -> None:
    assert neutralise(text) == text
    assert restore(text) == text or text.startswith("'=")


@given(st.text())
def test_what_is_neutralised_is_restored(text: str) -> None:
    assert restore(neutralise(text)) == text


@given(st.lists(st.text(), max_size=6))
def test_no_written_cell_begins_like_a_formula_and_each_reads_back(cells: list[str]) -> None:
    [read] = list(csv.reader(io.StringIO(csv_line(cells), newline=""))) or [[]]
    if cells == [""] or not cells:
        return  # an empty record and one empty cell both read back as no cells
    assert len(read) == len(cells)
    for written, given_cell in zip(read, cells, strict=True):
        assert not written.startswith(FORMULA_STARTS)
        assert written in (given_cell, "'" + given_cell)
