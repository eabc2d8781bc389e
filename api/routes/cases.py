"""Cases: draft, list, read, and amend while drafted. Every case answer carries its
``ETag`` (the version), and a PATCH honours ``If-Match``.

What each caller sees of a case — exempt content redacted or not, the events they may fire
now — is decided by the read scope ``workflow.lifecycle.read.CaseScope``, whose read models are
the response models; these routes only carry them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from api.deps import CtxDep, CurrentUser
from api.etag import etag, expected_version
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, MAX_ID, Cursor, Id, Limit
from api.responses import AUTH, WRITE, problems
from api.schemas import Page
from workflow.context import Ctx
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.cases import create_case, list_cases, patch_case
from workflow.lifecycle.read import CaseOut, CaseScope
from workflow.models import Case, CaseKind, State, User
from workflow.schemas import CaseIn, CasePatch
from workflow.text import ONE_LINE

router = APIRouter(prefix=API_PREFIX, tags=["cases"], route_class=IdempotentRoute)

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description='The case\'s ETag as last read (W/"<version>"); 412 if it has moved on.',
    ),
]


def case_answer(ctx: Ctx, case: Case, viewer: User, response: Response) -> CaseOut:
    """The case as ``viewer`` may see it, with its ETag on the response."""
    response.headers["ETag"] = etag(case.version)
    return CaseScope(ctx, viewer).one(load(ctx, case))


def version_expected(ctx: Ctx, case_id: int, if_match: str | None) -> int | None:
    if if_match is None:
        return None
    return expected_version(if_match, get_case(ctx, case_id).version)


@router.post(
    "/cases",
    status_code=201,
    response_model=CaseOut,
    responses=problems(*WRITE),
    summary="Draft a case",
)
def post_case(data: CaseIn, ctx: CtxDep, user: CurrentUser, response: Response) -> CaseOut:
    """An officer drafts a case over one or more registered agreements; the caller becomes
    its author. It starts ``drafted``, with its deadlines planned."""
    case = create_case(ctx, data, user)
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return case_answer(ctx, case, user, response)


@router.get("/cases", response_model=Page[CaseOut], responses=problems(*AUTH), summary="List cases")
def get_cases(
    ctx: CtxDep,
    user: CurrentUser,
    state: State | None = None,
    kind: CaseKind | None = None,
    directorate: Annotated[str | None, Query(max_length=500), ONE_LINE] = None,
    author_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[CaseOut]:
    rows, next_cursor = list_cases(
        ctx,
        state=state,
        kind=kind,
        directorate=directorate,
        author_id=author_id,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=CaseScope(ctx, user).page(rows), next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses=problems(*AUTH, 404),
    summary="Read a case",
)
def get_one(case_id: Id, ctx: CtxDep, user: CurrentUser, response: Response) -> CaseOut:
    return case_answer(ctx, get_case(ctx, case_id), user, response)


@router.patch(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses=problems(*WRITE, 404, 409, 412),
    summary="Amend a draft",
)
def patch_one(
    case_id: Id,
    data: CasePatch,
    ctx: CtxDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """Any subset of the draft's fields; ``null`` clears an optional one. Only while the case
    is ``drafted`` (409 after), by its author or an officer of its directorate."""
    expected = version_expected(ctx, case_id, if_match)
    case = patch_case(ctx, case_id, data, user, expected_version=expected)
    return case_answer(ctx, case, user, response)
