"""One row of a contract register to an ``AgreementIn``, with its spreadsheet row number and
everything wrong with it.

A bad row (unreadable date, end before start, no value, a reference that appears twice in the
file) is refused with its row number as the officer sees it in Excel (header = row 1, blank
lines counted) and the reason; it never stops the good rows. Nothing here touches the database.
Where both an annual and a total column are given, the annual figure is used as published and
the total only fills a blank annual cell (``cells.derive_annual_pence``). A cell the service's
own export neutralised (``'=…``) is read as it was before (``csv_safe.restore``).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from workflow.errors import InvalidInput
from workflow.procurement.regimes import regime_contradiction
from workflow.register.cells import (
    blank,
    companies_house,
    derive_annual_pence,
    kind_of,
    one_line,
    parse_contract_type,
    parse_date,
    parse_flag,
    parse_months,
    parse_pence,
    parse_regime,
    parse_sme_vcse,
)
from workflow.register.csv_safe import restore
from workflow.register.layout import Layout, records
from workflow.schemas import AgreementIn

__all__ = ["ParsedRow", "parse_row", "parse_rows"]

Cell = Callable[[str], "str | None"]

# The text fields a row cannot do without, with the words a refusal names them by.
_NAMED = (
    ("reference", "reference"),
    ("title", "title"),
    ("supplier", "supplier name"),
    ("directorate", "directorate"),
)


@dataclass
class ParsedRow:
    """A row as read: ``data`` when it is a good agreement, else ``problems`` say why not;
    ``extra`` holds the stored fields ``AgreementIn`` does not carry (review date, flags),
    only for the columns the file has."""

    row: int
    reference: str | None
    problems: list[str]
    data: AgreementIn | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Figures:
    """A row's dates and amounts, each ``None`` when blank or unreadable."""

    start: date | None
    end: date | None
    review: date | None
    annual: int | None
    total: int | None


def parse_rows(text: str, layout: Layout) -> list[ParsedRow]:
    """Every non-blank row below the header, read; duplicates within the file refused."""
    parsed: list[ParsedRow] = []
    try:
        for index, record in enumerate(records(text, layout.delimiter)):
            if index <= layout.header_index or not any(c.strip() for c in record):
                continue
            parsed.append(parse_row(index + 1, record, layout.columns))
    except csv.Error as exc:
        raise InvalidInput(f"the file is not a well-formed CSV: {exc}") from exc
    if not parsed:
        raise InvalidInput("the register has a header row but no agreements")
    _refuse_duplicates(parsed)
    return parsed


def parse_row(row: int, record: list[str], columns: dict[str, int]) -> ParsedRow:
    """Row number ``row`` (as Excel numbers it) of the file, read through ``columns``."""

    def cell(name: str) -> str | None:
        index = columns.get(name)
        if index is None or index >= len(record):
            return None
        return restore(record[index].strip()).strip()

    parsed = ParsedRow(row, one_line(cell("reference")), [])
    values = _names(cell, parsed.problems)
    figures = _figures(cell, parsed.problems)
    procurement = _procurement(cell, columns, parsed.problems)
    if parsed.problems:
        return parsed
    parsed.data = _agreement(cell, values, figures, parsed.problems)
    if parsed.data is not None:
        parsed.extra = _extras(cell, columns, figures.review) | procurement
    return parsed


_PROCUREMENT_CELLS: dict[str, tuple[str, str, Callable[[str | None], Any]]] = {
    "procurement_regime": ("procurement_regime", "procurement regime", parse_regime),
    "procurement_started_on": ("procurement_started_on", "procurement start date", parse_date),
    "light_touch": ("light_touch", "light touch", parse_flag),
    "contract_type": ("contract_type", "contract type", parse_contract_type),
    "award_value": ("award_value_pence", "award value", parse_pence),
    "award_max_months": ("award_max_months", "maximum term", parse_months),
    "extension_options_months": ("extension_options_months", "extension options", parse_months),
}


def _procurement(cell: Cell, columns: dict[str, int], problems: list[str]) -> dict[str, Any]:
    """The procurement facts (SPEC §9) for the columns the file has, as extras: a column it
    lacks leaves the stored fact alone (so a register without them never wipes facts recorded
    on the page), a blank cell clears it. No extension options ("0", "none") is null."""
    out: dict[str, Any] = {}
    for column, (name, label, parse) in _PROCUREMENT_CELLS.items():
        if column not in columns:
            continue
        try:
            out[name] = parse(cell(column))
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
    if out.get("extension_options_months") == 0:
        out["extension_options_months"] = None
    if out.get("award_max_months") == 0:
        problems.append("maximum term: must be at least one month")
    if out.get("award_value_pence") == 0:
        problems.append("award value: must be more than nothing")
    clash = regime_contradiction(out.get("procurement_started_on"), out.get("procurement_regime"))
    if clash is not None:
        problems.append(f"procurement regime: {clash}")
    return out


