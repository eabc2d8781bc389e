"""The register as a Transparency Code CSV (``workflow.register.export``): in the columns the
import reads, so an export imports back changing nothing; filtered like the listing; read a
batch at a time; and every cell that begins like a formula neutralised (issue 13, fault 5).
"""

from __future__ import annotations

import csv
import io

from registerfiles import HEADER, Work, agreements, clerk, register, run
from sqlalchemy import event

from workflow.models import User
from workflow.register.csv_safe import FORMULA_STARTS
from workflow.register.export import RegisterFilters, export_register
from workflow.register.importer import sample_register
from workflow.register.vocabulary import EXPORT_HEADER

PROBES = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def export(work: Work, actor: User, batch: int = 200, **filters: str) -> str:
    with work() as ctx:
        return "".join(export_register(ctx, actor, RegisterFilters(**filters), batch))  # type: ignore[arg-type]


def records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def comparable(work: Work) -> dict[str, dict[str, object]]:
    return {
        ref: a.model_dump(exclude={"id", "created_at", "updated_at"})
        for ref, a in agreements(work).items()
    }


def test_the_probes_stored_through_the_import_are_neutralised_in_the_export(work: Work) -> None:
    actor = clerk(work)
    header = [*HEADER, "Description"]
    rows = [
        [f"P-{n}", probe, probe, "Resources", "01/04/2024", "31/03/2025", "£1.00", probe]
        for n, probe in enumerate(PROBES)
    ]
    result = run(work, register(rows, header), actor)
    assert (result.created, result.refused) == (len(PROBES), [])
    stored = agreements(work)
    # Stored verbatim, bar the surrounding whitespace every register cell is read without.
    assert stored["P-0"].title == PROBES[0] and stored["P-1"].counterparty == PROBES[1]

    exported = records(export(work, actor))
    assert len(exported) == len(PROBES)
    for line in exported:
        kept = stored[line["Reference Number"]]
        for column, value in (
            ("Title of Agreement", kept.title),
            ("Supplier Name", kept.counterparty),
            ("Description", kept.description),
        ):
            assert value is not None and value.lstrip().startswith(FORMULA_STARTS)
            assert line[column] == "'" + value
        assert not any(cell.startswith(FORMULA_STARTS) for cell in line.values())


def test_an_export_imports_back_changing_nothing(work: Work) -> None:
    actor = clerk(work)
    assert run(work, sample_register(), actor).refused == []
    before = comparable(work)
    first = export(work, actor)
    assert first.splitlines()[0] == ",".join(EXPORT_HEADER.values())
    assert len(records(first)) == len(before)

    again = run(work, first.encode(), actor)
    assert (again.created, again.updated, again.refused) == (0, len(before), [])
    assert again.ignored_columns == []
    assert comparable(work) == before
    assert export(work, actor) == first


def test_the_export_is_filtered_like_the_listing_and_read_in_batches(work: Work) -> None:
    actor = clerk(work)
    run(work, sample_register(), actor)
    every = export(work, actor)
    assert export(work, actor, batch=7) == every

    statements: list[str] = []
    with work() as ctx:
        bind = ctx.session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(bind, "before_cursor_execute", listener)
        try:
            chunks = list(export_register(ctx, actor, RegisterFilters(), 50))
        finally:
            event.remove(bind, "before_cursor_execute", listener)
    rows = len(records(every))
    assert len(chunks) == 1 + -(-rows // 50) + (rows % 50 == 0)
    assert len([s for s in statements if "FROM agreements" in s]) == len(chunks) - 1

    mine = records(export(work, actor, directorate="Place", q="waste"))
    assert mine and all(r["Directorate"] == "Place" for r in mine)
    assert all(
        "waste" in (r["Title of Agreement"] + r["Supplier Name"] + r["Reference Number"]).lower()
        for r in mine
    )
    assert len(mine) < rows
