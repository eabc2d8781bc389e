"""Firing an event on a case, and recording a consultation.

Each event of the machine has its own route, generated from
``workflow.lifecycle.machine.TRANSITIONS``
and ``workflow.schemas.EVENT_PAYLOADS``, so the OpenAPI schema shows every payload exactly and
the routes can never drift from the machine. The domain decides everything, in its order: the
version (412), whether the state allows it (409 with ``allowed_events``), whether the caller
may (403), the payload (422 naming each field) and the guards (409 naming each failing one).
So the body is documented here but validated there: were FastAPI to validate it first, an event
the state does not allow would answer 422 about its payload instead of 409 (SPEC §3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from pydantic import BaseModel

from api.deps import CtxDep, CurrentUser
from api.etag import etag
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX, Id
from api.responses import WRITE, problems
from api.routes.cases import IfMatch, case_answer, version_expected
from api.schemas import ConsultationOut
from workflow.context import Ctx
from workflow.lifecycle.bundle import get_case
from workflow.lifecycle.call_in import request_call_in
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire
from workflow.lifecycle.machine import EVENTS
from workflow.lifecycle.read import CaseOut
from workflow.models import User
from workflow.schemas import EVENT_PAYLOADS, CallInIn, ConsultationIn

router = APIRouter(prefix=API_PREFIX, tags=["events"], route_class=IdempotentRoute)

EVENT_RESPONSES = problems(*WRITE, 404, 409, 412)


def _fire(
    ctx: Ctx,
    user: User,
    response: Response,
    case_id: int,
    event: str,
    payload: BaseModel | dict[str, Any] | None,
    if_match: str | None,
) -> CaseOut:
    expected = version_expected(ctx, case_id, if_match)
    case = fire(ctx, case_id, event, user, payload, expected_version=expected)
    return case_answer(ctx, case, user, response)


def _fire_event(event: str) -> Callable[..., CaseOut]:
    """A route function taking the body as sent, for ``fire`` to validate in its turn."""

    def endpoint(
        case_id: Id,
        ctx: CtxDep,
        user: CurrentUser,
        response: Response,
        payload: Annotated[Any, Body()] = None,
        if_match: IfMatch = None,
    ) -> CaseOut:
        return _fire(ctx, user, response, case_id, event, payload, if_match)

    endpoint.__name__ = f"fire_{event}"
    return endpoint


def _documented_body(event: str, payload_model: type[BaseModel]) -> dict[str, Any]:
    """The request body as OpenAPI shows it: exactly the payload model ``fire`` validates."""
    optional = not any(f.is_required() for f in payload_model.model_fields.values())
    schema = payload_model.model_json_schema()
    schema["description"] = f"the '{event}' payload"
    return {
        "requestBody": {
            "required": not optional,
            "content": {"application/json": {"schema": schema}},
        }
    }


for _event, _model in EVENT_PAYLOADS.items():
    _spec = EVENTS[_event]
    _guards = "".join(f"\n- `{g.name}`: {g.description}" for g in _spec.guards)
    router.add_api_route(
        f"/cases/{{case_id}}/events/{_event}",
        _fire_event(_event),
        methods=["POST"],
        openapi_extra=_documented_body(_event, _model),
        response_model=CaseOut,
        responses=EVENT_RESPONSES,
        summary=f"Fire '{_event}': {_spec.description}",
        description=(
            f"From {', '.join(s.value for s in _spec.sources)} to {_spec.dest.value}; "
            f"fired by {_spec.who.description}."
            + (f"\n\nGuards (each failing one is named in the 409):{_guards}" if _guards else "")
        ),
    )


@router.post("/cases/{case_id}/events/{event}", include_in_schema=False)
def fire_unknown(
    case_id: Id,
    event: Annotated[str, Path(max_length=100)],
    ctx: CtxDep,
    user: CurrentUser,
    response: Response,
) -> CaseOut:
    """Any other event name: the domain answers 404, naming the events there are."""
    return _fire(ctx, user, response, case_id, event, None, None)


@router.post(
    "/cases/{case_id}/call-in-requests",
    response_model=CaseOut,
    responses=problems(*WRITE, 404, 409, 412),
    summary="A scrutiny member asks to call the decision in",
)
def post_call_in_request(
    case_id: Id,
    data: CallInIn,
    ctx: CtxDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """Recorded until as many members as the constitution asks for have asked; the request
    that reaches that number calls the decision in (issue 12). The answer is the case."""
    expected = version_expected(ctx, case_id, if_match)
    case = request_call_in(ctx, case_id, data, user, expected_version=expected)
    return case_answer(ctx, case, user, response)


@router.post(
    "/cases/{case_id}/consultations",
    status_code=201,
    response_model=ConsultationOut,
    responses=problems(*WRITE, 404, 409, 412),
    summary="Record a consultation (the delegate or the consultee)",
)
def post_consultation(
    case_id: Id,
    data: ConsultationIn,
    ctx: CtxDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """That the delegate consulted the named consultee, when, and what they said: the
    ``sign_off`` guard looks for one recorded since the case last entered delegated approval.
    The answer's ETag is the case's new version."""
    expected = version_expected(ctx, case_id, if_match)
    consultation = record_consultation(ctx, case_id, data, user, expected_version=expected)
    response.headers["ETag"] = etag(get_case(ctx, case_id).version)
    return consultation.model_dump()
