"""Checkpoints join the per-case chains into one global keyed chain (issue 8): each records the
heads of the chains that grew since the one before; ``verify`` names an edited or removed
checkpoint, and two schedulers appending at once never fork the global chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from casework import Work
from locking import wait_until_blocked
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from workflow import audit
from workflow.audit import GENESIS, checkpoint, verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import make_engine, unit_of_work
from workflow.models import AuditCheckpoint, AuditEvent, User, pk
from workflow.settings import Settings


def note(work: Work, people: dict[str, User], case_id: int | None) -> AuditEvent:
    with work() as ctx:
        return audit.append(
            ctx, event="note", at=ctx.now(), actor_id=people["clerk"].id, case_id=case_id
        )


def seal(work: Work) -> AuditCheckpoint | None:
    with work() as ctx:
        return checkpoint(ctx)


def checkpoints(engine: Engine) -> list[AuditCheckpoint]:
    with Session(engine) as session:
        return list(session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id))))


def test_checkpoints_chain_and_record_only_the_chains_that_grew(
    engine: Engine, work: Work, people: dict[str, User]
) -> None:
    assert seal(work) is None  # nothing written yet: no empty checkpoint
    a1, b1, council = note(work, people, 1), note(work, people, 2), note(work, people, None)
    a2 = note(work, people, 1)
    first = seal(work)
    assert first is not None and first.id == 1 and first.prev_hash == GENESIS
    assert first.last_event_id == a2.id
    assert {(h["chain"], h["seq"], h["event_id"]) for h in first.heads} == {
        ("case:1", 2, a2.id),
        ("case:2", 1, b1.id),
        ("council", 1, council.id),
    }
    assert a1.id not in {h["event_id"] for h in first.heads}
    assert seal(work) is None  # nothing grew since
    b2 = note(work, people, 2)
    second = seal(work)
    assert second is not None and second.id == 2 and second.prev_hash == first.hash
    assert second.heads == [
        {"chain": "case:2", "case_id": 2, "seq": 2, "event_id": b2.id, "hash": b2.hash}
    ]
    with work() as ctx:
        result = verify(ctx)
    assert (result.ok, result.checked, result.checkpoints) == (True, 5, 2)


@pytest.fixture
def three_checkpoints(work: Work, people: dict[str, User]) -> list[int]:
    made = []
    for case_id in (1, 2, 3):
        note(work, people, case_id)
        sealed = seal(work)
        assert sealed is not None
        made.append(sealed.id)
    return made


def test_an_edited_checkpoint_is_named(
    engine: Engine, work: Work, three_checkpoints: list[int]
) -> None:
    """Hiding a head from a checkpoint (to cut a case's tail unseen) breaks its keyed hash."""
    with engine.begin() as conn:
        conn.execute(update(AuditCheckpoint).where(col(AuditCheckpoint.id) == 2).values(heads=[]))
    with work() as ctx:
        result = verify(ctx)
    assert (result.ok, result.checkpoint_id) == (False, 2)
    assert result.problem == "checkpoint 2 was changed (its keyed hash does not match)"


def test_a_removed_checkpoint_is_named(
    engine: Engine, work: Work, three_checkpoints: list[int]
) -> None:
    with engine.begin() as conn:
        conn.execute(delete(AuditCheckpoint).where(col(AuditCheckpoint.id) == 2))
    with work() as ctx:
        result = verify(ctx)
    assert (result.ok, result.checkpoint_id) == (False, 2)
    assert result.problem == "checkpoint 2 is missing (removed)"


def test_checkpoints_reordered_are_named(
    engine: Engine, work: Work, three_checkpoints: list[int]
) -> None:
    rows = {cp.id: cp for cp in checkpoints(engine)}
    fields = ("at", "last_event_id", "heads", "prev_hash", "hash")
    with engine.begin() as conn:
        table = col(AuditCheckpoint.id)
        conn.execute(update(AuditCheckpoint).where(table == 2).values(hash="parked"))
        conn.execute(
            update(AuditCheckpoint)
            .where(table == 3)
            .values(**{f: getattr(rows[2], f) for f in fields})
        )
        conn.execute(
            update(AuditCheckpoint)
            .where(table == 2)
            .values(**{f: getattr(rows[3], f) for f in fields})
        )
    with work() as ctx:
        result = verify(ctx)
    assert (result.ok, result.checkpoint_id) == (False, 2)
    assert result.problem == "checkpoint 2 does not follow checkpoint 1"


def test_the_scheduler_pass_appends_a_checkpoint(
    engine: Engine, work: Work, people: dict[str, User], clock: FrozenClock, settings: Settings
) -> None:
    from scheduler.tick import run_tick

    event = note(work, people, 7)
    done = run_tick(engine, clock, settings, concurrency=1)
    assert done["checkpoint"] == 1
    [sealed] = checkpoints(engine)
    assert sealed.heads[0]["event_id"] == event.id
    assert run_tick(engine, clock, settings, concurrency=1)["checkpoint"] is None


@pytest.fixture
def second_engine(engine: Engine) -> Iterator[Engine]:
    """A second pool, so two transactions really are open at once."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


def test_two_schedulers_at_once_do_not_fork_the_global_chain(
    engine: Engine,
    second_engine: Engine,
    work: Work,
    people: dict[str, User],
    clock: FrozenClock,
    settings: Settings,
) -> None:
    """Scheduler A takes checkpoint 1 and has not committed; B tries too. B cannot also write
    a checkpoint 1: it waits for A (on PostgreSQL, on A's key; on SQLite, on the write lock),
    then finds A's checkpoint and, with new events, writes checkpoint 2 after it. (SQLite
    serialises writers, so there B simply runs after A.)"""
    note(work, people, 1)
    started, b_done = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def scheduler_b() -> None:
        started.set()
        try:
            with unit_of_work(second_engine) as session:
                made = checkpoint(Ctx(session, clock, settings))
                outcome["b"] = made.id if made is not None else None
        except Exception as exc:  # reported by the assertion below
            outcome["b"] = exc
        b_done.set()

    thread = threading.Thread(target=scheduler_b)
    concurrent = engine.dialect.name == "postgresql"
    with unit_of_work(engine) as session:
        made_a = checkpoint(Ctx(session, clock, settings))
        assert made_a is not None and made_a.id == 1
        if concurrent:
            thread.start()
            assert started.wait(30)
            wait_until_blocked(engine)  # B is held on A's uncommitted checkpoint 1
    if not concurrent:
        thread.start()
    assert b_done.wait(60)
    thread.join(60)
    assert outcome["b"] is None  # nothing new since A's checkpoint: B adds nothing
    assert [cp.id for cp in checkpoints(engine)] == [1]
    note(work, people, 2)
    assert pk(getattr(seal(work), "id", None)) == 2


def test_an_event_committed_after_a_checkpoint_passed_its_id_is_caught_next_pass(
    engine: Engine,
    second_engine: Engine,
    work: Work,
    people: dict[str, User],
    clock: FrozenClock,
    settings: Settings,
) -> None:
    """On PostgreSQL, case 1's event takes id 1 but commits only after case 2's event (id 2)
    and a checkpoint whose high-water mark is 2. The next checkpoint still records it, so
    removing it, the last event of case 1, is caught. (SQLite serialises writers: there the
    events simply commit in order.)"""
    clerk = people["clerk"].id
    concurrent = engine.dialect.name == "postgresql"

    def other_work() -> tuple[AuditEvent, AuditCheckpoint | None]:
        with unit_of_work(second_engine) as session:
            ctx = Ctx(session, clock, settings)
            b = audit.append(ctx, event="note", at=ctx.now(), actor_id=clerk, case_id=2)
        with unit_of_work(second_engine) as session:
            return b, checkpoint(Ctx(session, clock, settings))

    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        late = audit.append(ctx, event="note", at=ctx.now(), actor_id=clerk, case_id=1)
        if concurrent:
            b, first = other_work()
    if not concurrent:
        b, first = other_work()
    assert first is not None and first.id == 1
    second = seal(work)
    if concurrent:
        assert pk(late.id) < pk(b.id) == first.last_event_id
        assert [h["event_id"] for h in first.heads] == [b.id]
        assert second is not None and [h["event_id"] for h in second.heads] == [late.id]
    else:
        assert {h["event_id"] for h in first.heads} == {late.id, b.id} and second is None
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.id) == late.id))
    with work() as ctx:
        result = verify(ctx)
    assert (result.ok, result.event_id, result.case_id) == (False, late.id, 1)
