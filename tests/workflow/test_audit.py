"""The audit trail is append-only and tamper-evident (SPEC §6, issue 8): after both seed cases
every per-case chain verifies, and ``workflow.audit.verify`` and ``councilflow audit verify``
name the first event (id and case) whose row was changed, removed or reordered, or whose
chain was recomputed without the key."""

from __future__ import annotations

import hashlib
from itertools import pairwise
from typing import Any

import pytest
from casework import Work, consult, london
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from statements import counting
from typer.testing import CliRunner

from councilflow.cli import app
from workflow import audit, demo
from workflow.audit import GENESIS, canonical, checkpoint, verify
from workflow.audit.verify import VerifyResult
from workflow.clock import FrozenClock
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire
from workflow.models import AuditEvent, User, pk
from workflow.settings import Settings, get_settings


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
        return [pk(i) for i in session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id)))]


def check(work: Work) -> VerifyResult:
    with work() as ctx:
        return verify(ctx)


def seal(work: Work) -> int:
    """Append a checkpoint now, as the scheduler's pass does."""
    with work() as ctx:
        made = checkpoint(ctx)
        assert made is not None
        return made.id


def test_every_case_has_its_own_chain_and_all_verify(
    engine: Engine, both_cases: list[int], work: Work
) -> None:
    result = check(work)
    assert result.ok, result.problem
    assert result.checked == len(event_ids(engine))
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        per_case = {case_id: [r for r in rows if r.case_id == case_id] for case_id in both_cases}
        council = [r for r in rows if r.case_id is None]
    assert [r.event for r in per_case[both_cases[0]]] == ["create", "submit", "defer", "approve"]
    assert [r.event for r in per_case[both_cases[1]]] == [
        "create",
        "submit",
        "approve",
        "consultation",
        "sign_off",
    ]
    assert {r.event for r in council} == {"agreement_created"}
    for chain in [*per_case.values(), council]:
        assert [r.seq for r in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in pairwise(chain))
        assert len({r.chain for r in chain}) == 1
    assert per_case[both_cases[0]][0].chain == f"case:{both_cases[0]}"


def test_hashes_are_keyed(engine: Engine, both_cases: list[int], settings: Settings) -> None:
    """Not a plain SHA-256: the key changes every hash, and verify with another key fails."""
    with Session(engine) as session:
        row = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).first()
        assert row is not None
        assert row.hash == audit.digest(row, settings.audit_key)
        assert row.hash != hashlib.sha256(canonical(row)).hexdigest()
        assert row.hash != audit.digest(row, "another key")


def target_of(engine: Engine, case_id: int, event_name: str) -> AuditEvent:
    with Session(engine) as session:
        return session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.event == event_name)
        ).one()


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
    engine: Engine, both_cases: list[int], work: Work, change: dict[str, Any]
) -> None:
    target = target_of(engine, both_cases[0], "defer")
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(col(AuditEvent.id) == target.id).values(**change))
    result = check(work)
    assert (result.ok, result.event_id, result.case_id) == (False, target.id, both_cases[0])
    assert f"event {target.id} of case {both_cases[0]} was changed" in str(result.problem)


def test_a_removed_middle_row_is_named(engine: Engine, both_cases: list[int], work: Work) -> None:
    """The gap in ``seq`` shows at the event after it, named with its case."""
    removed = target_of(engine, both_cases[1], "approve")
    after = target_of(engine, both_cases[1], "consultation")
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.id) == removed.id))
    result = check(work)
    assert (result.ok, result.event_id, result.case_id) == (False, after.id, both_cases[1])
    assert (
        f"1 event(s) missing (removed) before event {after.id} of case {both_cases[1]}: "
        f"expected seq {removed.seq}" in str(result.problem)
    )


def test_a_removed_last_row_of_a_case_is_named_once_checkpointed(
    engine: Engine, both_cases: list[int], work: Work
) -> None:
    sealed = seal(work)
    last = target_of(engine, both_cases[0], "approve")
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.id) == last.id))
    result = check(work)
    assert (result.ok, result.event_id, result.case_id) == (False, last.id, both_cases[0])
    assert result.checkpoint_id == sealed
    assert result.problem == (
        f"event {last.id} of case {both_cases[0]} (seq {last.seq}), recorded by checkpoint "
        f"{sealed}, is missing (removed)"
    )


def test_an_unsealed_tail_is_not_caught_until_a_checkpoint_records_it(
    engine: Engine, both_cases: list[int], work: Work
) -> None:
    """What the module docstring says: the tail after the last checkpoint can be cut."""
    last = target_of(engine, both_cases[0], "approve")
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.id) == last.id))
    assert check(work).ok


