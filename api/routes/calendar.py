"""``GET /calendar.ics``: the caller's open deadlines as an iCalendar feed.

Each deadline is one all-day event whose UID is derived from the deadline's id, so when a
deadline moves a calendar client updates the event it already has instead of adding a second
one. Which deadlines are the caller's is the domain's call (``workflow.deadlines.lists``); the
summary
names the deadline and the case title only, which SPEC §6 leaves public even for exempt items.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response
from icalendar import Calendar, Event

from api.deps import CalendarReader, CtxDep
from api.idempotency import IdempotentRoute
from api.params import API_PREFIX
from api.responses import AUTH, problems
from workflow.deadlines.lists import calendar_deadlines
from workflow.models import Case, Deadline

router = APIRouter(prefix=API_PREFIX, tags=["deadlines and reminders"], route_class=IdempotentRoute)

ICS = "text/calendar"


def deadline_event(deadline: Deadline, case: Case, base_url: str) -> Event:
    label = deadline.kind.replace("_", " ").capitalize()
    event = Event()
    event.add("uid", f"deadline-{deadline.id}@councilflow")
    event.add("dtstamp", deadline.updated_at)
    event.add("last-modified", deadline.updated_at)
    event.add("dtstart", deadline.due_on)
    event.add("dtend", deadline.due_on + timedelta(days=1))
    event.add("summary", f"{label}: {case.title}")
    link = f"{base_url.rstrip('/')}/cases/{case.id}"
    what = "a duty to do by this day" if deadline.is_duty else "a date to know"
    event.add("description", f"Case {case.id} ({case.state}): {what}.\n{link}")
    event.add("url", link)
    event.add("categories", ["CouncilFlow", deadline.kind])
    event.add("transp", "TRANSPARENT")
    return event


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses={
        200: {
            "description": "An iCalendar feed, one all-day event per open deadline",
            "content": {ICS: {"schema": {"type": "string"}}},
        },
        **problems(*AUTH),
    },
    summary="The caller's deadlines as an iCalendar feed",
)
def get_calendar(ctx: CtxDep, user: CalendarReader) -> Response:
    calendar = Calendar()
    calendar.add("prodid", "-//CouncilFlow//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"CouncilFlow deadlines: {user.name}")
    for deadline, case in calendar_deadlines(ctx, user):
        calendar.add_component(deadline_event(deadline, case, ctx.settings.base_url))
    return Response(content=calendar.to_ical(), media_type=f"{ICS}; charset=utf-8")
