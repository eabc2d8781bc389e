"""The dispatch loop: claim a batch, vet it, send it, write down the outcomes; repeat.

Two short transactions per batch, neither held open while sending: the claim (with the vetting
and the reading of what to say) is committed before the first send, and the outcomes are
written after the last. Memory is bounded by the batch size, never by the backlog.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler import outcome
from scheduler.channels import Channel
from scheduler.claim import claim_batch
from scheduler.notice import Notice, build_notices
from scheduler.sending import Results, send_all
from scheduler.vetting import vet
from workflow.clock import Clock
from workflow.db import unit_of_work
from workflow.models import Reminder
from workflow.settings import Settings

log = logging.getLogger("councilflow.scheduler")

# Stop starting sends when less than this share of the lease is left, so that nothing is
# sent after another worker could have re-claimed it.
LEASE_SAFETY = 0.1


@dataclass
class DispatchCounts:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    cancelled: int = 0
    released: int = 0
    lost: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Batch:
    notices: list[Notice] = field(default_factory=list)
    attempts: dict[int, int] = field(default_factory=dict)
    lease_until: datetime | None = None


def dispatch_due(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    worker_id: str,
    channels: Mapping[str, Channel],
    stop: threading.Event | None = None,
    concurrency: int | None = None,
    council_id: int | None = None,
) -> DispatchCounts:
    """Send every reminder that is due, batch by batch, until none is left or ``stop``.

    ``concurrency`` deliveries are in flight at once (default: the
    ``dispatch_concurrency`` setting); 1 sends strictly in order.
    """
    if concurrency is None:
        concurrency = settings.dispatch_concurrency
    counts = DispatchCounts()
    limit = max(1, settings.dispatch_batch_size)
    safety = timedelta(seconds=settings.claim_lease_seconds * LEASE_SAFETY)
    with ExitStack() as stack:
        pool = None
        if concurrency > 1:
            pool = stack.enter_context(
                ThreadPoolExecutor(concurrency, thread_name_prefix="councilflow-send")
            )
        while stop is None or not stop.is_set():
            taken, batch = _claim(engine, clock, settings, worker_id, limit, counts, council_id)
            if taken == 0:
                break
            assert batch.lease_until is not None
            results = send_all(batch.notices, channels, clock, batch.lease_until - safety, pool)
            _record(engine, clock, settings, worker_id, batch, results, counts)
            if taken < limit:
                break
    return counts


def _claim(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    worker_id: str,
    limit: int,
    counts: DispatchCounts,
    council_id: int | None = None,
) -> tuple[int, _Batch]:
    lease = timedelta(seconds=settings.claim_lease_seconds)
    with unit_of_work(engine) as session:
        now = clock.now()
        ids = claim_batch(
            session, now=now, worker_id=worker_id, lease=lease, limit=limit, council_id=council_id
        )
        if not ids:
            return 0, _Batch()
        rows = list(session.exec(select(Reminder).where(col(Reminder.id).in_(ids))).all())
        verdicts = vet(session, rows, now, settings.max_attempts)
        counts.cancelled += _close(session, verdicts.cancel, "cancelled", worker_id, now)
        counts.dead += _close(session, verdicts.dead, "dead", worker_id, now)
        notices = build_notices(session, verdicts.send, settings)
    counts.claimed += len(ids)
    counts.batches += 1
    batch = _Batch(lease_until=now + lease)
    for r in sorted(verdicts.send, key=lambda r: (r.fire_at, r.id or 0)):
        assert r.id is not None
        batch.notices.append(notices[r.id])
        batch.attempts[r.id] = r.attempts
    return len(ids), batch


def _close(
    session: Session, reasons: dict[int, str], status: str, worker_id: str, now: datetime
) -> int:
    """One update per distinct reason, not per reminder."""
    closed = 0
    for reason in set(reasons.values()):
        ids = [i for i, r in reasons.items() if r == reason]
        closed += outcome.record_closed(session, ids, worker_id, now, status, reason)
    return closed


def _record(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    worker_id: str,
    batch: _Batch,
    results: Results,
    counts: DispatchCounts,
) -> None:
    lost = 0
    with unit_of_work(engine) as session:
        now = clock.now()
        done = outcome.record_sent(session, results.sent, worker_id, now)
        counts.sent += done
        lost += len(results.sent) - done
        for rid, error in results.failed.items():
            status = outcome.record_failure(
                session,
                rid,
                batch.attempts[rid],
                worker_id,
                now,
                error,
                settings,
                permanent=rid in results.refused,
            )
            if status == "dead":
                counts.dead += 1
            elif status == "failed":
                counts.failed += 1
            else:
                lost += 1
        counts.released += outcome.release(session, results.unsent, worker_id, now)
    counts.lost += lost
    if lost:
        # Another worker re-claimed them after our lease ran out: it owns the outcome now.
        log.warning("%s: %d outcomes not recorded: the lease ran out", worker_id, lost)
    for rid, error in results.failed.items():
        log.warning("reminder %s not delivered: %s", rid, error)
