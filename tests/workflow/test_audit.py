"""The audit trail is append-only and tamper-evident (SPEC §6): after both seed cases the
chain verifies, and ``workflow.audit.verify`` and ``councilflow audit verify`` name the first
event whose row was changed, removed or reordered."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
from casework import Work, consult, london
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from councilflow.cli import app
from workflow import demo
from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire
from workflow.models import AuditEvent, User, pk
from workflow.settings import get_settings


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(london(2023, 8, 1, 9))


@pytest.fixture
def both_cases(work: Work, clock: FrozenClock, people: dict[str, User]) -> list[int]:
    """Oldham to delegated approval (via its same-meeting deferral), Sefton to active."""
    clerk, executive = people["clerk"], people["executive"]
    with work() as ctx:
        miocare = demo.oldham_agreement(ctx, people["oldham_officer"])
        oldham = pk(
            create_case(ctx, demo.oldham_case_in([pk(miocare.id)]), people["oldham_officer"]).id
        )
        agreements = demo.sefton_agreements(ctx, people["officer"])
        sefton = pk(
            create_case(
                ctx, demo.sefton_case_in([pk(a.id) for a in agreements]), people["officer"]
            ).id
        )
    clock.travel_to(london(2023, 9, 1))
    with work() as ctx:
        fire(ctx, oldham, "submit", people["oldham_officer"])
    clock.travel_to(london(2023, 9, 18, 15))
    with work() as ctx:
        fire(
            ctx, oldham, "defer", clerk, {"reason": "Item 10 first.", "meeting_date": "2023-09-18"}
        )
        fire(
            ctx,
            oldham,
            "approve",
            clerk,
            {
                "resolution": "Approve the refreshed SLA.",
                "decided_on": "2023-09-18",
                "notice_published_on": "2023-09-18",
                "delegate_id": executive.id,
                "consultee_id": people["cabinet_member"].id,
            },
        )
    clock.travel_to(london(2024, 8, 1))
    with work() as ctx:
        fire(ctx, sefton, "submit", people["officer"])
    clock.travel_to(london(2024, 9, 6))
    with work() as ctx:
        fire(
            ctx,
            sefton,
            "approve",
            clerk,
            {
                "resolution": "Extend for up to twelve months.",
                "decided_on": "2024-09-05",
                "notice_published_on": "2024-09-06",
                "delegate_id": executive.id,
                "consultee_id": people["cabinet_member"].id,
                "max_months": 12,
            },
        )
        consult(ctx, people, sefton)
    clock.travel_to(london(2024, 9, 16))
    with work() as ctx:
        fire(ctx, sefton, "sign_off", executive, {"months": 6, "reasons": "Re-procure."})
    return [oldham, sefton]


def event_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id))).all())


def check(engine: Engine) -> Any:
    with Session(engine) as session:
        return verify(session)


def test_the_chain_verifies_after_both_cases(
    engine: Engine, both_cases: list[int], work: Work
) -> None:
    ids = event_ids(engine)
    result = check(engine)
    assert result.ok, result.problem
    assert result.checked == len(ids)
    assert ids == list(range(1, len(ids) + 1))
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        assert rows[0].prev_hash == "0" * 64
        assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
        per_case = {
            case_id: [r.event for r in rows if r.case_id == case_id] for case_id in both_cases
        }
    assert per_case[both_cases[0]] == ["create", "submit", "defer", "approve"]
    assert per_case[both_cases[1]] == ["create", "submit", "approve", "consultation", "sign_off"]


def middle_of(engine: Engine, case_id: int, event: str) -> int:
    with Session(engine) as session:
        row = session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.event == event)
        ).one()
        return row.id


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"payload": {"reason": "Nothing to see."}}},
        {"actor_id": 1},
        {"to_state": "rejected"},
        {"at": london(2023, 9, 19)},
    ],
    ids=["data", "actor", "state", "time"],
)
def test_a_changed_row_is_named(
    engine: Engine, both_cases: list[int], change: dict[str, Any]
) -> None:
    target = middle_of(engine, both_cases[0], "defer")
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(col(AuditEvent.id) == target).values(**change))
    result = check(engine)
    assert not result.ok
    assert result.event_id == target
    assert result.problem == f"event {target} was changed"


def test_a_removed_middle_row_is_named(engine: Engine, both_cases: list[int]) -> None:
    target = middle_of(engine, both_cases[1], "approve")
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.id) == target))
    result = check(engine)
    assert (result.ok, result.event_id) == (False, target)
    assert f"event {target} is missing" in str(result.problem)


def test_a_removed_last_row_is_named(engine: Engine, both_cases: list[int]) -> None:
    last = event_ids(engine)[-1]
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.id) == last))
    result = check(engine)
    assert (result.ok, result.event_id) == (False, last)
    assert result.problem == f"event {last} is missing (removed from the end)"


@pytest.mark.parametrize("gap", [1, 3])
def test_two_rows_reordered_are_named_at_the_first(
    engine: Engine, both_cases: list[int], gap: int
) -> None:
    first = middle_of(engine, both_cases[1], "submit")
    swap_contents(engine, first, first + gap)
    result = check(engine)
    assert (result.ok, result.event_id) == (False, first)
    assert f"event {first} does not follow event {first - 1}" in str(result.problem)


def swap_contents(engine: Engine, a: int, b: int) -> None:
    """Give row ``a`` everything of row ``b`` and the other way round, ids staying put."""
    fields = ("case_id", "event", "from_state", "to_state", "actor_id", "at", "data")
    with Session(engine) as session:
        ra, rb = session.get(AuditEvent, a), session.get(AuditEvent, b)
        assert ra is not None and rb is not None
        va = {f: getattr(ra, f) for f in (*fields, "prev_hash", "hash")}
        vb = {f: getattr(rb, f) for f in (*fields, "prev_hash", "hash")}
    with engine.begin() as conn:
        table = col(AuditEvent.id)
        conn.execute(update(AuditEvent).where(table == a).values(hash="swapping"))
        conn.execute(update(AuditEvent).where(table == b).values(**va))
        conn.execute(update(AuditEvent).where(table == a).values(**vb))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """The command reads its database from the environment, through the cached settings."""
    monkeypatch.setenv("COUNCILFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_exits_non_zero_naming_the_event(
    engine: Engine, both_cases: list[int], cli_env: None
) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert f"audit trail intact: {len(event_ids(engine))} events verified" in ok.output

    target = middle_of(engine, both_cases[1], "consultation")
    with engine.begin() as conn:
        conn.execute(
            update(AuditEvent)
            .where(col(AuditEvent.id) == target)
            .values(data={"response": "Never consulted."})
        )
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit trail BROKEN: event {target} was changed" in broken.output