def _names(cell: Cell, problems: list[str]) -> dict[str, Any]:
    """The reference, title, supplier and directorate, each on one line; a blank one is a
    problem (so a row without problems has all four)."""
    values: dict[str, Any] = {}
    for name, label in _NAMED:
        text = one_line(cell(name))
        if text is None:
            problems.append(f"no {label}")
        values[name] = text
    return values


def _figures(cell: Cell, problems: list[str]) -> _Figures:
    """The row's dates and amounts; an unreadable, missing or contradictory one is a problem."""

    def read(name: str, label: str, parse: Callable[[str | None], Any]) -> Any:
        try:
            return parse(cell(name))
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
            return None

    figures = _Figures(
        start=read("start_date", "start date", parse_date),
        end=read("end_date", "end date", parse_date),
        review=read("review_date", "review date", parse_date),
        annual=read("annual_value", "annual value", parse_pence),
        total=read("total_value", "total value", parse_pence),
    )
    if figures.start is None and not any(p.startswith("start date") for p in problems):
        problems.append("no start date")
    if figures.end is None and not any(p.startswith("end date") for p in problems):
        problems.append("no end date")
    start, end = figures.start, figures.end
    if start is not None and end is not None and end < start:
        problems.append(f"end date {end:%d/%m/%Y} is before start date {start:%d/%m/%Y}")
    value_problem = any(p.startswith(("annual value", "total value")) for p in problems)
    if figures.annual is None and figures.total is None and not value_problem:
        problems.append("no value")
    return figures


def _agreement(
    cell: Cell, values: dict[str, Any], figures: _Figures, problems: list[str]
) -> AgreementIn | None:
    """The agreement a problem-free row stands for, or ``None`` with the schema's problems."""
    assert figures.start is not None and figures.end is not None
    annual = figures.annual
    if annual is None:
        assert figures.total is not None
        annual = derive_annual_pence(figures.total, figures.start, figures.end)
    title: str = values["title"]
    try:
        return AgreementIn(
            reference=values["reference"],
            title=title,
            kind=kind_of(title),
            counterparty=values["supplier"],
            directorate=values["directorate"],
            annual_value_pence=annual,
            start_date=figures.start,
            end_date=figures.end,
            companies_house_number=companies_house(cell("companies_house_number")),
            charity_number=None if blank(cell("charity_number")) else cell("charity_number"),
            description=cell("description") or None,
        )
    except ValidationError as exc:
        problems.extend(
            f"{'.'.join(str(p) for p in error['loc']) or 'row'}: {error['msg']}"
            for error in exc.errors()
        )
        return None


def _extras(cell: Cell, columns: dict[str, int], review: date | None) -> dict[str, Any]:
    """The review date and SME/VCSE flags, only for the columns the file has: a column it
    lacks leaves the stored value alone, a blank cell in one it has clears it. One combined
    "SME / VCSE" column is read only for a flag that has no column of its own."""
    extra: dict[str, Any] = {}
    if "review_date" in columns:
        extra["review_date"] = review
    sme = parse_flag(cell("sme")) if "sme" in columns else None
    vcse = parse_flag(cell("vcse")) if "vcse" in columns else None
    if "sme_vcse" in columns and ("sme" not in columns or "vcse" not in columns):
        both = parse_sme_vcse(cell("sme_vcse"))
        sme = sme if "sme" in columns else both[0]
        vcse = vcse if "vcse" in columns else both[1]
    if "sme" in columns or "sme_vcse" in columns:
        extra["sme"] = sme
    if "vcse" in columns or "sme_vcse" in columns:
        extra["vcse"] = vcse
    return extra


def _refuse_duplicates(rows: list[ParsedRow]) -> None:
    """Refuse every row whose reference appears more than once: the file contradicts itself,
    and picking one of the copies would silently choose for the officer."""
    by_reference: dict[str, list[ParsedRow]] = defaultdict(list)
    for parsed in rows:
        if parsed.reference is not None:
            by_reference[parsed.reference].append(parsed)
    for reference, copies in by_reference.items():
        if len(copies) < 2:
            continue
        numbers = ", ".join(str(c.row) for c in copies)
        for parsed in copies:
            parsed.problems.append(
                f"reference {reference!r} appears more than once in the file (rows {numbers})"
            )
