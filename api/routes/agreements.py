"""The agreements register: create, list (filtered, keyset-paged), read, and import a
Transparency Code contract register."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.deps import CtxDep, CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Cursor, Id, Limit
from api.responses import AUTH, WRITE, problems
from api.schemas import ImportResultOut, Page
from workflow.context import Ctx
from workflow.councils.councils import enter_as, person_of_session
from workflow.db import unit_of_work
from workflow.models import NO_COUNCIL, AgreementKind, User, pk
from workflow.register.agreements import (
    create_agreement,
    get_agreement,
    list_agreements,
    update_procurement,
)
from workflow.register.export import RegisterFilters, export_register
from workflow.register.importer import import_register
from workflow.register.read import AgreementOut, AgreementScope
from workflow.schemas import AgreementIn, AgreementProcurementIn, Day
from workflow.text import ONE_LINE

router = APIRouter(prefix=API_PREFIX, tags=["agreements"], route_class=IdempotentRoute)


@router.post(
    "/agreements",
    status_code=201,
    response_model=AgreementOut,
    responses=problems(*WRITE, 409),
    summary="Register an agreement",
)
def post_agreement(
    data: AgreementIn, ctx: CtxDep, user: CurrentUser, response: Response
) -> AgreementOut:
    agreement = create_agreement(ctx, data, user)
    response.headers["Location"] = f"/api/v1/agreements/{agreement.id}"
    return AgreementScope(ctx, user).one(agreement)


def register_filters(
    kind: AgreementKind | None = None,
    directorate: Annotated[str | None, Query(max_length=500), ONE_LINE] = None,
    end_from: Annotated[Day | None, Query(description="end date on or after")] = None,
    end_to: Annotated[Day | None, Query(description="end date on or before")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="title, provider or ref"), ONE_LINE
    ] = None,
) -> RegisterFilters:
    """The register's filters as query parameters, the same for the listing and the export."""
    return RegisterFilters(kind, directorate, end_from, end_to, q)


Filters = Annotated[RegisterFilters, Depends(register_filters)]


@router.get(
    "/agreements",
    response_model=Page[AgreementOut],
    responses=problems(*AUTH),
    summary="List agreements",
)
def get_agreements(
    ctx: CtxDep,
    user: CurrentUser,
    filters: Filters,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[AgreementOut]:
    """An agreement covered by an exempt case shows no annual value to a person not entitled
    to that case (``workflow.register.read``)."""
    rows, next_cursor = list_agreements(
        ctx, **dataclasses.asdict(filters), cursor=cursor, limit=limit
    )
    return Page(items=AgreementScope(ctx, user).read(rows), next_cursor=next_cursor)


def register_csv(request: Request, user: User, filters: RegisterFilters) -> StreamingResponse:
    """Stream the register CSV from a read of its own: the request's unit of work ends before
    the answer is sent (``api.deps``), and the rows are read a batch at a time as it goes."""
    state = request.app.state
    user_id = pk(user.id)  # read now: ``user`` belongs to the request's session, closed by then

    def body() -> Iterator[str]:
        with unit_of_work(state.engine, write=False, tenant=True) as session:
            ctx = Ctx(session, state.clock, state.settings, NO_COUNCIL)
            reader = person_of_session(ctx, user_id)
            assert reader is not None  # signed in a moment ago, by this very request
            yield from export_register(ctx, enter_as(ctx, reader), filters)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contract-register.csv"'},
    )


@router.get(
    "/agreements/export.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The Transparency Code contract register, as the import reads it",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **problems(*AUTH),
    },
    summary="Export the contract register (CSV)",
)
def export_agreements(request: Request, user: CurrentUser, filters: Filters) -> StreamingResponse:
    """The agreements ``GET /agreements`` lists, with the same filters, as a Transparency Code
    contract register in the columns ``POST /agreements/import`` reads, so an export imports
    back unchanged. A cell that begins like a spreadsheet formula (``=``, ``+``, ``-``, ``@``,
    tab, carriage return) is written with a leading ``'`` so it is never run."""
    return register_csv(request, user, filters)


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
def get_one(agreement_id: Id, ctx: CtxDep, user: CurrentUser) -> AgreementOut:
    return AgreementScope(ctx, user).one(get_agreement(ctx, agreement_id))


@router.patch(
    "/agreements/{agreement_id}",
    response_model=AgreementOut,
    responses=problems(*WRITE, 404),
    summary="Record an agreement's procurement facts",
)
def patch_agreement(
    agreement_id: Id, data: AgreementProcurementIn, ctx: CtxDep, user: CurrentUser
) -> AgreementOut:
    """The procurement facts of SPEC §9 (regime, the date the procurement began, light touch,
    goods/services/works, value and maximum term on award, extension options), for a register
    that has no column for them. Only the fields sent change; null clears one. An agreement
    missing any of them may not be extended (the ``lawful_modification`` guard)."""
    return AgreementScope(ctx, user).one(update_procurement(ctx, agreement_id, data, user))
