"""The dispatcher job APScheduler runs: one ``run_tick`` at a time, stoppable between batches.

APScheduler only wakes this job; the reminders table holds all the state, so the job store is
in memory and never shared. A failing pass (the database restarting, say) is logged and the
next wake-up simply tries again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

from scheduler.channels import build_channels, close_all
from scheduler.tick import new_worker_id, run_tick
from workflow.clock import Clock
from workflow.settings import Settings

log = logging.getLogger("councilflow.scheduler")

JOB_ID = "councilflow-dispatch"


class DispatchJob:
    def __init__(
        self, engine: Engine, clock: Clock, settings: Settings, worker_id: str | None = None
    ) -> None:
        self.engine, self.clock, self.settings = engine, clock, settings
        self.worker_id = worker_id or new_worker_id()
        self.stop = threading.Event()
        self.busy = threading.Lock()
        self.channels = build_channels(settings, clock, engine)
        self.last: dict[str, Any] | None = None

    def __call__(self) -> None:
        with self.busy:
            if self.stop.is_set():  # checked under the lock: ``finish`` may have closed up
                return
            try:
                self.last = run_tick(
                    self.engine,
                    self.clock,
                    self.settings,
                    self.worker_id,
                    channels=self.channels,
                    stop=self.stop,
                )
            except Exception:
                log.exception("%s: scheduler pass failed; will try again", self.worker_id)
                return
        done = {k: v for k, v in self.last.items() if v and k not in ("worker_id", "batches")}
        if done:
            log.info("%s: %s", self.worker_id, done)

    def finish(self) -> None:
        """Stop after the batch in hand, wait for it, then close the channels."""
        self.stop.set()
        with self.busy:
            close_all(self.channels)
