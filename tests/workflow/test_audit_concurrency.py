"""Cases never wait on each other's audit trail (issue 8): with a transaction that appended to
case A still open, an append to case B commits. Under the old global chain B queued on the
``audit_head`` row lock until A committed. On SQLite writers are serialised by the database
itself, so this is about PostgreSQL; on SQLite it checks the same appends one after another."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from casework import Work
from locking import wait_until_blocked
from sqlalchemy.engine import Engine

from workflow import audit
from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import make_engine, unit_of_work
from workflow.models import User
from workflow.settings import Settings


@pytest.fixture
def second_engine(engine: Engine) -> Iterator[Engine]:
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


def test_an_append_to_case_b_commits_while_case_a_is_open(
    engine: Engine,
    second_engine: Engine,
    work: Work,
    people: dict[str, User],
    clock: FrozenClock,
    settings: Settings,
) -> None:
    clerk = people["clerk"].id
    b_committed = threading.Event()
    failure: list[BaseException] = []

    def append_to_b() -> None:
        try:
            with unit_of_work(second_engine) as session:
                ctx = Ctx(session, clock, settings)
                audit.append(ctx, event="note", at=ctx.now(), actor_id=clerk, case_id=2)
            b_committed.set()
        except BaseException as exc:  # reported by the assertion below
            failure.append(exc)

    b = threading.Thread(target=append_to_b)
    concurrent = engine.dialect.name == "postgresql"
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        audit.append(ctx, event="note", at=ctx.now(), actor_id=clerk, case_id=1)
        if concurrent:
            b.start()
            # A is still open: B must finish anyway (a generous wait, not a timing claim).
            assert b_committed.wait(60), failure or "case B waited for case A's transaction"
    if not concurrent:
        b.start()
    b.join(60)
    assert not failure and b_committed.is_set()
    with work() as ctx:
        assert verify(ctx).checked == 2


@pytest.mark.parametrize("case_id", [None, 3], ids=["council-chain", "case-not-locked"])
def test_two_appends_to_one_unlocked_chain_at_once_do_not_fork_it(
    engine: Engine,
    second_engine: Engine,
    work: Work,
    people: dict[str, User],
    clock: FrozenClock,
    settings: Settings,
    case_id: int | None,
) -> None:
    """A chain no case row guards (events with no case, a reminder retry): B takes the same
    ``seq`` as A's open transaction, waits for it on the unique index, loses, reads A's event
    and appends after it."""
    clerk = people["clerk"].id
    started, b_done = threading.Event(), threading.Event()
    seqs: list[int] = []
    failure: list[BaseException] = []

    def append_b() -> None:
        started.set()
        try:
            with unit_of_work(second_engine) as session:
                ctx = Ctx(session, clock, settings)
                row = audit.append(
                    ctx, event="b", at=ctx.now(), actor_id=clerk, case_id=case_id,
                    case_locked=False,
                )  # fmt: skip
                seqs.append(row.seq)
        except BaseException as exc:  # reported by the assertion below
            failure.append(exc)
        b_done.set()

    b = threading.Thread(target=append_b)
    concurrent = engine.dialect.name == "postgresql"
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        a = audit.append(
            ctx, event="a", at=ctx.now(), actor_id=clerk, case_id=case_id, case_locked=False
        )
        seqs.append(a.seq)
        if concurrent:
            b.start()
            assert started.wait(30)
            wait_until_blocked(engine)  # B is waiting on A's uncommitted seq 1
    if not concurrent:
        b.start()
    assert b_done.wait(60)
    b.join(60)
    assert not failure, failure
    assert seqs == [1, 2]
    with work() as ctx:
        result = verify(ctx)
    assert (result.ok, result.checked) == (True, 2), result.problem
