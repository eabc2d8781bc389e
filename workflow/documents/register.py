"""The Transparency Code contracts register as a table for the page and its PDF: the very
rows of the CSV export (``workflow.register.export.export_register``), read back as the
import reads them (``csv_safe.restore``), so the page, the PDF and the file cannot differ —
and a value hidden from the reader in the file is hidden on the page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from workflow.context import Ctx
from workflow.models import User
from workflow.register.csv_safe import restore
from workflow.register.export import RegisterFilters, export_register


@dataclass(frozen=True)
class RegisterTable:
    header: list[str]
    rows: list[list[str]]
    more: bool  # rows beyond ``limit``: the CSV has them


def register_table(
    ctx: Ctx, reader: User, filters: RegisterFilters, limit: int = 1000
) -> RegisterTable:
    """The first ``limit`` rows of the register (the page says when there are more: the CSV
    holds them all)."""
    lines = (
        line
        for chunk in export_register(ctx, reader, filters)
        for line in io.StringIO(chunk, newline="")
    )
    found = csv.reader(lines)
    header = next(found)
    rows: list[list[str]] = []
    for row in found:
        if len(rows) == limit:
            return RegisterTable(header=header, rows=rows, more=True)
        rows.append([restore(cell) for cell in row])
    return RegisterTable(header=header, rows=rows, more=False)
