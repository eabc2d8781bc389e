"""The agreements register as a Transparency Code contract register CSV: the file a council
publishes, and the file ``importer.import_register`` reads back.

The columns are ``vocabulary.EXPORT_HEADER``, written the way the import reads them (dates
``DD/MM/YYYY``, the annual value in pounds and pence, flags ``Yes``/``No``), so an export
imported again changes nothing. The rows are the agreements ``GET /api/v1/agreements`` lists,
with the same filters, read through the domain's listing a batch at a time by keyset, so a
register of any size is streamed and never held in memory. Every cell goes through
``csv_safe`` (a title typed as ``=HYPERLINK(…)`` must not run in the spreadsheet it is opened
in).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from workflow.context import Ctx
from workflow.models import Agreement, User, pk
from workflow.register.agreements import list_agreements
from workflow.register.csv_safe import csv_line
from workflow.register.read import AgreementScope
from workflow.register.vocabulary import EXPORT_HEADER

__all__ = ["BATCH", "RegisterFilters", "export_register"]

# Agreements read per query: the listing's largest page (``paging.MAX_LIMIT``), so a
# 15,000-row register is under a hundred queries and one batch a few tens of kilobytes.
BATCH = 200


@dataclass(frozen=True)
class RegisterFilters:
    """The filters of ``GET /api/v1/agreements`` (``list_agreements``), for the export."""

    kind: str | None = None
    directorate: str | None = None
    end_from: date | None = None
    end_to: date | None = None
    q: str | None = None


def export_register(
    ctx: Ctx, actor: User, filters: RegisterFilters, batch: int = BATCH
) -> Iterator[str]:
    """The register CSV as text, a header line and then one line per agreement in id order.

    ``actor`` is who reads it: the export shows exactly what the listing shows them, so the
    value of an agreement under an exempt case they may not see is left blank, as the
    register's read scope decides (issue 13: one rule for each figure, everywhere).
    """
    scope = AgreementScope(ctx, actor)
    yield csv_line(EXPORT_HEADER.values())
    cursor: str | None = None
    while True:
        rows, cursor = list_agreements(
            ctx,
            kind=filters.kind,
            directorate=filters.directorate,
            end_from=filters.end_from,
            end_to=filters.end_to,
            q=filters.q,
            cursor=cursor,
            limit=batch,
        )
        hidden = scope.hidden_values(pk(a.id) for a in rows)
        yield "".join(csv_line(_cells(a, pk(a.id) not in hidden)) for a in rows)
        for row in rows:
            ctx.session.expunge(row)  # a long export must not grow the session's identity map
        if cursor is None:
            return


def _cells(a: Agreement, value_shown: bool = True) -> list[str]:
    """One agreement in ``EXPORT_HEADER``'s column order, as the import reads it back."""
    by_field = {
        "reference": a.reference,
        "title": a.title,
        "description": a.description or "",
        "supplier": a.counterparty,
        "companies_house_number": a.companies_house_number or "",
        "charity_number": a.charity_number or "",
        "sme": _flag(a.sme),
        "vcse": _flag(a.vcse),
        "directorate": a.directorate,
        "start_date": _day(a.start_date),
        "end_date": _day(a.end_date),
        "review_date": _day(a.review_date),
        "annual_value": _money(a.annual_value_pence) if value_shown else "",
        "procurement_regime": a.procurement_regime or "",
        "procurement_started_on": _day(a.procurement_started_on),
        "light_touch": _flag(a.light_touch),
        "contract_type": a.contract_type or "",
        "award_value": _money(a.award_value_pence) if value_shown else "",
        "award_max_months": "" if a.award_max_months is None else str(a.award_max_months),
        # Null is "none": written as such, so reading it back keeps it null, not unknown.
        "extension_options_months": str(a.extension_options_months or "none"),
    }
    return [by_field[name] for name in EXPORT_HEADER]


def _money(pence: int | None) -> str:
    return "" if pence is None else f"{pence // 100}.{pence % 100:02d}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def _day(value: date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"
