"""Two people firing on one case at once: exactly one wins, the rest are told (SPEC §3).

On PostgreSQL twenty threads, each in its own unit of work on its own connection, meet at a
barrier and fire together; on SQLite, where writers queue on ``BEGIN IMMEDIATE``, fewer
threads make the same point in less time. Every change reads the case under its row lock
(``workflow.lifecycle.change``), so the losers wait, then see the state the winner left and
are refused for it; a change that asserts nothing stale (no If-Match) never fails for having
been second, and one that asserts a stale version is told so (412).
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
from workflow.errors import Conflict, PreconditionFailed, TransitionRefused
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
        except PreconditionFailed:
            return "stale"
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
    # The others waited for the winner's lock and found the case active: refused for the
    # state, not a bare conflict on the version.
    assert counts == Counter({"won": 1, "refused": threads - 1}), counts

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


DEFER = {"reason": "Later on the same agenda.", "meeting_date": "2024-09-05"}


def test_defers_without_if_match_all_succeed_one_after_another(
    racing_engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    """A self-loop fired by many clerks at once, none asserting a version: each waits for
    the case's lock and then defers, so every one succeeds and the version counts them all."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    with work() as ctx:
        version = case_of(ctx, case_id).version
    threads = THREADS[racing_engine.dialect.name]
    clerk = people["clerk"]
    outcomes = race(
        racing_engine,
        clock,
        settings,
        [lambda ctx: fire(ctx, case_id, "defer", clerk, DEFER) for _ in range(threads)],
    )
    assert Counter(outcomes) == Counter({"won": threads}), outcomes
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert (case.state, case.version) == ("cabinet_consideration", version + threads)
        deferrals = ctx.session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.event == "defer")
        ).one()
        assert deferrals == threads
        assert verify(ctx).ok


def test_defers_asserting_the_same_version_have_one_winner_and_the_rest_are_stale(
    racing_engine: Engine,
    work: Work,
    clock: FrozenClock,
    settings: Settings,
    people: dict[str, User],
) -> None:
    """Each clerk sends If-Match of the version they read: the first to take the lock wins,
    and every other finds the version moved on and is told to reload (412), not queued."""
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    with work() as ctx:
        version = case_of(ctx, case_id).version
    threads = THREADS[racing_engine.dialect.name]
    clerk = people["clerk"]
    outcomes = race(
        racing_engine,
        clock,
        settings,
        [
            lambda ctx: fire(ctx, case_id, "defer", clerk, DEFER, expected_version=version)
            for _ in range(threads)
        ],
    )
    assert Counter(outcomes) == Counter({"won": 1, "stale": threads - 1}), outcomes
    with work() as ctx:
        assert case_of(ctx, case_id).version == version + 1
