"""The calendar page: the caller's ``calendar.ics`` subscription address and how to use it,
and the same feed to download with the session, for calendar apps that cannot send a token.

Which deadlines are someone's is ``workflow.duties.calendar_deadlines``, the feed itself is the
API's own ``GET /api/v1/calendar.ics`` handler: the page never builds a second feed.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.routes.calendar import get_calendar
from api.web.pages import WebRoute, signed_in
from workflow.duties import calendar_deadlines

router = APIRouter(route_class=WebRoute)

FEED_PATH = "/api/v1/calendar.ics"


@router.get("/calendar")
def calendar_page(request: Request) -> Response:
    with signed_in(request) as page:
        base = page.ctx.settings.base_url.rstrip("/")
        today = page.ctx.today()
        rows = [(d, c) for d, c in calendar_deadlines(page.ctx, page.me) if d.due_on >= today]
        return page.render(
            "calendar.html",
            {"feed_url": base + FEED_PATH, "deadlines": rows[:50], "more": max(0, len(rows) - 50)},
        )


@router.get("/calendar/download")
def calendar_download(request: Request) -> Response:
    with signed_in(request) as page:
        response = get_calendar(page.ctx, page.me)
        response.headers["Content-Disposition"] = 'attachment; filename="councilflow.ics"'
        return response
