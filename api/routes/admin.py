"""Time for tests and demos (SPEC §7): move the clock forward, and run a scheduler pass now.

``POST /admin/clock`` is only mounted when ``COUNCILFLOW_CLOCK_TRAVEL`` is set, so on a real
deployment the route does not exist at all (404), rather than existing and refusing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.deps import AdminUser, CtxDep
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, WRITE, problems
from api.schemas import ClockIn, ClockOut, TickOut
from workflow.errors import FieldProblem, InvalidInput

router = APIRouter(prefix=f"{API_PREFIX}/admin", tags=["admin"], route_class=IdempotentRoute)
clock_router = APIRouter(prefix=f"{API_PREFIX}/admin", tags=["admin"], route_class=IdempotentRoute)


@clock_router.post(
    "/clock", response_model=ClockOut, responses=problems(*WRITE), summary="Move the clock"
)
def post_clock(data: ClockIn, ctx: CtxDep, admin: AdminUser) -> dict[str, Any]:
    """Forward only: going back would stamp new audit events and reminders before ones
    already written (422)."""
    try:
        now = ctx.clock.travel_to(data.now)
    except ValueError as exc:
        raise InvalidInput(str(exc), [FieldProblem("now", str(exc))]) from exc
    return {"now": now, "today": ctx.today()}


@router.post(
    "/tick",
    response_model=TickOut,
    responses=problems(*AUTH, 403),
    summary="Run one scheduler pass now: expiries, then due reminders",
)
def post_tick(request: Request, ctx: CtxDep, admin: AdminUser) -> dict[str, Any]:
    # The pass runs its own transactions; end this request's first, or on SQLite (where
    # every transaction takes the write lock) the pass would wait on us until it timed out.
    ctx.session.commit()
    state = request.app.state
    # The pass is the scheduler's; the app was handed it at start (``api.app``), so this layer
    # never imports ``scheduler/``.
    # An admin's pass is their council's only: its answer names no other council's cases.
    return state.run_tick(  # type: ignore[no-any-return]
        state.engine, state.clock, state.settings, council_id=admin.council_id
    )