def swap_contents(engine: Engine, a: int, b: int, fields: tuple[str, ...]) -> None:
    """Give row ``a`` the ``fields`` of row ``b`` and the other way round, ids staying put."""
    with Session(engine) as session:
        ra, rb = session.get(AuditEvent, a), session.get(AuditEvent, b)
        assert ra is not None and rb is not None
        va = {f: getattr(ra, f) for f in fields}
        vb = {f: getattr(rb, f) for f in fields}
    with engine.begin() as conn:
        table = col(AuditEvent.id)
        parked = {"hash": "swapping", **({"seq": -1} if "seq" in fields else {})}
        conn.execute(update(AuditEvent).where(table == a).values(**parked))
        conn.execute(update(AuditEvent).where(table == b).values(**va))
        conn.execute(update(AuditEvent).where(table == a).values(**vb))


CONTENT = ("event", "from_state", "to_state", "actor_id", "at", "data", "prev_hash", "hash")


@pytest.mark.parametrize("later", ["approve", "sign_off"])
@pytest.mark.parametrize("with_seq", [False, True], ids=["rows-moved", "seq-too"])
def test_two_rows_reordered_are_named_at_the_first(
    engine: Engine, both_cases: list[int], work: Work, later: str, with_seq: bool
) -> None:
    """Moving rows (their content between two ids), or the seqs with them, is caught."""
    first = target_of(engine, both_cases[1], "submit")
    second = target_of(engine, both_cases[1], later)
    fields = (*CONTENT, "seq") if with_seq else CONTENT
    swap_contents(engine, pk(first.id), pk(second.id), fields)
    result = check(work)
    assert (result.ok, result.case_id) == (False, both_cases[1])
    if not with_seq:
        assert result.event_id == first.id
        assert f"event {first.id} of case {both_cases[1]} does not follow" in str(result.problem)
    else:
        # The moved seqs put a later-written row before an earlier one; the first such is named.
        assert first.id <= pk(result.event_id) <= pk(second.id)
        assert f"event {result.event_id} of case {both_cases[1]} is out of order" in str(
            result.problem
        )


@pytest.mark.parametrize("how", ["sha256", "another-key"])
def test_chains_recomputed_without_the_key_are_named(
    engine: Engine, both_cases: list[int], work: Work, how: str
) -> None:
    """An insider edits an event and recomputes every chain so that it links up again."""
    target = target_of(engine, both_cases[1], "sign_off")
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent).order_by(col(AuditEvent.chain), col(AuditEvent.seq))
        ).all()
        first = rows[0]
        prev: dict[str, str] = {}
        for row in rows:
            if row.id == target.id:
                row.data = {**row.data, "payload": {"months": 1, "reasons": "Re-procure."}}
            row.prev_hash = prev.get(row.chain, GENESIS)
            if how == "sha256":
                row.hash = hashlib.sha256(canonical(row)).hexdigest()
            else:
                row.hash = audit.digest(row, "a guessed key")
            prev[row.chain] = row.hash
            session.add(row)
        session.commit()
        first_id, first_case = first.id, first.case_id
    result = check(work)
    assert (result.ok, result.event_id, result.case_id) == (False, first_id, first_case)
    assert "recomputed without the key" in str(result.problem)


def test_appending_to_a_case_costs_two_statements(
    engine: Engine, both_cases: list[int], work: Work, people: dict[str, User]
) -> None:
    """One indexed read of the case's last link, one insert: no shared head row."""
    with work() as ctx:
        ctx.session.connection()  # the transaction is open before counting
        with counting(engine) as statements:
            row = audit.append(
                ctx,
                event="note",
                at=ctx.now(),
                actor_id=people["clerk"].id,
                case_id=both_cases[0],
            )
    assert len(statements) == 2, statements
    assert statements[0].lstrip().upper().startswith("SELECT")
    assert statements[1].lstrip().upper().startswith("INSERT")
    assert (row.seq, row.chain) == (5, f"case:{both_cases[0]}")
    assert check(work).ok


def test_the_command_exits_non_zero_naming_the_event(
    engine: Engine, both_cases: list[int], work: Work, cli_env: None
) -> None:
    seal(work)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert (
        f"audit trail intact: {len(event_ids(engine))} events and 1 checkpoints verified"
        in ok.output
    )
    assert "warning: COUNCILFLOW_AUDIT_KEY is still the shipped default" in ok.output

    target = target_of(engine, both_cases[1], "consultation")
    with engine.begin() as conn:
        conn.execute(
            update(AuditEvent)
            .where(col(AuditEvent.id) == target.id)
            .values(data={"response": "Never consulted."})
        )
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit trail BROKEN: event {target.id} of case {both_cases[1]} was changed" in (
        broken.output
    )


def test_the_command_with_another_key_names_the_first_event(
    engine: Engine, both_cases: list[int], cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNCILFLOW_AUDIT_KEY", "not the key the trail was written with")
    get_settings.cache_clear()
    broken = CliRunner().invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "warning: COUNCILFLOW_AUDIT_KEY" not in broken.output
    assert "recomputed without the key" in broken.output
