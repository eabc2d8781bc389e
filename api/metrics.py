"""Prometheus metrics for ``GET /metrics``.

Requests and latencies are counted in this process, labelled by the route *template*
(``/api/v1/cases/{case_id}``), never the raw path, so the number of series stays bounded.
Transitions and reminders are read from the database at scrape time: the scheduler may run in
another process, and only the database knows what every process did, so the figures are the
same whichever API process answers the scrape.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.lifecycle.machine import EVENTS
from workflow.models import AuditEvent
from workflow.reminders.counts import reminders_by_status


class DatabaseCollector(Collector):
    """Transitions by event and reminders by status, counted in the database per scrape."""

    def __init__(self, engine_of: Callable[[], Engine]) -> None:
        self.engine_of = engine_of

    def collect(self) -> Iterator[Metric]:
        transitions = CounterMetricFamily(
            "councilflow_transitions",
            "State-machine transitions recorded in the audit trail, by event.",
            labels=["event"],
        )
        reminders = GaugeMetricFamily(
            "councilflow_reminders", "Reminders in the database, by status.", labels=["status"]
        )
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
        for event in EVENTS:
            transitions.add_metric([event], by_event.get(event, 0))
        for status, count in sorted(by_status.items()):
            reminders.add_metric([status], count)
        yield transitions
        yield reminders


class Metrics:
    """One registry per app, so several apps in one test process never share series."""

    def __init__(self, engine_of: Callable[[], Engine]) -> None:
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
        self.registry.register(DatabaseCollector(engine_of))


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
