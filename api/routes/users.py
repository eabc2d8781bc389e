"""Users: an admin creates them (the token is shown once); anyone reads themself."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, WRITE, problems
from workflow.people.read import UserCreated, UserOut
from workflow.people.users import create_user
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
