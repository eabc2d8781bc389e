"""``Idempotency-Key`` on every POST: a repeat answers the first result and changes nothing.

A client that lost the answer to a POST (a dropped connection, a timeout) sends it again with
the same key. The first successful answer is stored in ``idempotency_records`` *in the same
transaction as the effect*, so either both are committed or neither is; a repeat by the same
user with the same key and the same request (method, path, body, ``If-Match`` and
``Content-Type``) gets that answer back (status, body, ETag); a repeat with a different request
is refused, so a changed or malformed repeat is never mistaken for the first. Answers that
failed are not stored: they changed nothing, so sending them again simply tries again.

Two identical requests racing each other both pass the look-up; the unique key
``(user_id, key)`` lets only one commit, and the other becomes a 409 problem (see
``api/problems.py``) whose retry is then a replay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from api.deps import CtxDep, CurrentUser
from workflow.errors import FieldProblem, InvalidInput
from workflow.models import IdempotencyRecord, pk

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("content-type", "etag", "location")


@dataclass
class Pending:
    """A keyed POST in flight, to be recorded if it succeeds."""

    session: Session
    user_id: int
    key: str
    method: str
    path: str
    request_hash: str


class Replay(Exception):
    """Raised before the route runs when the key was seen: answer the stored result.

    It carries a copy, not the row: the session rolls back (and expires the row) before
    the handler renders the answer."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__(record.key)
        self.status_code = record.status_code
        self.body = record.response_body
        self.headers = dict(record.response_headers)


# Headers that change what a request means; a repeat must carry the same ones to be replayed.
MEANINGFUL_HEADERS = ("content-type", "if-match")


def _fingerprint(request: Request, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{request.method} {path}\n".encode())
    for name in MEANINGFUL_HEADERS:
        digest.update(f"{name}: {request.headers.get(name, '')}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _find(session: Session, user_id: int, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    ).first()


async def idempotency(
    request: Request,
    ctx: CtxDep,
    user: CurrentUser,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=200,
            description="Send the same key again to get the first answer back, changing nothing.",
        ),
    ] = None,
) -> None:
    if idempotency_key is None:
        return
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    digest = _fingerprint(request, path, await request.body())
    record = await run_in_threadpool(_find, ctx.session, pk(user.id), idempotency_key)
    if record is not None:
        if record.request_hash != digest:
            raise InvalidInput(
                f"the {HEADER} {idempotency_key!r} was already used for a different request",
                [FieldProblem(HEADER, "already used with another method, path, If-Match or body")],
            )
        raise Replay(record)
    request.state.idempotency = Pending(
        ctx.session, pk(user.id), idempotency_key, request.method, path, digest
    )


def _store(pending: Pending, response: Response, now: Any) -> None:
    headers = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
    pending.session.add(
        IdempotencyRecord(
            user_id=pending.user_id,
            key=pending.key,
            method=pending.method,
            path=pending.path,
            request_hash=pending.request_hash,
            status_code=response.status_code,
            response_body=bytes(response.body).decode(),
            response_headers=headers,
            created_at=now,
        )
    )
    pending.session.flush()


class IdempotentRoute(APIRoute):
    """Every POST route takes the ``Idempotency-Key`` header and records its first success.

    The record is written in the route handler, after the answer is rendered and before the
    session dependency commits, so it lands in the effect's own transaction.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in (kwargs.get("methods") or ()):
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()), Depends(idempotency)]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def recording_handler(request: Request) -> Response:
            response = await handler(request)
            pending: Pending | None = getattr(request.state, "idempotency", None)
            if pending is not None and 200 <= response.status_code < 300:
                now = request.app.state.clock.now()
                await run_in_threadpool(_store, pending, response, now)
            return response

        return recording_handler


async def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    headers = {k: v for k, v in exc.headers.items() if k != "content-type"}
    headers[REPLAYED_HEADER] = "true"
    return Response(
        content=exc.body,
        status_code=exc.status_code,
        headers=headers,
        media_type=exc.headers.get("content-type", "application/json"),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(Replay, _replay)
