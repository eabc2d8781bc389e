"""Import a contract register as English councils publish it under the Local Government
Transparency Code 2015 (SPEC §7 ``POST /agreements/import``): the database work.

Councils already keep this register, so loading it is how the agreements a case will cover get
into CouncilFlow without anyone retyping them. Reading the file is ``layout`` (encoding,
delimiter, header), ``rows`` (a row to an agreement or its problems), ``cells`` (one cell) and
``vocabulary`` (header names); this module stores what they read:

* Good rows are created, or updated by reference; bad rows come back in ``refused`` with their
  spreadsheet row numbers and why, and never stop the good ones. A row is held to the rights
  of changing that one agreement (``agreements.change_refused``): an officer's row that would
  change another directorate's agreement is refused, and that agreement and its cases stay as
  they were.
* Everything happens in the caller's one transaction (flushed, never committed), with one
  ``agreements_imported`` audit event carrying the counts, the actor, the updated references
  and every end date moved (old -> new).
* Deadlines follow the dates they depend on (SPEC §5): an update that changes an agreement's
  end date or annual value re-plans the deadlines and reminders of every case still running on
  it, in the same transaction, and writes ``agreements_updated`` to each such case's trail.
  From Cabinet's approval on (``delegated_approval``, ``active``) the end date is the case's,
  set by its sign-off: a row that would move it is refused with the case named, not applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.errors import Conflict, Forbidden
from workflow.models import Agreement, Case, User, pk
from workflow.register.agreements import (
    change_refused,
    covering_cases,
    end_date_held,
    may_register,
    planning_facts,
    replan_covering,
    upsert_agreement,
)
from workflow.register.layout import Layout, read_register
from workflow.register.rows import ParsedRow, parse_rows
from workflow.register.vocabulary import STORED

__all__ = ["SAMPLE_REGISTER", "ImportResult", "RefusedRow", "import_register", "sample_register"]

SAMPLE_REGISTER = "sample_contract_register.csv"

# Fields a register may lack a column for; a file without the column keeps what is stored.
_KEPT_WHEN_COLUMN_ABSENT = ("description", "companies_house_number", "charity_number")


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


@dataclass
class _Stored:
    """What the store pass wrote: the rows in file order, and for each updated agreement its
    reference and planning facts before the update (for the re-plan and the audit trail)."""

    rows: list[Agreement] = field(default_factory=list)
    created: int = 0
    previous: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)


def sample_register() -> bytes:
    """The made-up sample register shipped with the package (for tests and the demo)."""
    return resources.files("workflow.data").joinpath(SAMPLE_REGISTER).read_bytes()


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
    text, layout = read_register(data)
    parsed_rows = parse_rows(text, layout)
    good = [p for p in parsed_rows if not p.problems and p.data is not None]
    existing = _existing(ctx, [p.data.reference for p in good if p.data is not None])
    covering = covering_cases(ctx, sorted(pk(a.id) for a in existing.values()))
    stored = _store(ctx, actor, good, existing, covering, layout)
    changes = _changes(ctx, stored.previous)
    replanned = replan_covering(ctx, changes, covering, actor, source="agreements_imported")
    result = ImportResult(
        created=stored.created,
        updated=len(stored.rows) - stored.created,
        refused=[
            RefusedRow(p.row, p.reference, "; ".join(p.problems)) for p in parsed_rows if p.problems
        ],
        rows=len(parsed_rows),
        agreement_ids=[pk(row.id) for row in stored.rows],
        ignored_columns=_ignored(layout),
        replanned_case_ids=replanned,
    )
    _record(ctx, actor, result, stored, changes)
    return result


def _existing(ctx: Ctx, references: list[str]) -> dict[str, Agreement]:
    found: dict[str, Agreement] = {}
    for offset in range(0, len(references), 500):
        chunk = references[offset : offset + 500]
        rows = ctx.session.exec(
            select(Agreement).where(
                col(Agreement.reference).in_(chunk), Agreement.council_id == ctx.home
            )
        )
        found.update({row.reference: row for row in rows})
    return found


def _store(
    ctx: Ctx,
    actor: User,
    good: list[ParsedRow],
    existing: dict[str, Agreement],
    covering: dict[int, list[Case]],
    layout: Layout,
) -> _Stored:
    """Upsert every good row, refusing (by adding to its problems) one that may not be
    applied; a concurrent writer's duplicate reference is a ``Conflict`` for the whole file."""
    stored = _Stored()
    try:
        # The references are unique within the file and the stored rows are loaded above, so
        # nothing needs flushing before each look-up: the inserts go out together at the end.
        with ctx.session.no_autoflush:
            for parsed in good:
                before = existing.get(parsed.data.reference) if parsed.data else None
                row = _apply(ctx, actor, parsed, before, covering, layout, stored)
                if row is not None:
                    stored.rows.append(row)
                    stored.created += before is None
        ctx.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "another change to the agreements register landed at the same time; "
            "nothing was imported, please try again"
        ) from exc
    return stored


def _apply(
    ctx: Ctx,
    actor: User,
    parsed: ParsedRow,
    before: Agreement | None,
    covering: dict[int, list[Case]],
    layout: Layout,
    stored: _Stored,
) -> Agreement | None:
    """Upsert one good row, or answer ``None`` having said in its problems why not: a row
    that would change an agreement the actor may not change (``change_refused``, the rule for
    one agreement) or move an end date a case holds."""
    assert parsed.data is not None
    incoming = parsed.data
    if before is not None:
        refused = change_refused(actor, before, incoming.directorate)
        if refused is not None:
            parsed.problems.append(refused)
            return None
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
                return None
        stored.previous[pk(before.id)] = (before.reference, planning_facts(before))
    row, _created = upsert_agreement(ctx, incoming)
    for name, value in parsed.extra.items():
        setattr(row, name, value)
    return row


def _changes(
    ctx: Ctx, previous: dict[int, tuple[str, dict[str, Any]]]
) -> dict[int, dict[str, Any]]:
    """Agreement id -> {field: {"from", "to"}} for the planning facts an update moved."""
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
    return changes


def _ignored(layout: Layout) -> list[str]:
    """The headers of columns that were read but not stored, as the file spells them."""
    return [
        h.strip()
        for i, h in enumerate(layout.header)
        if h.strip()
        and not any(i == idx and name in STORED for name, idx in layout.columns.items())
    ]


def _record(
    ctx: Ctx,
    actor: User,
    result: ImportResult,
    stored: _Stored,
    changes: dict[int, dict[str, Any]],
) -> None:
    """The import's one ``agreements_imported`` audit event."""
    audit.append(
        ctx,
        event="agreements_imported",
        at=ctx.now(),
        actor_id=actor.id,
        data={
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "refused": len(result.refused),
            "refused_rows": [r.row for r in result.refused],
            "updated_references": [reference for reference, _was in stored.previous.values()],
            "end_dates_changed": [
                {
                    "agreement_id": agreement_id,
                    "reference": stored.previous[agreement_id][0],
                    **moved["end_date"],
                }
                for agreement_id, moved in changes.items()
                if "end_date" in moved
            ],
            "replanned_cases": result.replanned_case_ids,
        },
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
