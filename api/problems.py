"""Every error the API answers, as RFC 9457 problem details, mapped in this one module.

Domain errors carry their own status (``workflow/errors.py``); FastAPI's own errors (invalid
request, unknown route, wrong method) and the database's (a unique key lost in a race, a lock
that did not come, a full pool, a value it cannot store) are translated here too, so a client
only ever parses one error shape and bad input never surfaces as a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from workflow.errors import (
    DomainError,
    InvalidInput,
    TooManyAttempts,
    TransitionRefused,
    Unauthenticated,
)

log = logging.getLogger("councilflow.api")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://councilflow.example/problems/"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    """One problem-details answer. ``slug`` names a CouncilFlow problem type; without one the
    type is ``about:blank`` and the title is the HTTP reason phrase, as RFC 9457 says."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def _field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic error locations as the field a client sent: ``body.report.options.0.label``
    becomes ``report.options.0.label``; query, path and header fields keep their place."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        where = loc[0] if loc and loc[0] in {"body", "query", "path", "header", "cookie"} else None
        rest = loc[1:] if where else loc
        if where == "body" and rest and rest[0].isdigit() and err.get("type") == "json_invalid":
            rest = []  # a JSON syntax error's position is not a field
        field = ".".join(rest) or (where or "body")
        entry = {"field": field, "message": str(err.get("msg", "invalid"))}
        if where and where != "body":
            entry["in"] = where
        out.append(entry)
    return out


async def _domain_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, DomainError)
    extra: dict[str, Any] = {}
    headers: dict[str, str] | None = None
    if isinstance(exc, TransitionRefused):
        extra = {
            "event": exc.event,
            "state": exc.state,
            "allowed_events": exc.allowed_events,
            "guards": [{"name": g.name, "reason": g.reason} for g in exc.guards],
        }
    elif isinstance(exc, InvalidInput):
        extra = {"errors": [{"field": p.field, "message": p.message} for p in exc.problems]}
    elif isinstance(exc, Unauthenticated):
        headers = {"WWW-Authenticate": _bearer_challenge(request)}
    elif isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem(
        exc.status,
        exc.detail,
        slug=exc.type_slug,
        title=exc.title,
        instance=request.url.path,
        headers=headers,
        **extra,
    )


def _bearer_challenge(request: Request) -> str:
    """RFC 6750: no token at all gets a bare challenge; a wrong one says it is invalid."""
    if request.headers.get("authorization"):
        return 'Bearer realm="councilflow", error="invalid_token"'
    return 'Bearer realm="councilflow"'


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc.errors())
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return problem(
        422,
        f"the request is not valid: {names}",
        slug="invalid-input",
        title="Invalid input",
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 400 and request.method in {"POST", "PATCH", "PUT"}:
        # FastAPI's answer to a body it could not even decode (not UTF-8, say): as invalid
        # as malformed JSON, which it answers 422, so it gets the same answer.
        return problem(
            422,
            "the request body could not be read as JSON",
            slug="invalid-input",
            title="Invalid input",
            instance=request.url.path,
            errors=[{"field": "body", "message": detail}],
        )
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"there is nothing at {request.url.path}"
    elif exc.status_code == 405:
        allow = _allowed_methods(request)
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {allow}"
        return problem(405, detail, instance=request.url.path, headers={"Allow": allow})
    elif exc.status_code == 413:
        return problem(
            413,
            detail,
            slug="body-too-large",
            title="Content too large",
            instance=request.url.path,
        )
    return problem(
        exc.status_code,
        detail,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path. (Starlette names only the first route
    that matched the path, but one path here has several routes, one per method.)"""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _integrity_error(request: Request, exc: Exception) -> ProblemResponse:
    """A unique key lost to a concurrent request: the other one won; this one changed nothing."""
    log.info("integrity conflict on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        409,
        "someone else made a conflicting change at the same moment; reload and try again",
        slug="conflict",
        title="Conflict",
        instance=request.url.path,
    )


@dataclass(frozen=True)
class DatabaseProblem:
    """What a database failure means to the caller; the pages show the same on their own
    error page (``api/web/pages.py``), the API as a problem."""

    status: int
    slug: str
    title: str
    detail: str
    headers: dict[str, str] | None = None


UNAVAILABLE = DatabaseProblem(
    503,
    "unavailable",
    "Service unavailable",
    "the database is busy or unavailable; try again shortly",
    {"Retry-After": "2"},
)
BUSY = DatabaseProblem(
    503,
    "busy",
    "Service unavailable",
    "every database connection is in use; try again in a moment",
    {"Retry-After": "1"},
)
UNSTORABLE = DatabaseProblem(
    422,
    "invalid-input",
    "Invalid input",
    "the request holds a value the database cannot store (a NUL character, say)",
)


def database_problem(exc: Exception) -> DatabaseProblem | None:
    """A database failure that is not a bug: the database down or busy, the pool full, or
    a value it refuses (PostgreSQL's DataError on a NUL byte, issue 14, item 6)."""
    if isinstance(exc, PoolTimeout):
        return BUSY
    if isinstance(exc, OperationalError):
        return UNAVAILABLE
    if isinstance(exc, DataError):
        return UNSTORABLE
    return None


async def _database_error(request: Request, exc: Exception) -> ProblemResponse:
    found = database_problem(exc)
    assert found is not None
    log.warning("database refused %s %s: %s", request.method, request.url.path, exc)
    return problem(
        found.status,
        found.detail,
        slug=found.slug,
        title=found.title,
        instance=request.url.path,
        headers=found.headers,
    )


async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "something went wrong on our side; it has been logged",
        slug="internal-error",
        title="Internal server error",
        instance=request.url.path,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(DataError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected)
