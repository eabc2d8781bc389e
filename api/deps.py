"""What a route needs, as ``Annotated`` aliases (the pattern of FastAPI's full-stack template).

The session is the request's unit of work. It is a ``yield`` dependency with
``scope="function"``: FastAPI runs its exit code after the route (and the response model's
serialisation) but *before* the response is sent, so the commit happens while the client is
still waiting. A commit that fails raises from here into the exception handlers and the
client gets a problem answer instead of a 2xx for a write that was lost. (The default scope
for ``yield`` dependencies, ``"request"``, would commit after the answer had gone.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.throttle import throttle_of
from workflow.context import Ctx
from workflow.councils.councils import enter_as
from workflow.db import unit_of_work
from workflow.errors import Forbidden
from workflow.models import NO_COUNCIL, Role, User
from workflow.people.tokens import authenticate_token, is_personal_token
from workflow.people.users import authenticate, user_for_calendar_key
from workflow.text import ONE_LINE

# Requests by these methods only read (RFC 9110 §9.2.1, safe methods): their unit of work is
# ``write=False``. Every other method may write and takes the write lock up front.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    # The domain's own unit of work: commit at the end, roll back on any exception, the
    # commit's own failure included (a COMMIT that fails on SQLite leaves its transaction
    # open, and without the rollback the pooled connection would carry it to the next user).
    # A GET only reads: on SQLite it must not queue for the write lock (issue 14, item 1).
    # Tenant work (issue 10): on PostgreSQL the transaction sees no council's rows until the
    # caller's council is entered (``current_user``).
    write = request.method not in READ_METHODS
    with unit_of_work(request.app.state.engine, write=write, tenant=True) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_ctx(request: Request, session: SessionDep) -> Ctx:
    """No council until someone signs in: every scope then filters everything out."""
    return Ctx(session, request.app.state.clock, request.app.state.settings, NO_COUNCIL)


CtxDep = Annotated[Ctx, Depends(get_ctx)]

bearer = HTTPBearer(
    auto_error=False,
    description="The token shown once when the user was created (or COUNCILFLOW_ADMIN_TOKEN).",
)


def current_user(
    request: Request,
    ctx: CtxDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        return authenticate(ctx, None)  # no token is no guess: 401, not counted
    token = credentials.credentials
    if is_personal_token(token):  # a personal access token (issue 10, part 4)
        user = throttle_of(request).guard(
            request, "bearer token", lambda: authenticate_token(ctx, token, request.method)
        )
    else:
        user = throttle_of(request).guard(request, "bearer token", lambda: authenticate(ctx, token))
    return enter_as(ctx, user)  # from here on the request is the person's council's


CurrentUser = Annotated[User, Depends(current_user)]


def calendar_reader(
    request: Request,
    ctx: CtxDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[
        str | None,
        Query(
            max_length=60,
            description="The caller's calendar key (from the Calendar page), for calendar "
            "apps that cannot send a bearer token; it can read this feed and nothing else.",
        ),
        ONE_LINE,
    ] = None,
) -> User:
    if credentials is None and key:
        account, _, _ = key.partition("-")
        reader = throttle_of(request).guard(
            request,
            "calendar key",
            lambda: user_for_calendar_key(ctx, key),
            account=account if account.isascii() and account.isdigit() else None,
        )
        return enter_as(ctx, reader)
    return current_user(request, ctx, credentials)


CalendarReader = Annotated[User, Depends(calendar_reader)]


def admin_user(user: CurrentUser) -> User:
    if not user.has_role(Role.admin):
        raise Forbidden("this needs the admin role")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


def platform_operator(user: CurrentUser) -> User:
    if not user.has_role(Role.platform_operator):
        raise Forbidden("this needs the platform operator role")
    return user


OperatorUser = Annotated[User, Depends(platform_operator)]
