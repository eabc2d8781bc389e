"""Several real ``councilflow scheduler`` processes sharing one PostgreSQL database.

PostgreSQL only (SQLite has one dispatcher per file). Without COUNCILFLOW_TEST_DATABASE_URL
they are skipped — CI always sets it; with it set and PostgreSQL down they fail.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import reminder_rows
from processes import Schedulers, scheduler_env, scratch_database, wait_until
from receivers import SECRET, Delivery, WebhookReceiver, webhook_receiver
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from workflow.clock import Clock
from workflow.models import Reminder

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("scheduler-processes")]

NOW = datetime(2024, 8, 22, 9, 0, tzinfo=UTC)
REMINDERS = 5000


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    base = os.environ.get("COUNCILFLOW_TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs PostgreSQL: set COUNCILFLOW_TEST_DATABASE_URL (CI always does)")
    name = f"councilflow_procs_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    with scratch_database(base, name) as db:
        yield db


def _count(engine: Engine, status: str) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).where(Reminder.status == status)).one()


def _workers(engine: Engine) -> Counter[str]:
    with Session(engine) as s:
        return Counter(s.exec(select(Reminder.claimed_by).where(Reminder.status == "sent")).all())


def _every_key_is_its_reminder(receiver: WebhookReceiver) -> None:
    assert receiver.rejected == []
    for d in receiver.deliveries:
        assert d.key == str(d.body["reminder_id"])


def _schedulers(url: str, receiver: WebhookReceiver, tmp_path: Path, **more: object) -> Schedulers:
    settings: dict[str, object] = {"dispatch_interval_seconds": 0.2, "dispatch_batch_size": 50}
    settings.update(more)
    return Schedulers(scheduler_env(url, NOW, receiver.url, SECRET, **settings), tmp_path)


# The webhook failures after which the receiver may already have taken the request: the
# request went out and the answer did not come back (in time). A refused connection or a
# connect timeout never reached it, so cannot explain a repeat.
AFTER_SENDING = ("ReadTimeout", "ReadError", "RemoteProtocolError")


def _unexplained_repeats(
    engine: Engine, receiver: WebhookReceiver, schedulers: Schedulers
) -> dict[str, str]:
    """Each key the receiver got more than once without as many failures-after-sending in the
    schedulers' logs, or without as many claims (a repeat must be a retry, never two
    workers holding it at once); answers why each is unexplained."""
    keys = Counter(receiver.keys())
    failures = schedulers.not_delivered()
    unexplained = {}
    for key, n in keys.items():
        if n == 1:
            continue
        timeouts = [w for w in failures.get(key, []) if any(e in w for e in AFTER_SENDING)]
        with Session(engine) as s:
            attempts = s.exec(select(Reminder.attempts).where(Reminder.id == int(key))).one()
        if len(timeouts) < n - 1 or attempts < n:
            unexplained[key] = f"{n} deliveries, {attempts} claims, logged: {failures.get(key)}"
    return unexplained


def test_three_schedulers_deliver_each_reminder_and_repeat_only_after_a_timeout(
    pg: tuple[Engine, str], tmp_path: Path
) -> None:
    """Every reminder reaches the receiver; none twice unless a scheduler logged that the
    answer did not come back in time and retried it, with the same key, on a new claim — so
    the receiver's dedupe by ``Idempotency-Key`` acts on each exactly once.

    On a quiet machine there are no repeats at all; under heavy load an answer can take longer
    than ``webhook_timeout_seconds``, and delivery is at least once by design (SPEC §5).
    """
    engine, url = pg
    ids = reminder_rows.many_due(engine, NOW, REMINDERS)
    with webhook_receiver(now=Clock(start=NOW).now) as receiver:
        schedulers = _schedulers(url, receiver, tmp_path)
        try:
            with schedulers.logs_on_failure():
                schedulers.start(3)
                wait_until(lambda: _count(engine, "sent") == REMINDERS, 120, "all reminders sent")
                assert schedulers.stop_all() == [0, 0, 0]
        finally:
            schedulers.kill_all()
    with schedulers.logs_on_failure():
        assert set(receiver.keys()) == {str(i) for i in ids}
        assert _unexplained_repeats(engine, receiver, schedulers) == {}
        assert sorted(receiver.accepted) == sorted(str(i) for i in ids)  # the dedupe: one each
        _every_key_is_its_reminder(receiver)
        shares = _workers(engine)
        assert len(shares) == 3, f"the work was not shared: {shares}"
        assert "stopped cleanly" in schedulers.log(0)


def test_an_answer_later_than_the_timeout_is_retried_with_the_same_key_and_dropped(
    pg: tuple[Engine, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The one way a reminder reaches a receiver twice in normal running: the receiver takes
    the request but answers after the client's timeout (here 1 s; 10 s by default), so the
    scheduler logs the failure and retries on a new claim, with the same ``Idempotency-Key``."""
    engine, url = pg
    ids = reminder_rows.many_due(engine, NOW, 100)
    slow = str(ids[37])

    def answer_the_first_late(delivery: Delivery) -> None:
        if delivery.key == slow and receiver.keys().count(slow) == 1:
            threading.Event().wait(2.0)

    clock = Clock(start=NOW)
    caplog.set_level("WARNING", logger="councilflow.tests.receivers")
    with webhook_receiver(now=clock.now, on_delivery=answer_the_first_late) as receiver:
        schedulers = _schedulers(
            url, receiver, tmp_path, webhook_timeout_seconds=1, backoff_base_seconds=0.5
        )
        try:
            with schedulers.logs_on_failure():
                schedulers.start(1)
                wait_until(lambda: _count(engine, "sent") == 100, 60, "all reminders sent")
                assert schedulers.stop_all() == [0]
        finally:
            schedulers.kill_all()
    with schedulers.logs_on_failure():
        assert [k for k, n in Counter(receiver.keys()).items() if n > 1] == [slow]
        assert schedulers.not_delivered() == {slow: ["webhook POST failed: ReadTimeout: timed out"]}
        assert _unexplained_repeats(engine, receiver, schedulers) == {}
        assert [d.key for d in receiver.repeats] == [slow]
        assert sorted(receiver.accepted) == sorted(str(i) for i in ids)
        # The receiver says why: the retry came while (or after) it was answering the first,
        # later than the client's one second.
        [why] = [r.getMessage() for r in caplog.records if "again" in r.getMessage()]
        assert why.startswith(f"Idempotency-Key {slow} again: dropped as a repeat (the first came")
        late = re.search(r"and was answered after ([0-9.]+)s", why)
        assert why.endswith("and is still unanswered)") or (late and float(late[1]) >= 1.0), why
        first = receiver.accepted[slow]
        wait_until(lambda: receiver.answer_to(first) is not None, 10, "the late answer")
        answer = receiver.answer_to(first)
        assert answer is not None and answer.seconds >= 2.0


