"""Councils (SPEC §9, issue 10): the platform operator creates them; each person sees and an
admin sets their own council's constitution settings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import AdminUser, CtxDep, CurrentUser, OperatorUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, WRITE, problems
from workflow.context import Ctx
from workflow.councils.constitution import CONSTITUTION, effective
from workflow.councils.councils import create_council, get_council, set_constitution
from workflow.councils.read import ConstitutionOut, CouncilCreated
from workflow.models import Council
from workflow.people.read import UserCreated
from workflow.schemas import ConstitutionIn, CouncilIn
from workflow.settings import Settings

router = APIRouter(prefix=API_PREFIX, tags=["councils"], route_class=IdempotentRoute)


@router.post(
    "/councils",
    status_code=201,
    response_model=CouncilCreated,
    responses=problems(*WRITE, 409),
    summary="Create a council (platform operator)",
)
def post_council(data: CouncilIn, ctx: CtxDep, operator: OperatorUser) -> CouncilCreated:
    """A council with the installation's settings as its constitution and a first admin,
    whose bearer token is in this answer only: hand it to the council."""
    council, admin, token = create_council(ctx, data, operator)
    return CouncilCreated.made(council, UserCreated.with_token(admin, token))


def _constitution(ctx: Ctx, council: Council) -> ConstitutionOut:
    return ConstitutionOut(
        id=council.id or 0,
        name=council.name,
        slug=council.slug,
        settings=council.settings,
        effective={name: getattr(ctx.settings, name) for name in CONSTITUTION},
    )


@router.get(
    "/council",
    response_model=ConstitutionOut,
    responses=problems(*AUTH),
    summary="The caller's council and its constitution settings",
)
def get_own_council(ctx: CtxDep, user: CurrentUser) -> ConstitutionOut:
    return _constitution(ctx, get_council(ctx, user.council_id))


@router.put(
    "/council/settings",
    response_model=ConstitutionOut,
    responses=problems(*WRITE),
    summary="Set what the council's constitution says differently (admin)",
)
def put_constitution(
    request: Request, data: ConstitutionIn, ctx: CtxDep, admin: AdminUser
) -> ConstitutionOut:
    """Replaces the council's own settings; the rest follow the installation's. 422 names
    each setting that is unknown or invalid, and nothing changes."""
    installation: Settings = request.app.state.settings
    ctx.settings = installation
    council = set_constitution(ctx, get_council(ctx, admin.council_id), data.settings)
    ctx.settings = effective(installation, council.settings)
    return _constitution(ctx, council)
