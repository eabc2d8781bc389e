"""One scheduler pass: expiries first, then notices whose date has come, then the purge of
old idempotency records, then every due reminder.

The same function serves the APScheduler job, ``POST /api/v1/admin/tick`` and the tests, so
what an admin triggers by hand is exactly what runs on the timer. Expiry comes first because
expiring a case cancels its pending reminders, which must then not go out.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Engine

from scheduler.channels import Channel, build_channels, close_all
from scheduler.dispatch import dispatch_due
from scheduler.expiry import expire_overdue
from workflow import audit
from workflow.clock import Clock
from workflow.context import Ctx
from workflow.councils.constitution import effective
from workflow.councils.councils import all_councils
from workflow.db import unit_of_work
from workflow.deadlines.notices import refresh_notices_now_published
from workflow.idempotency import purge_idempotency_records
from workflow.models import pk
from workflow.settings import Settings


def new_worker_id() -> str:
    """Unique per process and per start, readable in ``claimed_by``: host, pid, random."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _councils(
    engine: Engine, clock: Clock, settings: Settings, only: int | None
) -> list[tuple[int, Settings]]:
    """Each council the pass works for, with its effective settings."""
    with unit_of_work(engine, write=False) as session:
        return [
            (pk(c.id), effective(settings, c.settings))
            for c in all_councils(Ctx(session, clock, settings))
            if only is None or c.id == only
        ]


def run_tick(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    worker_id: str | None = None,
    *,
    channels: Mapping[str, Channel] | None = None,
    stop: threading.Event | None = None,
    concurrency: int | None = None,
    council_id: int | None = None,
) -> dict[str, Any]:
    """Run one pass and answer what it did.

    ``{"expired": [case ids], "notices_done": [case ids], "checkpoint": id or None,
    "idempotency_purged": count, "claimed", "sent", "failed", "dead", "cancelled", "released",
    "lost", "batches": counts, "worker_id": …}``.
    ``channels`` lets a long-running scheduler keep its connections between passes; without
    it the pass builds and closes its own.
    ``stop`` ends the pass after the batch in hand (SIGTERM). ``concurrency`` is how many
    deliveries are in flight at once (1: strictly in order, as some tests want).

    The pass is system work across councils (issue 10): expiries, notices and checkpoints
    run council by council, each under the council's own settings; reminders are claimed
    from every council at once. ``council_id`` (an admin's pass) limits all of it, reminders
    included, to that council, so the answer says nothing of any other.
    """
    worker_id = worker_id or new_worker_id()
    expired: list[int] = []
    notices_done: list[int] = []
    checkpoint_id = None
    for council, rules in _councils(engine, clock, settings, council_id):
        expired += expire_overdue(engine, clock, rules, council)
        with unit_of_work(engine) as session:
            notices_done += refresh_notices_now_published(Ctx(session, clock, rules, council))
        with unit_of_work(engine) as session:
            checkpoint = audit.checkpoint(Ctx(session, clock, rules, council))
            checkpoint_id = checkpoint.id if checkpoint is not None else checkpoint_id
    with unit_of_work(engine) as session:
        idempotency_purged = purge_idempotency_records(Ctx(session, clock, settings))
    own = channels is None
    chans = build_channels(settings, clock, engine) if channels is None else channels
    try:
        counts = dispatch_due(
            engine, clock, settings, worker_id, chans, stop, concurrency, council_id
        )
    finally:
        if own:
            close_all(chans)
    return {
        "expired": expired,
        "notices_done": notices_done,
        "checkpoint": checkpoint_id,
        "idempotency_purged": idempotency_purged,
        **counts.as_dict(),
        "worker_id": worker_id,
    }
