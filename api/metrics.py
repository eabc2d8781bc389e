"""Prometheus metrics for ``GET /metrics``, and who may read them.

Requests and latencies are counted in this process, labelled by the route *template*
(``/api/v1/cases/{case_id}``), never the raw path, so the number of series stays bounded.
Transitions and reminders are read from the database at scrape time: the scheduler may run in
another process, and only the database knows what every process did, so the figures are the
same whichever API process answers the scrape.

The metrics must not need the database: they matter most when it is down, and the request and
error counters are this process's own. So the database's figures are best-effort: each scrape
waits at most ``settings.metrics_database_timeout_seconds`` for them, and without them it says
``councilflow_database_up 0`` and leaves them out, while everything else is served as usual.

Who may read them (issue 13): on the public port only with ``settings.metrics_token`` as a
bearer token, and with no token configured the route does not exist there (404). A listener of
their own at ``settings.metrics_host:metrics_port`` (loopback by default) serves them without a
token, for a scraper on the same host or network segment.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.responses import AUTH, problems
from api.throttle import throttle_of
from workflow.errors import Unauthenticated
from workflow.lifecycle.machine import EVENTS
from workflow.models import AuditEvent
from workflow.reminders.counts import reminders_by_status

log = logging.getLogger("councilflow.api")
Counts = tuple[dict[str, int], dict[str, int]]


class DatabaseCollector(Collector):
    """Transitions by event and reminders by status, counted in the database per scrape, within
    a time budget. The count runs in a thread of its own: one that outlives its scrape (a
    database that accepts connections but never answers) is waited on again by the next scrape
    rather than joined by a second."""

    def __init__(self, engine_of: Callable[[], Engine], timeout_seconds: float) -> None:
        self.engine_of = engine_of
        self.timeout = timeout_seconds
        self._lock = threading.Lock()
        self._pending: Future[Counts] | None = None

    def _count(self) -> Counts:
        with Session(self.engine_of()) as session:
            by_event = dict(
                session.exec(
                    select(AuditEvent.event, func.count())
                    .where(col(AuditEvent.event).in_(list(EVENTS)))
                    .group_by(AuditEvent.event)
                ).all()
            )
            by_status = reminders_by_status(session)
            session.rollback()
        return by_event, by_status

    def _start(self) -> Future[Counts]:
        future: Future[Counts] = Future()

        def run() -> None:
            try:
                future.set_result(self._count())
            except BaseException as exc:  # handed to the scrape that waits on it
                future.set_exception(exc)

        # A daemon thread: a count stuck on a dead connection must not hold up shutdown.
        threading.Thread(target=run, name="metrics-database", daemon=True).start()
        return future

    def _counts(self) -> Counts | None:
        with self._lock:
            if self._pending is None or self._pending.done():
                self._pending = self._start()
            pending = self._pending
        try:
            return pending.result(timeout=self.timeout)
        except FutureTimeout:
            log.warning("metrics: the database did not answer in %ss", self.timeout)
        except Exception as exc:  # whatever the database says, the scrape goes on without it
            log.warning("metrics: the database is unavailable: %s: %s", type(exc).__name__, exc)
        return None

    def collect(self) -> Iterator[Metric]:
        counts = self._counts()
        up = GaugeMetricFamily(
            "councilflow_database_up",
            "1 when the database answered this scrape's counts in time; 0 leaves them out.",
        )
        up.add_metric([], 0 if counts is None else 1)
        yield up
        if counts is None:
            return
        by_event, by_status = counts
        transitions = CounterMetricFamily(
            "councilflow_transitions",
            "State-machine transitions recorded in the audit trail, by event.",
            labels=["event"],
        )
        reminders = GaugeMetricFamily(
            "councilflow_reminders", "Reminders in the database, by status.", labels=["status"]
        )
        for event in EVENTS:
            transitions.add_metric([event], by_event.get(event, 0))
        for status, count in sorted(by_status.items()):
            reminders.add_metric([status], count)
        yield transitions
        yield reminders


class Metrics:
    """One registry per app, so several apps in one test process never share series."""

    def __init__(self, engine_of: Callable[[], Engine], database_timeout_seconds: float) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "councilflow_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "councilflow_http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "councilflow_auth_failures",
            "Failed sign-ins, bearer tokens, calendar keys and metrics tokens, by kind; outcome "
            "refused (checked and wrong) or throttled (past the limits, not checked).",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector(engine_of, database_timeout_seconds))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


router = APIRouter(tags=["operations"])
metrics_bearer = HTTPBearer(
    auto_error=False, scheme_name="MetricsToken", description="COUNCILFLOW_METRICS_TOKEN"
)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **problems(*AUTH),
    },
    summary="Prometheus metrics (with COUNCILFLOW_METRICS_TOKEN)",
)
def metrics(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)],
) -> Response:
    """Mounted only when a metrics token is configured; reads nothing from the request's own
    unit of work, so it answers while the database is down."""
    expected: str = request.app.state.settings.metrics_token
    if credentials is None:
        raise Unauthenticated("the metrics token is required")
    sent = credentials.credentials

    def check() -> None:
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Unauthenticated("the metrics token is not recognised")

    throttle_of(request).guard(request, "metrics token", check)
    body = request.app.state.metrics.exposition()
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)
