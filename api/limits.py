"""Refuse request bodies over ``settings.max_body_bytes`` with a 413 problem, and addresses
holding a NUL character with a 422; and admit no more requests at once than there are worker
threads (``RequestGate``).

A declared ``Content-Length`` over the limit is refused before the app reads a byte. A body
sent without one (chunked) is counted as it streams in, and refused the moment it passes the
limit, so no caller can make the service buffer more than the limit whatever it declares.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import READ_METHODS
from api.params import API_PREFIX
from api.problems import problem
from api.web.pages import error_page


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Raised where nothing turned it into an answer (e.g. a route reading the stream).
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            f"the request body is larger than {self.limit} bytes",
            slug="body-too-large",
            title="Content too large",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# Paths outside the API prefix that machines call and the OpenAPI schema documents: they answer
# problem details, not the pages' HTML error page.
MACHINE_PATHS = frozenset({"/healthz"})


class NulRefusal:
    """Refuse a NUL character anywhere in the path or query string with a 422.

    PostgreSQL cannot store or even compare a string holding NUL (``?q=%00`` raised a
    DataError, issue 14, item 6), and no name, title or id ever holds one, so it is refused
    at the door on both databases alike: a problem for the API, the error page for the pages.
    Bodies are the input schemas' to refuse.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _holds_nul(scope):
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        detail = "the address holds a NUL character, which no value may contain"
        response: Response
        if path.startswith(API_PREFIX) or path in MACHINE_PATHS:
            response = problem(
                422,
                detail,
                slug="invalid-input",
                title="Invalid input",
                instance=path.replace("\x00", "%00"),
                errors=_nul_errors(scope),
            )
        else:
            request = Request(scope)
            response = error_page(request, 422, "Sorry, that address is not valid", detail)
        await response(scope, receive, send)


def _nul_errors(scope: Scope) -> list[dict[str, str]]:
    """Name each query parameter that holds a NUL, as FastAPI names a bad query value."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    names = [name for name, value in parse_qsl(query, keep_blank_values=True) if "\x00" in value]
    errors = [{"field": name, "in": "query", "message": "NUL is not allowed"} for name in names]
    if "\x00" in str(scope.get("path", "")) or not errors:
        errors.append({"field": "path", "in": "path", "message": "NUL is not allowed"})
    return errors


def _holds_nul(scope: Scope) -> bool:
    query = bytes(scope.get("query_string", b"")).lower()
    return "\x00" in str(scope.get("path", "")) or b"%00" in query or b"\x00" in query


class RequestGate:
    """At most ``limit`` requests in flight at once, and on SQLite at most ``writes`` of
    them writing; the rest wait their turn here, on the event loop, holding nothing.

    Why (issue 14, item 1): FastAPI runs each sync dependency and the route on the thread
    pool separately, so a request gives its worker thread back between steps while still
    holding its database connection. Bounding threads therefore did not bound connections:
    200 concurrent readers checked out the whole pool and the rest timed out. With no more
    requests in flight than there are worker threads, and a pool with room for all of them
    (``Settings`` checks), no request waits for a connection. And since SQLite takes one
    writer at a time anyway, writers queue here rather than in SQLite's busy handler, where a
    long queue ran past the busy timeout and failed.
    """

    def __init__(self, app: ASGIApp, limit: int, writes: int | None) -> None:
        self.app = app
        self.limit = limit
        self.writes = writes
        # asyncio's semaphores belong to one event loop; a test client may start several.
        self._gates: dict[int, tuple[anyio.Semaphore, anyio.Semaphore | None]] = {}

    def _gates_here(self) -> tuple[anyio.Semaphore, anyio.Semaphore | None]:
        loop = id(asyncio.get_running_loop())
        if loop not in self._gates:
            writes = anyio.Semaphore(self.writes) if self.writes else None
            self._gates = {loop: (anyio.Semaphore(self.limit), writes)}
        return self._gates[loop]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        requests, writes = self._gates_here()
        if writes is not None and scope.get("method") not in READ_METHODS:
            async with writes, requests:
                await self.app(scope, receive, send)
            return
        async with requests:
            await self.app(scope, receive, send)