def test_a_scheduler_killed_mid_batch_loses_nothing(pg: tuple[Engine, str], tmp_path: Path) -> None:
    engine, url = pg
    ids = reminder_rows.many_due(engine, NOW, REMINDERS)
    killed, one_at_a_time = threading.Event(), threading.Lock()
    held: list[int] = []

    def holder(reminder_id: int) -> str:
        with Session(engine) as s:
            return s.exec(select(Reminder.claimed_by).where(Reminder.id == reminder_id)).one() or ""

    def kill_the_first_mid_send(delivery: Delivery) -> None:
        """Past 1500 deliveries, SIGKILL scheduler 0 while it waits for this very answer."""
        with one_at_a_time:
            if not killed.is_set() and receiver.count() >= 1500:
                kill_if_sent_by_victim(delivery.body["reminder_id"])

    def kill_if_sent_by_victim(reminder_id: int) -> None:
        pid = schedulers.procs[0].pid
        if f":{pid}:" not in holder(reminder_id):
            return
        os.kill(pid, signal.SIGKILL)
        schedulers.procs[0].wait()
        with Session(engine) as s:  # what it held when it died: the batch in hand
            held.extend(
                s.exec(
                    select(Reminder.id).where(
                        Reminder.status == "claimed",
                        col(Reminder.claimed_by).contains(f":{pid}:"),
                    )
                ).all()
            )
        killed.set()

    clock = Clock(start=NOW)
    with webhook_receiver(now=clock.now, on_delivery=kill_the_first_mid_send) as receiver:
        schedulers = _schedulers(url, receiver, tmp_path, claim_lease_seconds=8)
        try:
            schedulers.start(3)
            wait_until(killed.is_set, 120, "scheduler 0 killed mid-send")
            wait_until(lambda: _count(engine, "sent") == REMINDERS, 120, "all reminders sent")
            statuses = schedulers.stop_all()
        finally:
            schedulers.kill_all()
    assert statuses == [-signal.SIGKILL, 0, 0]
    assert held, "the victim held no claim when it died"
    keys = Counter(receiver.keys())
    assert set(keys) == {str(i) for i in ids}  # none lost
    repeats = {k for k, n in keys.items() if n > 1}
    assert repeats <= {str(i) for i in held}  # only what the victim held can repeat ...
    _every_key_is_its_reminder(receiver)  # ... and a repeat carries the same key
    with Session(engine) as s:
        retaken = s.exec(select(Reminder).where(col(Reminder.id).in_(held))).all()
    assert {r.status for r in retaken} == {"sent"}
    pid = schedulers.procs[0].pid
    assert all(f":{pid}:" not in (r.claimed_by or "") and r.attempts >= 2 for r in retaken)


def test_sigterm_finishes_the_batch_in_hand_and_exits_0(
    pg: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = pg
    reminder_rows.many_due(engine, NOW, 200)
    first, released = threading.Event(), threading.Event()

    def held_until_the_signal(_delivery: Delivery) -> None:
        # Every delivery waits until SIGTERM has been sent (and had a second to land), so the
        # batch in hand is still in hand when the signal arrives, however loaded the machine.
        first.set()
        released.wait(60)

    with webhook_receiver(now=Clock(start=NOW).now, on_delivery=held_until_the_signal) as receiver:
        schedulers = _schedulers(url, receiver, tmp_path, dispatch_batch_size=20)
        try:
            schedulers.start(1)
            wait_until(first.is_set, 60, "the first delivery")
            schedulers.signal(0, signal.SIGTERM)
            threading.Event().wait(1.0)
            released.set()
            assert schedulers.procs[0].wait(timeout=30) == 0
        finally:
            schedulers.kill_all()
    # The batch it had claimed went out and was recorded; it claimed no other.
    assert (_count(engine, "sent"), _count(engine, "claimed"), _count(engine, "pending")) == (
        20, 0, 180,
    )  # fmt: skip
    assert receiver.count() == 20
    assert "stopped cleanly" in schedulers.log(0)
    with engine.connect() as conn:  # and it let go of its connections
        assert conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                 "current_database()")).scalar() == 1  # fmt: skip
