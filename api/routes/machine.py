"""``GET /workflow``: the state machine as data and as a Mermaid diagram, read from the one
definition in ``workflow.lifecycle.machine`` (the same table the domain enforces)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CurrentUser
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, problems
from api.schemas import WorkflowOut
from workflow.lifecycle.machine import describe

router = APIRouter(prefix=API_PREFIX, tags=["workflow"], route_class=IdempotentRoute)


@router.get(
    "/workflow",
    response_model=WorkflowOut,
    responses=problems(*AUTH),
    summary="The state machine: states, events, guards and a Mermaid diagram",
)
def get_workflow(user: CurrentUser) -> dict[str, Any]:
    return describe()
