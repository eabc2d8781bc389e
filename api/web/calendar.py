"""The calendar page: the caller's ``calendar.ics`` subscription address (with a calendar key
that reads the feed and nothing else, for calendar apps that cannot send a token), the bearer
form of the same address, and the feed to download with the session.

Which deadlines are someone's is ``workflow.deadlines.lists.calendar_deadlines``, the feed itself
is the
API's own ``GET /api/v1/calendar.ics`` handler: the page never builds a second feed.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.routes.calendar import get_calendar
from api.web.pages import WebRoute, signed_in
from workflow.deadlines.lists import calendar_deadlines
from workflow.people.users import calendar_key

router = APIRouter(route_class=WebRoute)

FEED_PATH = "/api/v1/calendar.ics"


@router.get("/calendar")
def calendar_page(request: Request) -> Response:
    with signed_in(request) as page:
        base = page.ctx.settings.base_url.rstrip("/")
        today = page.ctx.today()
        rows = [(d, c) for d, c in calendar_deadlines(page.ctx, page.me) if d.due_on >= today]
        key = calendar_key(page.me, page.ctx.settings.session_secret)
        return page.render(
            "calendar.html",
            {
                "feed_url": base + FEED_PATH,
                "subscribe_url": f"{base}{FEED_PATH}?key={key}",
                "deadlines": rows[:50],
                "more": max(0, len(rows) - 50),
            },
        )


@router.get("/calendar/download")
def calendar_download(request: Request) -> Response:
    with signed_in(request) as page:
        response = get_calendar(page.ctx, page.me)
        response.headers["Content-Disposition"] = 'attachment; filename="councilflow.ics"'
        return response
