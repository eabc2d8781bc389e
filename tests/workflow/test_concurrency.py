"""Two people firing on one case at once: exactly one wins, the rest are told (SPEC §3).

On PostgreSQL twenty threads, each in its own unit of work on its own connection, meet at a
barrier and fire together; on SQLite, where writers queue on ``BEGIN IMMEDIATE``, fewer
threads make the same point in less time.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from casework import (
    SIGNED_AT,
    Work,
    approve_payload,
    case_of,
    consult,
    new_case,
    sign_off_payload,
    to_cabinet,
    to_delegated,
)
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import make_engine, unit_of_work
from workflow.errors import Conflict, TransitionRefused
from workflow.lifecycle.events import fire
from workflow.models import AuditEvent, SignOff, User
from workflow.settings import Settings

THREADS = {"postgresql": 20, "sqlite": 6}


@pytest.fixture
def racing_engine(engine: Engine) -> Iterator[Engine]:
    """An engine with a connection for every thread, so all of them really are in flight."""
    if engine.dialect.name != "postgresql":
        yield engine
        return
    url = engine.url.render_as_string(hide_password=False)
    racing = make_engine(url, pool_size=THREADS["postgresql"] + 2, max_overflow=0)
    yield racing
    racing.dispose()


def race(
    engine: Engine,
    clock: FrozenClock,
    settings: Settings,
    attempts: list[Callable[[Ctx], Any]],
) -> list[str]:
    """Run every attempt in its own thread and unit of work, all released at once."""
    barrier = threading.Barrier(len(attempts))

    def run(attempt: Callable[[Ctx], Any]) -> str:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                attempt(Ctx(session, clock, settings))
        except TransitionRefused:
            return "refused"
        except Conflict:
            return "conflict"
        return "won"

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def test_delegates_signing_off_at_once_produce_exactly_one_sign_off(
    racing_engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        consult(ctx, people, case_id)
        version = case_of(ctx, case_id).version
    clock.travel_to(SIGNED_AT)

    threads = THREADS[racing_engine.dialect.name]
    executive = people["executive"]
    outcomes = race(
        racing_engine,
        clock,
        settings,
        [
            lambda ctx: fire(ctx, case_id, "sign_off", executive, sign_off_payload(6))
            for _ in range(threads)
        ],
    )
    counts = Counter(outcomes)
    assert counts["won"] == 1, counts
    assert counts["conflict"] + counts["refused"] == threads - 1, counts

    with Session(racing_engine) as session:
        sign_offs = session.exec(
            select(func.count()).select_from(SignOff).where(SignOff.case_id == case_id)
        ).one()
        events = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.event == "sign_off")
        ).one()
        assert (sign_offs, events) == (1, 1)
        assert verify(Ctx(session, clock, settings)).ok
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version) == ("active", version + 1)


def test_approve_and_withdraw_at_once_have_one_winner(
    racing_engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    """Different people, different events: still one winner, and the audit chain holds."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    clock.travel_to(SIGNED_AT)
    approve = approve_payload(people)
    threads = THREADS[racing_engine.dialect.name]
    attempts: list[Callable[[Ctx], Any]] = []
    for n in range(threads):
        if n % 2:
            attempts.append(lambda ctx: fire(ctx, case_id, "approve", people["clerk"], approve))
        else:
            attempts.append(
                lambda ctx: fire(ctx, case_id, "withdraw", people["admin"], {"reason": "Stop."})
            )
    counts = Counter(race(racing_engine, clock, settings, attempts))
    assert counts["won"] == 1, counts
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert case.state in ("delegated_approval", "withdrawn")
        assert case.version == 3
        assert verify(ctx).ok
