"""Identity providers: the OpenID Providers people sign in through (issue 10, part 3).

Admins list and add them (the command line also removes them); the client secret goes in and
never comes out."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, CtxDep
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, WRITE, problems
from workflow.people.identity import (
    IdentityProviderOut,
    add_provider,
    list_providers,
)
from workflow.schemas import IdentityProviderIn

router = APIRouter(prefix=API_PREFIX, tags=["identity providers"], route_class=IdempotentRoute)


@router.get(
    "/identity-providers",
    response_model=list[IdentityProviderOut],
    responses=problems(*AUTH, 403),
    summary="The identity providers (admin)",
)
def get_identity_providers(ctx: CtxDep, admin: AdminUser) -> list[IdentityProviderOut]:
    return [IdentityProviderOut.of(p) for p in list_providers(ctx)]


@router.post(
    "/identity-providers",
    status_code=201,
    response_model=IdentityProviderOut,
    responses=problems(*WRITE, 409),
    summary="Add an identity provider (admin)",
)
def post_identity_provider(
    data: IdentityProviderIn, ctx: CtxDep, admin: AdminUser
) -> IdentityProviderOut:
    """From then on the sign-in page offers "Sign in with <name>", and the pasted-token
    sign-in of the pages is off (unless ``COUNCILFLOW_TOKEN_SIGN_IN`` is set). Audited."""
    return IdentityProviderOut.of(add_provider(ctx, data, admin))
