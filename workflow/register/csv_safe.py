"""Every CSV cell the service writes, made safe to open in a spreadsheet (issue 13, fault 5).

A register holds text councils and suppliers typed, and the import stores it verbatim, so a
title can be ``=HYPERLINK("http://x","y")`` or ``=cmd|' /C calc'!A0``. Harmless in a web page,
such a cell runs as a formula when someone opens an exported CSV in Excel or LibreOffice. The
OWASP rule for CSV injection (https://owasp.org/www-community/attacks/CSV_Injection): a cell
beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
quote, which spreadsheets show as text and never evaluate. Every CSV writer of the service goes
through ``csv_line`` (or ``neutralise`` for one cell), and the import reads cells back through
``restore``, so the rule lives only here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "csv_line", "neutralise", "restore"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet will show it and never run it: a leading ``'`` when it begins
    like a formula (the OWASP rule), unchanged otherwise."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """The text ``neutralise`` was given, for a cell read back from a CSV (the register
    import), so an export imports back unchanged. Spreadsheets never write the quote into the
    file (for them it is how a cell is typed as text, not part of it), so a quote before a
    formula's first character can only be this rule's."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def csv_line(cells: Iterable[str]) -> str:
    """One CSV record (RFC 4180: quoted where needed, CRLF-terminated) of neutralised cells."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(neutralise(cell) for cell in cells)
    return out.getvalue()
