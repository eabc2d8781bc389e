"""The FastAPI application: HTTP API v1, the web pages, health and metrics, in one process.

``create_app`` takes its engine, clock and settings from the caller (tests pass their own) or
builds them from ``COUNCILFLOW_*`` (``councilflow serve``). The lifespan brings the database
to the current schema, ensures the bootstrap admin, and starts the in-process scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from api import idempotency, problems
from api.limits import BodySizeLimit, NulRefusal, RequestGate
from api.metrics import Metrics, MetricsMiddleware
from api.responses import problem_media_type
from api.routes import api_router, health
from api.schema_setup import prepare_database
from api.web import router as web_router
from scheduler.runner import InProcessScheduler
from scheduler.tick import run_tick
from workflow.clock import Clock
from workflow.context import Ctx
from workflow.db import make_engine, pool_options, unit_of_work
from workflow.people.users import ensure_admin
from workflow.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("councilflow.api")

DESCRIPTION = """Contract extensions and SLA refreshes through Cabinet, delegated sign-off,
activity and expiry, with the deadlines and reminders on the way (SPEC §7).

Every request carries `Authorization: Bearer <token>`. Errors are RFC 9457 problem details.
Every POST takes an `Idempotency-Key`; case answers carry an `ETag` that `If-Match` checks."""


class RefusedToStart(RuntimeError):
    """A setting that makes serving unsafe (``Settings.refusals``): start-up stops here."""


def _bootstrap(app: FastAPI) -> None:
    state = app.state
    refusals = state.settings.refusals()
    if refusals:
        raise RefusedToStart("; ".join(refusals))
    for name in state.settings.insecure_defaults():
        log.warning(
            "%s is still the shipped default: set it before anyone else can reach this", name
        )
    prepare_database(state.engine)
    if state.settings.admin_token:
        with unit_of_work(state.engine) as session:
            ensure_admin(Ctx(session, state.clock, state.settings), state.settings.admin_token)


def _start_scheduler(app: FastAPI) -> InProcessScheduler | None:
    """The in-process scheduler of ``councilflow serve`` (SPEC §8); tests turn it off."""
    state = app.state
    if not state.settings.run_scheduler_in_serve:
        return None
    scheduler = InProcessScheduler(state.engine, state.clock, state.settings)
    scheduler.start()
    return scheduler


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Sync handlers run on AnyIO's worker threads: as many as the pool has room for.
    to_thread.current_default_thread_limiter().total_tokens = app.state.settings.worker_threads
    await run_in_threadpool(_bootstrap, app)
    scheduler = await run_in_threadpool(_start_scheduler, app)
    try:
        yield
    finally:
        if scheduler is not None:
            # Waits for the batch in hand, so a stop never leaves a reminder half-sent.
            await run_in_threadpool(scheduler.shutdown)


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, engine: Engine | None = None
) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or Clock(start=settings.now)
    engine = engine or make_engine(settings.database_url, **pool_options(settings))
    app = FastAPI(
        title="CouncilFlow",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings, app.state.clock, app.state.engine = settings, clock, engine
    app.state.metrics = Metrics(lambda: app.state.engine)
    # The one pass the scheduler runs, handed to ``POST /admin/tick``: ``api/`` imports
    # ``scheduler/`` here only, to start it and to run it on demand.
    app.state.run_tick = run_tick

    problems.install(app)
    idempotency.install(app)
    app.include_router(api_router(clock_travel=settings.clock_travel))
    app.include_router(health.router)
    _include_web(app, settings)

    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(NulRefusal)
    sqlite = engine.dialect.name == "sqlite"
    app.add_middleware(
        RequestGate,
        limit=settings.worker_threads,
        writes=settings.sqlite_concurrent_writes if sqlite else None,
    )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _include_web(app: FastAPI, settings: Settings) -> None:
    app.include_router(web_router)
    static = Path(settings.static_dir) if settings.static_dir else STATIC
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        app.openapi_schema = problem_media_type(schema)
    return app.openapi_schema
