"""Import a contract register as English councils publish it under the Local Government
Transparency Code 2015 (SPEC §7 ``POST /agreements/import``).

Councils already keep this register, so loading it is how the agreements a case will cover get
into CouncilFlow without anyone retyping them. Every council publishes it a little differently
(its own header wording, Excel's habits with dates, money and encodings), so the parser is
forgiving about *form* and strict about *meaning*: a header is matched whatever its case, spacing
or punctuation, but a date or an amount that cannot be read for certain refuses its row rather
than guessing.

What a file gets:

* A file that is not a CSV, is empty, or lacks a required column raises ``InvalidInput`` before
  anything is written, because a wrong delimiter or a workbook saved as the wrong type would
  otherwise refuse every row one by one and bury the real problem.
* A bad row (unreadable date, end before start, no value, a reference that appears twice in the
  file) is refused with its spreadsheet row number (header = row 1, blank lines counted, as the
  officer sees it in Excel) and the reason; the good rows are created, or updated by reference.
* Everything happens in the caller's one transaction (flushed, never committed), with one
  ``agreements_imported`` audit event carrying the counts, the actor, the updated references
  and every end date moved (old -> new).
* Deadlines follow the dates they depend on (SPEC §5): an update that changes an agreement's
  end date or annual value re-plans the deadlines and reminders of every case still running on
  it, in the same transaction, and writes ``agreements_updated`` to each such case's trail.
  From Cabinet's approval on (``delegated_approval``, ``active``) the end date is the case's,
  set by its sign-off: a row that would move it is refused with the case named, not applied.

The annual-value rule (the register may give only the sum over the whole contract, while an
agreement stores an annual value because the key-decision test of SPEC §4 multiplies it by the
months asked for): the contract length is counted in months as SPEC §4 counts terms (a term of
N months from the start ends on ``term_end(start, N)``), a part month rounded to the nearest
whole month (half a month or more counts as one), and never less than one month; the annual
value is ``total * 12 / months``, rounded half up to the penny. A contract shorter than a year
is therefore annualised (six months for £50,000 → £100,000 a year), which is what the
key-decision arithmetic expects. Where both an annual and a total column are given, the annual
figure is used as published and the total only fills a blank annual cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from workflow.models import Agreement, AgreementKind, User, pk
from workflow.register.agreements import (
    covering_cases,
    end_date_held,
    may_register,
    planning_facts,
    replan_covering,
    upsert_agreement,
)
from workflow.schemas import AgreementIn
from workflow.timerules import term_end

__all__ = [
    "SAMPLE_REGISTER",
    "ImportResult",
    "RefusedRow",
    "contract_months",
    "derive_annual_pence",
    "import_register",
    "parse_date",
    "parse_pence",
    "sample_register",
]

SAMPLE_REGISTER = "sample_contract_register.csv"


@dataclass
class RefusedRow:
    """A row left out of the import: its spreadsheet row number (header = 1) and why."""

    row: int
    reference: str | None
    reason: str


@dataclass
class ImportResult:
    """What an import did. ``agreement_ids`` lists every row created or updated, in file order,
    so the caller can show or link them; ``ignored_columns`` names the headers that were not
    stored, so a council can see at once that, say, its VAT column was read but not kept."""

    created: int
    updated: int
    refused: list[RefusedRow]
    rows: int = 0
    agreement_ids: list[int] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    replanned_case_ids: list[int] = field(default_factory=list)


def sample_register() -> bytes:
    """The made-up sample register shipped with the package (for tests and the demo)."""
    return resources.files("workflow.data").joinpath(SAMPLE_REGISTER).read_bytes()


# --- Headers -------------------------------------------------------------------------------

# Each field's accepted spellings, normalised by ``_header_key`` and in order of preference:
# when a register has two columns for one field (both "Directorate" and "Service Area"), the
# earlier spelling here wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "reference": (
        "referencenumber",
        "reference",
        "contractreference",
        "contractreferencenumber",
        "contractref",
        "contractrefno",
        "ref",
        "refno",
        "referenceno",
        "contractnumber",
        "contractno",
        "contractid",
        "agreementreference",
        "agreementreferencenumber",
    ),
    "title": (
        "titleofagreement",
        "contracttitle",
        "title",
        "agreementtitle",
        "titleofcontract",
        "contractname",
        "nameofcontract",
        "nameofagreement",
    ),
    "description": (
        "description",
        "descriptionofgoodsandservices",
        "descriptionofgoodsandorservices",
        "descriptionofgoodsandorservicesbeingprovided",
        "descriptionofgoodsandservicesbeingprovided",
        "descriptionofthegoodsandorservicesbeingprovided",
        "contractdescription",
        "descriptionofcontract",
        "descriptionofservices",
        "summary",
    ),
    "supplier": (
        "suppliername",
        "supplier",
        "nameofsupplier",
        "suppliernameanddetails",
        "contractor",
        "contractorname",
        "provider",
        "providername",
        "counterparty",
    ),
    "companies_house_number": (
        "companyregistrationnumber",
        "companieshousenumber",
        "registeredcompanynumber",
        "companynumber",
        "companyregistrationno",
        "companyregno",
        "companyno",
        "companieshouseno",
        "companieshouseregistrationnumber",
        "suppliercompanyregistrationnumber",
    ),
    "charity_number": (
        "charityregistrationnumber",
        "charitynumber",
        "registeredcharitynumber",
        "charityregistrationno",
        "charityregno",
        "charityno",
    ),
    "sme": (
        "sme",
        "issme",
        "smeflag",
        "suppliersme",
        "smallormediumenterprise",
        "smallormediumsizedenterprise",
        "smallormediumsizeenterprise",
        "smallandmediumenterprise",
    ),
    "vcse": (
        "vcse",
        "isvcse",
        "vcseflag",
        "voluntaryorcommunitysector",
        "voluntaryorcommunitysectororganisation",
        "voluntaryandcommunitysector",
        "voluntarycommunityandsocialenterprise",
        "voluntarycommunityorsocialenterprise",
    ),
    # One column saying "SME", "VCSE", "Both" or "Neither": read only when the register has no
    # separate SME or VCSE column.
    "sme_vcse": ("smevcse", "smeorvcse", "smeandvcse", "smeorvcsestatus", "smevcsestatus"),
    "directorate": (
        "directorate",
        "department",
        "departmentresponsible",
        "localauthoritydepartmentresponsible",
        "responsibledepartment",
        "responsibledirectorate",
        "councildepartment",
        "servicearea",
        "service",
    ),
    "start_date": (
        "startdate",
        "contractstartdate",
        "agreementstartdate",
        "start",
        "commencementdate",
    ),
    "end_date": (
        "enddate",
        "contractenddate",
        "agreementenddate",
        "currentenddate",
        "end",
        "expirydate",
        "contractexpirydate",
    ),
    "review_date": ("reviewdate", "contractreviewdate", "nextreviewdate"),
    "annual_value": (
        "annualvalue",
        "estimatedannualvalue",
        "annualcontractvalue",
        "estimatedannualspend",
        "estimatedannualspendingorbudget",
        "annualspend",
        "annualbudget",
        "valueperannum",
    ),
    # An unqualified "Value" is the Code's first alternative: the sum over the whole contract.
    "total_value": (
        "totalvalue",
        "totalcontractvalue",
        "contractvalue",
        "valueofagreement",
        "valueofcontract",
        "totalvalueofcontract",
        "value",
        "estimatedtotalvalue",
        "estimatedcontractvalue",
        "wholelifevalue",
        "wholelifecontractvalue",
        "lifetimevalue",
        "sumtobepaidoverthelengthofthecontract",
    ),
    # Published under the Code but with nowhere to go in an agreement: recognised, not stored.
    "vat_not_recoverable": (
        "vatnotrecoverable",
        "vatthatcannotberecovered",
        "irrecoverablevat",
        "nonrecoverablevat",
        "vatnonrecoverable",
        "unrecoverablevat",
    ),
}

_ALIAS_RANK: dict[str, tuple[str, int]] = {
    alias: (name, rank) for name, aliases in ALIASES.items() for rank, alias in enumerate(aliases)
}

# Fields a row cannot be an agreement without; "value" is either an annual or a total column.
REQUIRED: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "title": ("title",),
    "supplier": ("supplier",),
    "directorate": ("directorate",),
    "start date": ("start_date",),
    "end date": ("end_date",),
    "value": ("annual_value", "total_value"),
}

_EXAMPLE_HEADER = {
    "reference": "Reference Number",
    "title": "Title of Agreement",
    "supplier": "Supplier Name",
    "directorate": "Department or Directorate",
    "start date": "Start Date",
    "end date": "End Date",
    "value": "Total Value or Annual Value",
}

_STORED = frozenset(ALIASES) - {"vat_not_recoverable"}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOISE_SUFFIXES = (
    "excludingvat",
    "includingvat",
    "exclusiveofvat",
    "inclusiveofvat",
    "exvat",
    "excvat",
    "exclvat",
    "incvat",
    "inclvat",
    "gbp",
    "pounds",
)


def _header_key(header: str) -> str:
    """A header reduced to what distinguishes it: "Contract Value (£, ex VAT)" -> "contractvalue".

    Brackets, case, spacing, punctuation and a trailing VAT or currency note vary between
    councils (and between one year's register and the next) without changing the column's
    meaning, so none of them may decide whether it is recognised.
    """
    text = unicodedata.normalize("NFKC", header).replace("\ufeff", "").lower()
    text = _BRACKETED.sub(" ", text).replace("&", "and")
    key = re.sub(r"[^a-z0-9]", "", text)
    for suffix in _NOISE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key.removesuffix(suffix)
            break
    return key


def _map_columns(header: Sequence[str]) -> dict[str, int]:
    """Field -> column index, taking the most preferred spelling when several columns match."""
    best: dict[str, tuple[int, int]] = {}
    for index, name in enumerate(header):
        hit = _ALIAS_RANK.get(_header_key(name))
        if hit is None:
            continue
        field_name, rank = hit
        if field_name not in best or rank < best[field_name][0]:
            best[field_name] = (rank, index)
    return {name: index for name, (_rank, index) in best.items()}


def _missing_required(columns: dict[str, int]) -> list[str]:
    return [label for label, names in REQUIRED.items() if not any(n in columns for n in names)]


# --- Cells ---------------------------------------------------------------------------------

_NIL = frozenset(
    {
        "",
        "-",
        "--",
        "n/a",
        "na",
        "n.a.",
        "none",
        "nil",
        "null",
        "tbc",
        "tba",
        "unknown",
        "not known",
        "not applicable",
        "not registered",
    }
)


def _blank(cell: str | None) -> bool:
    return cell is None or cell.strip().lower() in _NIL


_MONEY_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")
_MULTIPLIERS = {"k": Decimal(1_000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}
_MONEY_SUFFIX = re.compile(r"(?i)(k|m|bn|million|billion)$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")


def parse_pence(cell: str | None) -> int | None:
    """An amount of money as a register writes it, in whole pence; ``None`` when left blank.

    Accepts "£1,234,567.89", "1234567", "£5,000", "1234.5", "£1.2m", "GBP 250k". Commas are
    thousands separators and must group in threes ("1,23" is refused rather than guessed);
    decimals are exact (``Decimal``, never a float), and anything finer than a penny, which is
    how spreadsheets export 1234.5600000001, is rounded half up to the penny. Negative amounts
    are refused: an agreement's value is what the council pays or receives, not a credit note.
    """
    if _blank(cell):
        return None
    assert cell is not None
    text = _SPACES.sub("", cell.strip())
    bracketed = text.startswith("(") and text.endswith(")")
    text = text.removeprefix("(").removesuffix(")") if bracketed else text
    upper = text.upper()
    if upper.startswith("GBP"):
        text = text[3:]
    elif upper.endswith("GBP"):
        text = text[:-3]
    # "-£5", "£-5" and "(£5)" are all a register's ways of writing a negative amount.
    negative = bracketed or text.startswith(("-", "£-"))
    text = text.replace("£", "", 1).removeprefix("-") if negative else text.removeprefix("£")
    multiplier = Decimal(1)
    suffix = _MONEY_SUFFIX.search(text)
    if suffix is not None:
        word = suffix.group(1).lower()
        multiplier = _MULTIPLIERS[{"million": "m", "billion": "bn"}.get(word, word)]
        text = text[: suffix.start()]
    if not _MONEY_NUMBER.match(text):
        raise ValueError(f"{cell.strip()!r} is not an amount of money")
    if negative:
        raise ValueError(f"{cell.strip()!r} is negative")
    try:
        pounds = Decimal(text.replace(",", "")) * multiplier
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise ValueError(f"{cell.strip()!r} is not an amount of money") from exc
    return int((pounds * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        date(2000, number, 1).strftime("%B").lower(),
        date(2000, number, 1).strftime("%b").lower(),
    )
}
_MONTHS["sept"] = 9
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY_SHORT = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")
_D_MON_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4})$")
_DATE_FORMATS = "DD/MM/YYYY, YYYY-MM-DD or D Mon YYYY"


def parse_date(cell: str | None) -> date | None:
    """A date as a register writes it; ``None`` when left blank.

    Accepts ``DD/MM/YYYY`` (also with ``-`` or ``.``, and with Excel's trailing time),
    ``YYYY-MM-DD`` and ``D Mon YYYY`` ("1 Apr 2024", "1st April 2024", "01-Apr-2024"). Numeric
    dates are day first, as English councils write them. A two-digit year is refused, not
    guessed: "01/04/98" could be a 1998 contract or a 2098 one.
    """
    if _blank(cell):
        return None
    assert cell is not None
    text = " ".join(cell.split())
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _D_MON_Y.match(text.lower()):
            month = _MONTHS.get(m[2])
            if month is not None:
                return date(int(m[3]), month, int(m[1]))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date on the calendar") from exc
    if _DMY_SHORT.match(text):
        raise ValueError(f"{text!r} has a two-digit year; write it as DD/MM/YYYY")
    raise ValueError(f"{text!r} is not a date ({_DATE_FORMATS})")


_YES = frozenset({"yes", "y", "true", "t", "1", "x", "sme", "vcse"})
_NO = frozenset({"no", "n", "false", "f", "0", "non-sme", "non sme", "not sme", "non-vcse"})


def _parse_flag(cell: str | None) -> bool | None:
    """Yes/No-ish flags; anything else is "not known" (``None``), since a flag is never a
    reason to refuse an agreement."""
    if cell is None:
        return None
    text = " ".join(cell.strip().lower().split())
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def _parse_sme_vcse(cell: str | None) -> tuple[bool | None, bool | None]:
    """One combined column: "SME", "VCSE", "SME and VCSE", "Both", "Neither", "No"."""
    if _blank(cell):
        return None, None
    assert cell is not None
    text = cell.strip().lower()
    if text in {"both", "sme and vcse", "sme & vcse", "sme/vcse"}:
        return True, True
    if text in {"neither", "no", "n", "none of these"}:
        return False, False
    sme = "sme" in text and "non-sme" not in text and "not sme" not in text
    vcse = any(w in text for w in ("vcse", "voluntary", "community", "charity"))
    if not sme and not vcse:
        return None, None
    return sme, vcse


def _companies_house(cell: str | None) -> str | None:
    """A Companies House number, with the leading zeros Excel strips put back ("1234567" ->
    "01234567"), since the register is usually kept in a spreadsheet."""
    if _blank(cell):
        return None
    assert cell is not None
    text = re.sub(r"\s+", "", cell).upper()
    if text.isdigit() and len(text) < 8:
        text = text.zfill(8)
    return text


def _one_line(cell: str | None) -> str | None:
    if cell is None:
        return None
    text = " ".join(cell.split())
    return text or None


_SLA = re.compile(r"\bSLA\b|\bservice[\s-]+level[\s-]+agreement", re.IGNORECASE)


def kind_of(title: str) -> AgreementKind:
    """``sla`` when the title calls it one (SLA, service level agreement), else ``contract``:
    the register has no kind column, and councils name their SLAs as such."""
    return AgreementKind.sla if _SLA.search(title) else AgreementKind.contract


# --- Annual value --------------------------------------------------------------------------


def contract_months(start: date, end: date) -> int:
    """The contract's length in months, as SPEC §4 counts terms, a part month rounded to the
    nearest whole month (half or more counts), and at least one. See the module docstring."""
    if end < start:
        raise ValueError("the end date is before the start date")
    whole = max(0, (end.year - start.year) * 12 + end.month - start.month - 1)
    while term_end(start, whole + 1) <= end:
        whole += 1
    # The last day of the whole months, and the days beyond it against the next month's length.
    done = term_end(start, whole) if whole else start - timedelta(days=1)
    beyond = (end - done).days
    span = (term_end(start, whole + 1) - done).days
    return max(1, whole + (1 if 2 * beyond >= span and beyond > 0 else 0))


def derive_annual_pence(total_pence: int, start: date, end: date) -> int:
    """An annual value from the sum over the whole contract: ``total * 12 / months``, half up
    to the penny (integer arithmetic, so no rounding error creeps in)."""
    months = contract_months(start, end)
    return (total_pence * 12 * 2 + months) // (2 * months)


# --- Reading the file ----------------------------------------------------------------------

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip file"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_SAVE_AS = "save the register from the spreadsheet as 'CSV UTF-8 (Comma delimited)'"


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    UTF-8 (with or without Excel's byte-order mark) first; UTF-16 when it carries its mark
    (Excel's "Unicode Text"); otherwise Windows-1252, which is what Excel on a council laptop
    writes for "CSV (Comma delimited)", so "£" and curly quotes survive.
    """
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise InvalidInput(f"the file is {what}, not a CSV: {_SAVE_AS}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the file is not readable text: {_SAVE_AS}") from exc
    if b"\x00" in data:
        raise InvalidInput(f"the file is binary, not a CSV: {_SAVE_AS}")
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the file is not readable text: {_SAVE_AS}") from exc


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode "Cc" bar tab, CR, LF


def _check_text(text: str) -> None:
    """Refuse control characters a CSV never holds: junk that happened to decode as
    Windows-1252 is not a register, and would only refuse row after row."""
    if _CONTROL.search(text):
        raise InvalidInput(f"the file holds binary data, not a CSV: {_SAVE_AS}")


_DELIMITERS = (",", ";", "\t", "|")
_HEADER_SEARCH_ROWS = 10


def _records(text: str, delimiter: str) -> Iterable[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=False)


@dataclass
class _Layout:
    delimiter: str
    header_index: int  # 0-based record index of the header row
    header: list[str]
    columns: dict[str, int]


def _find_header(text: str, delimiter: str) -> _Layout | None:
    """The first row, among the first few non-blank ones, that names the most known fields.

    Some councils put a title line ("Contract Register - updated March 2024") above the
    header, so the header is found rather than assumed to be the first line.
    """
    best: _Layout | None = None
    best_score = 0
    seen = 0
    try:
        for index, record in enumerate(_records(text, delimiter)):
            if not any(cell.strip() for cell in record):
                continue
            columns = _map_columns(record)
            score = len(columns) + 10 * (len(REQUIRED) - len(_missing_required(columns)))
            if score > best_score:
                best, best_score = _Layout(delimiter, index, record, columns), score
            seen += 1
            if seen >= _HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        return best
    return best


def _layout(text: str) -> _Layout:
    """Pick the delimiter whose header row recognises the most fields; ``csv.Sniffer``'s guess
    breaks ties. The sniffer alone is easily misled by the commas inside "£1,234.56" in a
    ``;``-separated file, so its guess is checked against what the header then means."""
    sample = text[:8192]  # the sniffer's regular expressions grow slow on long samples
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ","
    order = [sniffed, *(d for d in _DELIMITERS if d != sniffed)]
    layouts = [layout for d in order if (layout := _find_header(text, d)) is not None]
    if not layouts:
        raise InvalidInput(
            "the register lacks required columns: "
            + ", ".join(REQUIRED)
            + " (no row of the file names any of the register's columns)",
            problems=[_missing_problem(label) for label in REQUIRED],
        )

    def score(layout: _Layout) -> tuple[int, int]:
        return (-len(_missing_required(layout.columns)), len(layout.columns))

    best = layouts[0]
    for layout in layouts[1:]:
        if score(layout) > score(best):
            best = layout
    missing = _missing_required(best.columns)
    if missing:
        found = ", ".join(repr(h.strip()) for h in best.header if h.strip()) or "none"
        raise InvalidInput(
            "the register lacks required columns: "
            + ", ".join(missing)
            + f" (columns found: {found})",
            problems=[_missing_problem(label) for label in missing],
        )
    return best


def _missing_problem(label: str) -> FieldProblem:
    return FieldProblem(
        field=label, message=f"no column for the {label} (e.g. {_EXAMPLE_HEADER[label]!r})"
    )


# --- Rows ----------------------------------------------------------------------------------


@dataclass
class _Parsed:
    row: int
    reference: str | None
    problems: list[str]
    data: AgreementIn | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_row(row: int, record: list[str], columns: dict[str, int]) -> _Parsed:
    def cell(name: str) -> str | None:
        index = columns.get(name)
        if index is None or index >= len(record):
            return None
        return record[index].strip()

    reference = _one_line(cell("reference"))
    parsed = _Parsed(row, reference, [])
    problems = parsed.problems
    values: dict[str, Any] = {}
    for name, label in (
        ("reference", "reference"),
        ("title", "title"),
        ("supplier", "supplier name"),
        ("directorate", "directorate"),
    ):
        text = _one_line(cell(name))
        if text is None:
            problems.append(f"no {label}")
        values[name] = text

    def read(name: str, label: str, parse: Callable[[str | None], Any]) -> Any:
        try:
            return parse(cell(name))
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
            return None

    start = read("start_date", "start date", parse_date)
    end = read("end_date", "end date", parse_date)
    review = read("review_date", "review date", parse_date)
    annual = read("annual_value", "annual value", parse_pence)
    total = read("total_value", "total value", parse_pence)
    if start is None and not any(p.startswith("start date") for p in problems):
        problems.append("no start date")
    if end is None and not any(p.startswith("end date") for p in problems):
        problems.append("no end date")
    if start is not None and end is not None and end < start:
        problems.append(f"end date {end:%d/%m/%Y} is before start date {start:%d/%m/%Y}")
    value_problem = any(p.startswith(("annual value", "total value")) for p in problems)
    if annual is None and total is None and not value_problem:
        problems.append("no value")
    if problems:
        return parsed

    annual_pence = annual
    if annual_pence is None:
        annual_pence = derive_annual_pence(total, start, end)
    description = cell("description") or None
    try:
        parsed.data = AgreementIn(
            reference=values["reference"],
            title=values["title"],
            kind=kind_of(values["title"]),
            counterparty=values["supplier"],
            directorate=values["directorate"],
            annual_value_pence=annual_pence,
            start_date=start,
            end_date=end,
            companies_house_number=_companies_house(cell("companies_house_number")),
            charity_number=None if _blank(cell("charity_number")) else cell("charity_number"),
            description=description,
        )
    except ValidationError as exc:
        problems.extend(
            f"{'.'.join(str(p) for p in error['loc']) or 'row'}: {error['msg']}"
            for error in exc.errors()
        )
        return parsed

    extra: dict[str, Any] = {}
    if "review_date" in columns:
        extra["review_date"] = review
    sme = _parse_flag(cell("sme")) if "sme" in columns else None
    vcse = _parse_flag(cell("vcse")) if "vcse" in columns else None
    if "sme_vcse" in columns and ("sme" not in columns or "vcse" not in columns):
        both = _parse_sme_vcse(cell("sme_vcse"))
        sme = sme if "sme" in columns else both[0]
        vcse = vcse if "vcse" in columns else both[1]
    if "sme" in columns or "sme_vcse" in columns:
        extra["sme"] = sme
    if "vcse" in columns or "sme_vcse" in columns:
        extra["vcse"] = vcse
    parsed.extra = extra
    return parsed


def _refuse_duplicates(rows: list[_Parsed]) -> None:
    """Refuse every row whose reference appears more than once: the file contradicts itself,
    and picking one of the copies would silently choose for the officer."""
    by_reference: dict[str, list[_Parsed]] = defaultdict(list)
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


_KEPT_WHEN_COLUMN_ABSENT = ("description", "companies_house_number", "charity_number")


def _existing(ctx: Ctx, references: list[str]) -> dict[str, Agreement]:
    found: dict[str, Agreement] = {}
    for offset in range(0, len(references), 500):
        chunk = references[offset : offset + 500]
        rows = ctx.session.exec(select(Agreement).where(col(Agreement.reference).in_(chunk)))
        found.update({row.reference: row for row in rows})
    return found


def import_register(ctx: Ctx, data: bytes, actor: User) -> ImportResult:
    """Create or update agreements from a Transparency Code contract register (SPEC §7).

    Raises ``Forbidden`` unless the actor may register agreements (officer, democratic services,
    admin) and ``InvalidInput`` for a file that is not a register at all; in both cases nothing
    is written. Otherwise good rows are upserted by reference and bad rows come back in
    ``refused``. A column the file does not have leaves what is stored alone (a register without
    charity numbers does not wipe known ones); a blank cell in a column it does have clears it,
    because the register is the council's record of that agreement.
    """
    if not may_register(actor):
        raise Forbidden(
            "only officers, democratic services and admins may import a contract register"
        )
    if not data.strip():
        raise InvalidInput("the file is empty: it needs a header row and at least one agreement")
    text, _encoding = _decode(data)
    _check_text(text)
    if not text.strip():
        raise InvalidInput("the file is empty: it needs a header row and at least one agreement")
    layout = _layout(text)

    parsed_rows: list[_Parsed] = []
    try:
        for index, record in enumerate(_records(text, layout.delimiter)):
            if index <= layout.header_index or not any(c.strip() for c in record):
                continue
            parsed_rows.append(_parse_row(index + 1, record, layout.columns))
    except csv.Error as exc:
        raise InvalidInput(f"the file is not a well-formed CSV: {exc}") from exc
    if not parsed_rows:
        raise InvalidInput("the register has a header row but no agreements")
    _refuse_duplicates(parsed_rows)

    good = [p for p in parsed_rows if not p.problems and p.data is not None]
    existing = _existing(ctx, [p.data.reference for p in good if p.data is not None])
    covering = covering_cases(ctx, sorted(pk(a.id) for a in existing.values()))
    created = updated = 0
    stored: list[Agreement] = []
    # Agreement id -> what it was before, for the planning fields and the audit trail.
    previous: dict[int, tuple[str, dict[str, Any]]] = {}
    try:
        # The references are unique within the file and the stored rows are loaded above, so
        # nothing needs flushing before each look-up: the inserts go out together at the end.
        with ctx.session.no_autoflush:
            for parsed in good:
                assert parsed.data is not None
                incoming = parsed.data
                before = existing.get(incoming.reference)
                if before is not None:
                    keep = {
                        name: getattr(before, name)
                        for name in _KEPT_WHEN_COLUMN_ABSENT
                        if name not in layout.columns
                    }
                    if keep:
                        incoming = incoming.model_copy(update=keep)
                    if incoming.end_date != before.end_date:
                        held = end_date_held(covering.get(pk(before.id), []))
                        if held is not None:
                            parsed.problems.append(
                                f"end date {incoming.end_date:%d/%m/%Y} (now "
                                f"{before.end_date:%d/%m/%Y}) not changed: {held}"
                            )
                            continue
                    previous[pk(before.id)] = (before.reference, planning_facts(before))
                row, was_created = upsert_agreement(ctx, incoming)
                for name, value in parsed.extra.items():
                    setattr(row, name, value)
                stored.append(row)
                created += was_created
                updated += not was_created
        ctx.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "another change to the agreements register landed at the same time; "
            "nothing was imported, please try again"
        ) from exc
    changes: dict[int, dict[str, Any]] = {}
    for agreement_id, (_reference, was) in previous.items():
        after = ctx.session.get(Agreement, agreement_id)
        assert after is not None
        facts = planning_facts(after)
        moved = {
            name: {"from": _jsonable(was[name]), "to": _jsonable(facts[name])}
            for name in was
            if was[name] != facts[name]
        }
        if moved:
            changes[agreement_id] = moved
    replanned = replan_covering(ctx, changes, covering, actor, source="agreements_imported")
    refused = [
        RefusedRow(p.row, p.reference, "; ".join(p.problems)) for p in parsed_rows if p.problems
    ]
    ignored = [
        h.strip()
        for i, h in enumerate(layout.header)
        if h.strip()
        and not any(i == idx and name in _STORED for name, idx in layout.columns.items())
    ]
    audit.append(
        ctx,
        event="agreements_imported",
        at=ctx.now(),
        actor_id=actor.id,
        data={
            "rows": len(parsed_rows),
            "created": created,
            "updated": updated,
            "refused": len(refused),
            "refused_rows": [r.row for r in refused],
            "updated_references": [reference for reference, _was in previous.values()],
            "end_dates_changed": [
                {
                    "agreement_id": agreement_id,
                    "reference": previous[agreement_id][0],
                    **moved["end_date"],
                }
                for agreement_id, moved in changes.items()
                if "end_date" in moved
            ],
            "replanned_cases": replanned,
        },
    )
    return ImportResult(
        created=created,
        updated=updated,
        refused=refused,
        rows=len(parsed_rows),
        agreement_ids=[pk(row.id) for row in stored],
        ignored_columns=ignored,
        replanned_case_ids=replanned,
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
