"""The dashboard: what waits on me, my deadlines, my cases by state. Each list is bounded
(``queries.DASHBOARD_ROWS``), so a view costs the same whatever the council holds."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.web import queries
from api.web.pages import WebRoute, signed_in
from workflow.people.permissions import may_draft

router = APIRouter(route_class=WebRoute)


@router.get("/")
def dashboard(request: Request) -> Response:
    with signed_in(request) as page:
        ctx, me = page.ctx, page.me
        mine = queries.involved_cases(ctx, me)
        waiting = queries.waiting_on(ctx, me)
        delegations = [b.delegation for b, _, _ in waiting.sign_offs if b.delegation]
        people = queries.names(ctx, {uid for d in delegations for uid in d.consultees()})
        return page.render(
            "dashboard.html",
            {
                "waiting": waiting,
                "deadlines": queries.my_deadlines(ctx, me),
                "by_state": queries.cases_by_state(mine),
                "cases_shown": len(mine),
                "dashboard_rows": queries.DASHBOARD_ROWS,
                "upcoming_days": queries.UPCOMING_DAYS,
                "people": people,
                "may_draft": may_draft(me),
            },
        )
