"""The routes of HTTP API v1 (SPEC §7), one module per resource, gathered in ``api_router``."""

from __future__ import annotations

from fastapi import APIRouter

from api.idempotency import IdempotentRoute
from api.routes import (
    admin,
    agreements,
    calendar,
    cases,
    council_reports,
    councils,
    duties,
    events,
    identity_providers,
    machine,
    notices,
    records,
    tokens,
    users,
)


def api_router(clock_travel: bool) -> APIRouter:
    """Everything under ``/api/v1``; the clock route only when clock travel is configured.

    Each module's router carries the full prefix itself, so a route's own ``path`` is the
    template clients see (the metrics label requests by it)."""
    router = APIRouter(route_class=IdempotentRoute)
    modules = [users, agreements, cases, events, notices, records, council_reports, duties]
    modules += [machine, calendar, admin, councils, identity_providers, tokens]
    for module in modules:
        router.include_router(module.router)
    if clock_travel:
        router.include_router(admin.clock_router)
    return router
