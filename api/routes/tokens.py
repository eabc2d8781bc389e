"""Personal access tokens (issue 10, part 4): each person makes, lists and revokes their own;
an admin may list anyone's and revoke any. The token itself is answered once, at creation."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Id
from api.responses import AUTH, WRITE, problems
from workflow.people.tokens import TokenCreated, TokenOut, create_token, list_tokens, revoke_token
from workflow.people.users import get_user
from workflow.schemas import TokenIn

router = APIRouter(prefix=API_PREFIX, tags=["tokens"], route_class=IdempotentRoute)


@router.get(
    "/tokens",
    response_model=list[TokenOut],
    responses=problems(*AUTH, 403),
    summary="The caller's personal access tokens",
)
def get_tokens(ctx: CtxDep, user: CurrentUser) -> list[TokenOut]:
    return [TokenOut.of(t) for t in list_tokens(ctx, user)]


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    responses=problems(*WRITE),
    summary="Make a personal access token",
)
def post_token(data: TokenIn, ctx: CtxDep, user: CurrentUser) -> TokenCreated:
    """The answer carries the token (``cfpat_…``). It is stored only as a hash, so this is the
    one time anyone sees it. A ``read`` token may only GET. Audited."""
    return create_token(ctx, user, data)


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=TokenOut,
    responses=problems(*WRITE, 404),
    summary="Revoke a personal access token (its owner or an admin)",
)
def post_revoke(token_id: Id, ctx: CtxDep, user: CurrentUser) -> TokenOut:
    """From now on the token is refused (401). Anyone else's token is a 404. Audited."""
    return TokenOut.of(revoke_token(ctx, token_id, user))


@router.get(
    "/users/{user_id}/tokens",
    response_model=list[TokenOut],
    responses=problems(*AUTH, 403, 404),
    summary="A person's personal access tokens (admin)",
)
def get_user_tokens(user_id: Id, ctx: CtxDep, admin: AdminUser) -> list[TokenOut]:
    owner = get_user(ctx, user_id)
    return [TokenOut.of(t) for t in list_tokens(ctx, admin, owner.id)]
