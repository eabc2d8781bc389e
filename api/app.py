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
from wsgiref.simple_server import WSGIServer

from anyio import to_thread
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from prometheus_client import start_http_server
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp

from api import docs, idempotency, metrics, problems
from api.headers import SecurityHeaders
from api.limits import BodySizeLimit, NulRefusal, RequestGate
from api.metrics import Metrics, MetricsMiddleware
from api.responses import problem_media_type
from api.routes import api_router, health
from api.schema_setup import prepare_database
from api.throttle import Throttle
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


def bootstrap(settings: Settings, clock: Clock, engine: Engine) -> None:
    """The schema at head and the bootstrap admin. ``councilflow serve --workers N`` runs it
    once before starting its workers, so N processes never race to migrate a fresh database;
    each worker's lifespan then finds nothing left to do."""
    refusals = settings.refusals()
    if refusals:
        raise RefusedToStart("; ".join(refusals))
    for name in settings.insecure_defaults():
        log.warning(
            "%s is still the shipped default: set it before anyone else can reach this", name
        )
    prepare_database(engine)
    if settings.admin_token:
        with unit_of_work(engine) as session:
            ensure_admin(Ctx(session, clock, settings), settings.admin_token)


def _bootstrap(app: FastAPI) -> None:
    bootstrap(app.state.settings, app.state.clock, app.state.engine)


def _start_scheduler(app: FastAPI) -> InProcessScheduler | None:
    """The in-process scheduler of ``councilflow serve`` (SPEC §8); tests turn it off."""
    state = app.state
    if not state.settings.run_scheduler_in_serve:
        return None
    scheduler = InProcessScheduler(state.engine, state.clock, state.settings)
    scheduler.start()
    return scheduler


def _start_metrics_listener(app: FastAPI) -> WSGIServer | None:
    """Metrics on an address of their own (``COUNCILFLOW_METRICS_PORT``), without a token:
    what can reach that address is the deployment's to decide (loopback by default)."""
    settings = app.state.settings
    if settings.metrics_port is None:
        return None
    server, _thread = start_http_server(
        settings.metrics_port, addr=settings.metrics_host, registry=app.state.metrics.registry
    )
    log.info("metrics on http://%s:%s/metrics", settings.metrics_host, server.server_port)
    return server


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Metrics first: they must answer even if the database does not (``api/metrics.py``).
    metrics_server = _start_metrics_listener(app)
    # Sync handlers run on AnyIO's worker threads: as many as the pool has room for.
    to_thread.current_default_thread_limiter().total_tokens = app.state.settings.worker_threads
    try:
        await run_in_threadpool(_bootstrap, app)
        scheduler = await run_in_threadpool(_start_scheduler, app)
        try:
            yield
        finally:
            if scheduler is not None:
                # Waits for the batch in hand, so a stop never leaves a reminder half-sent.
                await run_in_threadpool(scheduler.shutdown)
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()


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
        docs_url=None,  # our own page, on our own assets: ``api/docs.py``
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings, app.state.clock, app.state.engine = settings, clock, engine
    app.state.metrics = Metrics(lambda: app.state.engine, settings.metrics_database_timeout_seconds)
    app.state.throttle = Throttle(settings, app.state.metrics.auth_failures)
    # The one pass the scheduler runs, handed to ``POST /admin/tick``: ``api/`` imports
    # ``scheduler/`` here only, to start it and to run it on demand.
    app.state.run_tick = run_tick

    problems.install(app)
    idempotency.install(app)
    app.include_router(api_router(clock_travel=settings.clock_travel))
    app.include_router(health.router)
    if settings.metrics_token:
        app.include_router(metrics.router)
    if settings.api_docs:
        app.include_router(docs.router)
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
    _protect(app, settings)
    return app


def _protect(app: FastAPI, settings: Settings) -> None:
    """The browser protections wrap the whole stack, outside even Starlette's handler of
    unexpected errors (which ``add_middleware`` cannot reach), so every answer has them."""
    build = app.build_middleware_stack

    def protected() -> ASGIApp:
        return SecurityHeaders(build(), settings)

    app.build_middleware_stack = protected  # type: ignore[method-assign]


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
