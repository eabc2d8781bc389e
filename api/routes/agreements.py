"""The agreements register: create, list (filtered, keyset-paged), read, and import a
Transparency Code contract register."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Cursor, Id, Limit
from api.responses import AUTH, WRITE, problems
from api.schemas import AgreementOut, ImportResultOut, Page
from workflow.models import Agreement, AgreementKind
from workflow.register.agreements import create_agreement, get_agreement, list_agreements
from workflow.register.importer import import_register
from workflow.schemas import AgreementIn, Day
from workflow.text import ONE_LINE

router = APIRouter(prefix=API_PREFIX, tags=["agreements"], route_class=IdempotentRoute)


def agreement_view(a: Agreement) -> dict[str, Any]:
    return a.model_dump(exclude={"created_at", "updated_at"})


@router.post(
    "/agreements",
    status_code=201,
    response_model=AgreementOut,
    responses=problems(*WRITE, 409),
    summary="Register an agreement",
)
def post_agreement(
    data: AgreementIn, ctx: CtxDep, user: CurrentUser, response: Response
) -> dict[str, Any]:
    agreement = create_agreement(ctx, data, user)
    response.headers["Location"] = f"/api/v1/agreements/{agreement.id}"
    return agreement_view(agreement)


@router.get(
    "/agreements",
    response_model=Page[AgreementOut],
    responses=problems(*AUTH),
    summary="List agreements",
)
def get_agreements(
    ctx: CtxDep,
    user: CurrentUser,
    kind: AgreementKind | None = None,
    directorate: Annotated[str | None, Query(max_length=500), ONE_LINE] = None,
    end_from: Annotated[Day | None, Query(description="end date on or after")] = None,
    end_to: Annotated[Day | None, Query(description="end date on or before")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="title, provider or ref"), ONE_LINE
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    rows, next_cursor = list_agreements(
        ctx,
        kind=kind,
        directorate=directorate,
        end_from=end_from,
        end_to=end_to,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return {"items": [agreement_view(a) for a in rows], "next_cursor": next_cursor}


async def csv_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/agreements/import",
    response_model=ImportResultOut,
    responses=problems(*WRITE),
    summary="Import a Transparency Code contract register (CSV)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def import_agreements(
    data: Annotated[bytes, Depends(csv_body)], ctx: CtxDep, user: CurrentUser
) -> dict[str, Any]:
    """Send the register as the request body (``Content-Type: text/csv``). Rows are created,
    or updated when the reference is already registered; a row that cannot be read for
    certain is refused with its spreadsheet row number and why. A file that is not a
    register at all changes nothing (422)."""
    return dataclasses.asdict(import_register(ctx, data, user))


@router.get(
    "/agreements/{agreement_id}",
    response_model=AgreementOut,
    responses=problems(*AUTH, 404),
    summary="Read an agreement",
)
def get_one(agreement_id: Id, ctx: CtxDep, user: CurrentUser) -> dict[str, Any]:
    return agreement_view(get_agreement(ctx, agreement_id))
