"""Users: an admin creates them (the token is shown once), and deactivates or reactivates
them; anyone reads themself."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Id
from api.responses import AUTH, WRITE, problems
from workflow.people.read import UserCreated, UserOut
from workflow.people.users import create_user, set_active
from workflow.schemas import UserIn

router = APIRouter(prefix=API_PREFIX, tags=["users"], route_class=IdempotentRoute)


@router.post(
    "/users",
    status_code=201,
    response_model=UserCreated,
    responses=problems(*WRITE, 409),
    summary="Create a user (admin)",
)
def post_user(data: UserIn, ctx: CtxDep, actor: CurrentUser) -> UserCreated:
    """The answer carries the user's bearer token. It is stored only as a hash, so this is
    the one time anyone sees it: hand it to the person, or create them again."""
    user, token = create_user(ctx, data, actor)
    return UserCreated.with_token(user, token)


@router.get("/me", response_model=UserOut, responses=problems(*AUTH), summary="The caller")
def get_me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserOut,
    responses=problems(*WRITE, 404, 409),
    summary="Deactivate a user (admin)",
)
def post_deactivate(user_id: Id, ctx: CtxDep, admin: AdminUser) -> UserOut:
    """At once, the person's token, calendar key and web sessions stop working, and nobody
    can name them delegate or consultee. What they did stays in the record. Audited."""
    return UserOut.of(set_active(ctx, user_id, False, admin))


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserOut,
    responses=problems(*WRITE, 404),
    summary="Reactivate a user (admin)",
)
def post_reactivate(user_id: Id, ctx: CtxDep, admin: AdminUser) -> UserOut:
    """The person's token works again; they sign in to the pages afresh. Audited."""
    return UserOut.of(set_active(ctx, user_id, True, admin))
