"""Reading one cell of a contract register: money in pence, dates, flags, numbers, kinds, and
the annual value a whole-contract total stands for.

The register arrives from a spreadsheet, so a cell is read forgivingly as to *form* (Excel's
habits with dates, money and stripped zeros) and strictly as to *meaning*: a date or amount
that cannot be read for certain raises ``ValueError`` with the reason, which refuses its row
rather than guessing.

The annual-value rule (the register may give only the sum over the whole contract, while an
agreement stores an annual value because the key-decision test of SPEC §4 multiplies it by the
months asked for): the contract length is counted in months as SPEC §4 counts terms (a term of
N months from the start ends on ``term_end(start, N)``), a part month rounded to the nearest
whole month (half a month or more counts as one), and never less than one month; the annual
value is ``total * 12 / months``, rounded half up to the penny. A contract shorter than a year
is therefore annualised (six months for £50,000 → £100,000 a year), which is what the
key-decision arithmetic expects.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from workflow.models import AgreementKind, ContractType, ProcurementRegime
from workflow.timerules import term_end

__all__ = [
    "blank",
    "companies_house",
    "contract_months",
    "derive_annual_pence",
    "kind_of",
    "one_line",
    "parse_date",
    "parse_flag",
    "parse_pence",
    "parse_sme_vcse",
]


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


def blank(cell: str | None) -> bool:
    """Whether a cell says nothing: empty, or one of the words registers use for "none"."""
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
    if blank(cell):
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
    if blank(cell):
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


def parse_flag(cell: str | None) -> bool | None:
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


def parse_sme_vcse(cell: str | None) -> tuple[bool | None, bool | None]:
    """One combined column: "SME", "VCSE", "SME and VCSE", "Both", "Neither", "No"."""
    if blank(cell):
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


def companies_house(cell: str | None) -> str | None:
    """A Companies House number, with the leading zeros Excel strips put back ("1234567" ->
    "01234567"), since the register is usually kept in a spreadsheet."""
    if blank(cell):
        return None
    assert cell is not None
    text = re.sub(r"\s+", "", cell).upper()
    if text.isdigit() and len(text) < 8:
        text = text.zfill(8)
    return text


def one_line(cell: str | None) -> str | None:
    """A cell's text on one line with its runs of whitespace single, or ``None`` when empty."""
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


# --- Procurement facts (issue 9, SPEC §9) ----------------------------------------------------

_REGIMES = {
    ProcurementRegime.pcr2015: ("pcr2015", "pcr", "publiccontractsregulations2015", "pcr15"),
    ProcurementRegime.pa2023: ("pa2023", "pa", "procurementact2023", "procurementact", "pa23"),
}
_TYPES = {
    ContractType.goods: ("goods", "supplies", "supply", "good"),
    ContractType.services: ("services", "service"),
    ContractType.works: ("works", "work"),
}
_MONTHS_CELL = re.compile(r"^(\d{1,3})\s*(months?|mths?|m|years?|yrs?|y)?$")


def _squash(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower())


def parse_regime(cell: str | None) -> ProcurementRegime | None:
    """ "PCR 2015", "Public Contracts Regulations 2015", "PA 2023", "Procurement Act 2023"."""
    if blank(cell):
        return None
    assert cell is not None
    key = _squash(cell)
    for regime, names in _REGIMES.items():
        if key in names:
            return regime
    raise ValueError(f"{cell!r} is not a procurement regime (PCR 2015 or Procurement Act 2023)")


def parse_contract_type(cell: str | None) -> ContractType | None:
    """Goods (supplies), services or works."""
    if blank(cell):
        return None
    assert cell is not None
    key = _squash(cell)
    for kind, names in _TYPES.items():
        if key in names:
            return kind
    raise ValueError(f"{cell!r} is not goods, services or works")


def parse_months(cell: str | None) -> int | None:
    """A term in months: "36", "36 months", "3 years"; "none" or "0" for no extension."""
    if blank(cell):
        return None
    assert cell is not None
    text = " ".join(cell.strip().lower().split())
    if text in {"none", "no", "n/a", "0", "nil"}:
        return 0
    m = _MONTHS_CELL.match(text)
    if m is None:
        raise ValueError(f"{cell!r} is not a number of months (e.g. 36 or 3 years)")
    n = int(m[1])
    return n * 12 if (m[2] or "").startswith("y") else n
