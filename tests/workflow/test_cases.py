"""Creating and amending drafts: only officers draft, only drafts change, and a stale copy
never overwrites a newer one (a concurrent writer waits for the case's lock and writes on
what it then finds; a stale ``expected_version`` is PreconditionFailed). A refused call
leaves the case exactly as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import Work, audit_events, case_in, case_of, new_case, snapshot, to_cabinet
from sqlmodel import func, select

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    PreconditionFailed,
    TransitionRefused,
)
from workflow.lifecycle.bundle import load
from workflow.lifecycle.cases import create_case, patch_case
from workflow.lifecycle.events import fire
from workflow.models import Case, User
from workflow.schemas import CasePatch
from workflow.settings import Settings

People = dict[str, User]


def refused_patch(
    work: Work, case_id: int, error: type[DomainError], actor: User, data: CasePatch, **kw: Any
) -> Any:
    with work() as ctx:
        before = snapshot(ctx, case_id)
        with pytest.raises(error) as info:
            patch_case(ctx, case_id, data, actor, **kw)
        assert snapshot(ctx, case_id) == before
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
    return info.value


def test_a_patch_changes_the_draft_and_its_deadlines_in_one_version(
    work: Work, people: People
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    with work() as ctx:
        patch_case(
            ctx,
            case_id,
            CasePatch(title="Renamed", meeting_date=date(2024, 10, 3)),
            people["colleague"],
            expected_version=1,
        )
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.title, case.meeting_date, case.version) == ("Renamed", date(2024, 10, 3), 2)
        last = audit_events(ctx, case_id)[-1]
        assert (last.event, last.actor_id) == ("patch", people["colleague"].id)
        assert last.data == {"changes": {"title": "Renamed", "meeting_date": "2024-10-03"}}


def test_patch_only_while_drafted(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    exc = refused_patch(
        work, case_id, TransitionRefused, people["officer"], CasePatch(title="Too late")
    )
    assert exc.state == "cabinet_consideration"


@pytest.mark.parametrize(
    ("who", "error"),
    [("outsider", Forbidden), ("clerk", Forbidden), ("viewer", Forbidden)],
)
def test_a_draft_is_changed_by_its_author_or_an_officer_of_its_directorate(
    work: Work, people: People, who: str, error: type[DomainError]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    refused_patch(work, case_id, error, people[who], CasePatch(title="Mine now"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CasePatch(agreement_ids=[999_998, 999_999]), "agreement_ids"),
        (CasePatch(title=None), "title"),
        (CasePatch(directorate=None), "directorate"),
        (CasePatch(proposal=None), "proposal"),
        (CasePatch(agreement_ids=None), "agreement_ids"),
        (CasePatch(), "body"),
        (CasePatch(title="Fine", key_decision=None), "key_decision"),
    ],
)
def test_an_invalid_patch_names_the_field_and_changes_nothing(
    work: Work, people: People, data: CasePatch, field: str
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    exc = refused_patch(work, case_id, InvalidInput, people["officer"], data)
    assert field in {p.field for p in exc.problems}


def test_a_stale_expected_version_is_a_failed_precondition(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
        patch_case(ctx, case_id, CasePatch(title="Second"), people["officer"], expected_version=1)
    exc = refused_patch(
        work,
        case_id,
        PreconditionFailed,
        people["officer"],
        CasePatch(title="Third"),
        expected_version=1,
    )
    assert "version 2" in exc.detail
    with work() as ctx:
        with pytest.raises(PreconditionFailed):
            fire(ctx, case_id, "submit", people["officer"], expected_version=1)
        fire(ctx, case_id, "submit", people["officer"], expected_version=2)


def test_a_writer_with_a_stale_copy_writes_on_the_current_case_or_is_told_if_it_asserted(
    engine: Any, work: Work, clock: FrozenClock, settings: Settings, people: People
) -> None:
    """A change reads the case again under its row lock (issue 8): without If-Match it is
    applied to what is there now, never silently to the copy held; with a stale If-Match it
    is refused (412) and changes nothing."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    with unit_of_work(engine) as session:
        stale = Ctx(session, clock, settings)
        held = case_of(stale, case_id)  # this session now holds version 1...
        assert held.version == 1
        session.commit()
        with work() as ctx:  # someone else changes the draft meanwhile
            patch_case(ctx, case_id, CasePatch(title="Theirs"), people["colleague"])
        with pytest.raises(PreconditionFailed):
            patch_case(
                stale, case_id, CasePatch(title="Mine"), people["officer"], expected_version=1
            )
        assert held.version == 2  # ...read again under the lock, not written from version 1
        session.rollback()
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.title, case.version) == ("Theirs", 2)
    with unit_of_work(engine) as session:
        stale = Ctx(session, clock, settings)
        held = case_of(stale, case_id)
        session.commit()
        with work() as ctx:
            patch_case(ctx, case_id, CasePatch(agenda_item="Item 7"), people["colleague"])
        patch_case(stale, case_id, CasePatch(title="Mine"), people["officer"])
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.title, case.agenda_item, case.version) == ("Mine", "Item 7", 4)


def test_only_an_officer_drafts_a_case(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
        agreement_ids = [a.id for a in load(ctx, case_of(ctx, case_id)).agreements]
    for who in ("clerk", "executive", "admin", "viewer"):
        with work() as ctx, pytest.raises(Forbidden, match="only an officer"):
            create_case(ctx, case_in(agreement_ids), people[who])  # type: ignore[arg-type]


def test_a_case_covers_agreements_that_exist(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
        known = load(ctx, case_of(ctx, case_id)).agreements[0].id
    with work() as ctx, pytest.raises(InvalidInput) as info:
        create_case(ctx, case_in([known, 424_242, 434_343]), people["officer"])  # type: ignore[list-item]
    problems = info.value.problems
    assert [p.field for p in problems] == ["agreement_ids", "agreement_ids"]
    assert "424242" in info.value.detail and "434343" in info.value.detail
    with work() as ctx:
        assert ctx.session.exec(select(func.count()).select_from(Case)).one() == 1
