"""An import is held, row by row, to the rights of changing that one agreement (issue 14,
fault 3): an Adult Social Care officer's register may not rewrite a Children's Services
agreement, which would re-plan the cases covering it and could flip whether its renewal is a
key decision. The row is refused with its row number and why, like any other refused row; the
other rows land; the agreement and every case covering it stay exactly as they were.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from casework import ASC, Work, case_in, snapshot
from registerfiles import HEADER, agreements, import_events, run

from workflow.context import Ctx
from workflow.lifecycle.cases import create_case
from workflow.models import Agreement, Role, User, pk
from workflow.people.users import create_user
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn, UserIn

CHILDREN = "Children's Services"


def person(ctx: Ctx, key: str, role: Role, directorate: str | None) -> User:
    body = UserIn(
        name=f"Pat {key}",
        email=f"{key}@council.example.gov.uk",
        roles=[role],
        directorate=directorate,
    )
    return create_user(ctx, body, actor=None)[0]


def agreement(ctx: Ctx, reference: str, directorate: str, author: User) -> Agreement:
    data = AgreementIn(
        reference=reference,
        title="Short breaks for disabled children",
        kind="contract",  # type: ignore[arg-type]
        counterparty="Ravenbeck Trust",
        directorate=directorate,
        annual_value_pence=40_000_00,
        start_date=date(2020, 10, 1),
        end_date=date(2024, 9, 30),
    )
    return create_agreement(ctx, data, author)


def rewrite(*rows: tuple[str, str]) -> bytes:
    """A register rewriting each (reference, directorate) row's title, supplier, end and value:
    the value over the key-decision threshold."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for reference, directorate in rows:
        writer.writerow(
            [reference, "Renamed", "Other Ltd", directorate, "01/10/2020", "31/03/2026", "£900,000"]
        )
    return out.getvalue().encode()


@pytest.fixture
def children(work: Work) -> tuple[dict[str, User], int, int]:
    """An ASC officer, a Children's Services officer and democratic services; a Children's
    Services agreement with a drafted case covering it; answers (people, agreement, case)."""
    with work() as ctx:
        people = {
            "asc": person(ctx, "asc", Role.officer, ASC),
            "children": person(ctx, "children", Role.officer, CHILDREN),
            "clerk": person(ctx, "clerk", Role.democratic_services, None),
            "nowhere": person(ctx, "nowhere", Role.officer, None),
        }
        theirs = agreement(ctx, "CS-001", CHILDREN, people["children"])
        agreement(ctx, "ASC-001", ASC, people["asc"])
        case = create_case(ctx, case_in([pk(theirs.id)], directorate=CHILDREN), people["children"])
        return people, pk(theirs.id), pk(case.id)


def test_an_asc_officer_may_not_rewrite_a_childrens_agreement(
    work: Work, children: tuple[dict[str, User], int, int]
) -> None:
    people, agreement_id, case_id = children
    with work() as ctx:
        before = snapshot(ctx, case_id)
    stored = agreements(work)

    result = run(
        work, rewrite(("CS-001", CHILDREN), ("ASC-001", ASC), ("ASC-NEW", ASC)), people["asc"]
    )

    assert (result.created, result.updated, result.rows) == (1, 1, 3)
    [refused] = result.refused
    assert (refused.row, refused.reference) == (2, "CS-001")
    assert refused.reason == (
        "agreement 'CS-001' belongs to Children's Services, and only its officers, democratic "
        "services or an admin may change it (you are in Adult Social Care)"
    )
    after = agreements(work)
    assert after["CS-001"].model_dump() == stored["CS-001"].model_dump()
    assert after["ASC-001"].title == "Renamed"
    assert result.replanned_case_ids == []
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
    assert import_events(work)[-1].data["refused_rows"] == [2]
    assert agreement_id == after["CS-001"].id


def test_an_officer_may_not_hand_an_agreement_to_another_directorate(
    work: Work, children: tuple[dict[str, User], int, int]
) -> None:
    people, _agreement_id, _case_id = children
    result = run(work, rewrite(("ASC-001", CHILDREN)), people["asc"])
    [refused] = result.refused
    assert refused.reason.startswith("agreement 'ASC-001' may not be moved from Adult Social Care")
    assert agreements(work)["ASC-001"].directorate == ASC


def test_an_officer_with_no_directorate_changes_no_agreement(
    work: Work, children: tuple[dict[str, User], int, int]
) -> None:
    people, _agreement_id, _case_id = children
    result = run(work, rewrite(("ASC-001", ASC), ("NEW-1", ASC)), people["nowhere"])
    assert (result.created, result.updated, [r.row for r in result.refused]) == (1, 0, [2])


def test_the_directorate_and_democratic_services_may_change_it(
    work: Work, children: tuple[dict[str, User], int, int]
) -> None:
    people, _agreement_id, case_id = children
    with work() as ctx:
        before = snapshot(ctx, case_id)
    own = run(work, rewrite(("CS-001", CHILDREN)), people["children"])
    assert (own.updated, own.refused, own.replanned_case_ids) == (1, [], [case_id])
    with work() as ctx:
        assert snapshot(ctx, case_id).agreement_ends == (date(2026, 3, 31),)
        assert snapshot(ctx, case_id) != before
    clerk = run(work, rewrite(("CS-001", ASC), ("ASC-001", CHILDREN)), people["clerk"])
    assert (clerk.updated, clerk.refused) == (2, [])
    stored = agreements(work)
    assert (stored["CS-001"].directorate, stored["ASC-001"].directorate) == (ASC, CHILDREN)
