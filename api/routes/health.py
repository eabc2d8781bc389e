"""Liveness and readiness, outside ``/api/v1`` where orchestrators expect them, and without
authentication (they reveal no case content). Metrics are ``api/metrics.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.problems import problem
from api.responses import problems
from api.schemas import HealthOut

router = APIRouter(tags=["operations"])


def _database_ok(request: Request) -> bool:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False


def _health(request: Request, ready: bool) -> Any:
    now = request.app.state.clock.now()
    if not ready:
        return {"status": "ok", "now": now}
    if not _database_ok(request):
        return problem(503, "the database does not answer", slug="not-ready", title="Not ready")
    return {"status": "ok", "database": "ok", "now": now}


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses=problems(422, 503),
    summary="Liveness; with ?ready=1, readiness (the database answers)",
)
def healthz(request: Request, ready: Annotated[bool, Query()] = False) -> Any:
    return _health(request, ready)


@router.get(
    "/healthz/ready",
    response_model=HealthOut,
    responses=problems(503),
    summary="Readiness: the database answers",
)
def healthz_ready(request: Request) -> Any:
    return _health(request, True)
