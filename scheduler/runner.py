"""Running the dispatcher on a timer: inside ``councilflow serve`` or as ``councilflow scheduler``.

APScheduler settings, each for a reason: a memory job store, because the reminders table is
the shared state and a shared job store would make several schedulers fight over one job; one
job with a fixed id and ``replace_existing``, so a restart never duplicates it; ``coalesce``
and no misfire limit, so a late or missed wake-up (a long pass, a suspended VM) runs once, not
in a burst and not never; and the first run at start, which is the catch-up after downtime.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from scheduler.job import JOB_ID, DispatchJob
from workflow.clock import Clock
from workflow.db import make_engine
from workflow.settings import Settings

log = logging.getLogger("councilflow.scheduler")


def _options() -> dict[str, Any]:
    return {
        "timezone": UTC,
        "jobstores": {"default": MemoryJobStore()},
        "executors": {"default": ThreadPoolExecutor(max_workers=1)},
        "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    }


def _add_dispatch(scheduler: BaseScheduler, job: DispatchJob, settings: Settings) -> None:
    scheduler.add_job(
        job,
        trigger=IntervalTrigger(seconds=settings.dispatch_interval_seconds, timezone=UTC),
        id=JOB_ID,
        name="deliver due reminders and expire ended cases",
        replace_existing=True,
        next_run_time=datetime.now(UTC),  # catch up at once after downtime
    )


class InProcessScheduler:
    """The scheduler inside ``councilflow serve``: start it in the app's lifespan, shut it
    down on the way out (which waits for the batch in hand)."""

    def __init__(
        self, engine: Engine, clock: Clock, settings: Settings, worker_id: str | None = None
    ) -> None:
        self.job = DispatchJob(engine, clock, settings, worker_id)
        self.settings = settings
        self.scheduler = BackgroundScheduler(**_options())

    @property
    def worker_id(self) -> str:
        return self.job.worker_id

    def start(self) -> None:
        quiet_logs()
        _add_dispatch(self.scheduler, self.job, self.settings)
        self.scheduler.start()
        log.info("scheduler %s started in-process", self.worker_id)

    def shutdown(self) -> None:
        self.job.stop.set()
        if self.scheduler.state != STATE_STOPPED:
            self.scheduler.shutdown(wait=True)
        self.job.finish()
        log.info("scheduler %s stopped", self.worker_id)


class _DrainingIsNotAMisfire(logging.Filter):
    """While a pass drains a backlog, the interval's wake-ups find it still running and are
    skipped: that is the design (``max_instances=1``), not a problem worth a warning each."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def quiet_logs() -> None:
    """One line per pass that did something, not one per wake-up or per HTTP request."""
    logging.getLogger("apscheduler.scheduler").addFilter(_DrainingIsNotAMisfire())
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_forever(settings: Settings) -> int:
    """``councilflow scheduler``: run until SIGTERM or SIGINT, then finish the batch in hand
    and answer exit status 0."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    quiet_logs()
    for name in settings.insecure_defaults():
        log.warning(
            "%s is still the shipped default: set it before anyone else can reach this", name
        )
    engine = make_engine(settings.database_url)
    job = DispatchJob(engine, Clock(start=settings.now), settings)
    scheduler = BlockingScheduler(**_options())

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: %s received; finishing the batch in hand", job.worker_id, signum)
        job.stop.set()
        if scheduler.state != STATE_STOPPED:
            # Not waiting here: the handler runs on the main thread, inside the scheduler's
            # loop; the wait for the running pass happens below, once the loop has returned.
            scheduler.shutdown(wait=False)

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        _add_dispatch(scheduler, job, settings)
        log.info("scheduler %s started against %s", job.worker_id, engine.url.render_as_string())
        scheduler.start()  # blocks until _stop
    finally:
        job.finish()
        engine.dispose()
        for s, handler in previous.items():
            signal.signal(s, handler)
    log.info("%s: stopped cleanly", job.worker_id)
    return 0
