"""Reading a contract register file: its encoding, its delimiter and where its header row is.

A file that is not a CSV, is empty, or lacks a required column raises ``InvalidInput`` here,
before any row is read or anything written, because a wrong delimiter or a workbook saved as
the wrong type would otherwise refuse every row one by one and bury the real problem.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from workflow.errors import InvalidInput
from workflow.register.vocabulary import (
    REQUIRED,
    map_columns,
    missing_problem,
    missing_required,
)

__all__ = ["Layout", "detect_layout", "read_register", "records"]

EMPTY = "the file is empty: it needs a header row and at least one agreement"

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


def records(text: str, delimiter: str) -> Iterable[list[str]]:
    """The file's records as the ``csv`` module reads them with ``delimiter``."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=False)


@dataclass
class Layout:
    """How a register file is laid out: its delimiter, which record is the header, and the
    column index of each field it names."""

    delimiter: str
    header_index: int  # 0-based record index of the header row
    header: list[str]
    columns: dict[str, int]


def _find_header(text: str, delimiter: str) -> Layout | None:
    """The first row, among the first few non-blank ones, that names the most known fields.

    Some councils put a title line ("Contract Register - updated March 2024") above the
    header, so the header is found rather than assumed to be the first line.
    """
    best: Layout | None = None
    best_score = 0
    seen = 0
    try:
        for index, record in enumerate(records(text, delimiter)):
            if not any(cell.strip() for cell in record):
                continue
            columns = map_columns(record)
            score = len(columns) + 10 * (len(REQUIRED) - len(missing_required(columns)))
            if score > best_score:
                best, best_score = Layout(delimiter, index, record, columns), score
            seen += 1
            if seen >= _HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        return best
    return best


def detect_layout(text: str) -> Layout:
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
            problems=[missing_problem(label) for label in REQUIRED],
        )

    def score(layout: Layout) -> tuple[int, int]:
        return (-len(missing_required(layout.columns)), len(layout.columns))

    best = layouts[0]
    for layout in layouts[1:]:
        if score(layout) > score(best):
            best = layout
    missing = missing_required(best.columns)
    if missing:
        found = ", ".join(repr(h.strip()) for h in best.header if h.strip()) or "none"
        raise InvalidInput(
            "the register lacks required columns: "
            + ", ".join(missing)
            + f" (columns found: {found})",
            problems=[missing_problem(label) for label in missing],
        )
    return best


def read_register(data: bytes) -> tuple[str, Layout]:
    """The file's text and its layout, or ``InvalidInput`` saying why it is not a register."""
    if not data.strip():
        raise InvalidInput(EMPTY)
    text, _encoding = _decode(data)
    _check_text(text)
    if not text.strip():
        raise InvalidInput(EMPTY)
    return text, detect_layout(text)
