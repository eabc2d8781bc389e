"""Issue 12, fault 8, on the pages: a delegation in consultation with two Cabinet Members.

- Both consultees see the case — in their dashboard's cases, in "waiting on you" and in their
  calendar — as the first one always did, and someone named in neither does not; the delegate's
  dashboard and the case page say who is still to be consulted.
- Those lists cost the same statements with two consultees as with one (counted with a
  ``before_cursor_execute`` listener), each the one statement it was.
- The consultation form offers only the consultees not yet consulted (or says all have been),
  shows a GOV.UK error summary for a missing or wrong choice, and records the second consultee;
  the sign-off is refused until both are consulted.

Cabinet decided on Thu 5 Sep 2024 (notice Fri 6 Sep, call-in to Fri 13 Sep); the delegate
consults on Tue 10 Sep and signs off on Mon 16 Sep.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from consulting import SIGN_OFF, SIGN_OFF_AT, add_finance_member, delegate, submitted_cases
from sqlalchemy.engine import Engine
from statements import counting
from webcase import WebClient, date_fields, form_fields

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.errors import TransitionRefused
from workflow.lifecycle.events import fire
from workflow.models import Case, User
from workflow.settings import Settings
from workflow.timerules import london_date

CONSULTED_AT = datetime(2024, 9, 10, 9, tzinfo=UTC)


def reads(web: WebClient, engine: Engine, who: str) -> dict[str, Any]:
    """What ``who`` is shown by every list that picks cases by the people they name, and the
    statements each cost: the dashboard (their cases, what waits on them, their deadlines) and
    their calendar feed."""
    bearer = {"Authorization": f"Bearer {web.seeded.tokens[who]}"}
    web.sign_in(who)
    with counting(engine) as on_dashboard:
        dashboard = web.get("/")
    with counting(engine) as on_calendar:
        calendar = web.client.get("/api/v1/calendar.ics", headers=bearer)
    assert dashboard.status_code == 200 and calendar.status_code == 200
    return {
        "dashboard": dashboard.text,
        "calendar": calendar.text,
        "statements": (len(on_dashboard), len(on_calendar)),
    }


def title(engine: Engine, case_id: int) -> str:
    with unit_of_work(engine, write=False) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.title


def test_both_consultees_see_the_case_and_the_lists_cost_the_same(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    _app, settings = web_app_parts
    add_finance_member(engine, web_clock, settings, web.seeded)
    one, both = (submitted_cases(engine, web_clock, settings, web.seeded, n=2) for _ in "ab")
    delegate(engine, web_clock, settings, web.seeded, one, ["cabinet_member"])
    member_with_one = reads(web, engine, "cabinet_member")
    executive_with_one = reads(web, engine, "executive")
    delegate(engine, web_clock, settings, web.seeded, both, ["cabinet_member", "finance_member"])
    member, finance, executive, viewer = (
        reads(web, engine, k) for k in ("cabinet_member", "finance_member", "executive", "viewer")
    )
    only_one, shared = title(engine, one[0]), title(engine, both[0])

    for seen in (member, finance):
        dashboard = seen["dashboard"]
        assert shared in dashboard  # among their cases, and waiting on them
        asked = dashboard.split("Consultations asked of you")[1].split("</ul>")[0]
        assert shared in asked
        assert shared in seen["calendar"]  # the case's deadlines are in their calendar
    assert only_one in member["dashboard"] and only_one not in finance["dashboard"]
    assert only_one not in finance["calendar"]
    assert shared not in viewer["dashboard"] and shared not in viewer["calendar"]
    # The delegate's dashboard names who is still to be consulted, each by name.
    names = web.seeded.names
    assert (
        f"Still to consult: {names['cabinet_member']}, {names['finance_member']}"
        in (executive["dashboard"])
    )
    # Two consultees cost what one did; the second consultee's lists cost what the first's do.
    assert member["statements"] == member_with_one["statements"]
    assert executive["statements"] == executive_with_one["statements"]
    assert finance["statements"] == member["statements"]


def consult_form(web: WebClient, case_id: int) -> str:
    response = web.get(f"/cases/{case_id}/consultation")
    assert response.status_code == 200, response.text
    return response.text


def offered(html: str) -> list[str]:
    """The consultees the form offers, by the values of its radios."""
    return re.findall(r'name="consultee_id" type="radio" value="(\d+)"', html)


def test_the_form_offers_who_is_left_and_records_the_second_consultee(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    _app, settings = web_app_parts
    add_finance_member(engine, web_clock, settings, web.seeded)
    (case_id,) = submitted_cases(engine, web_clock, settings, web.seeded)
    delegate(
        engine, web_clock, settings, web.seeded, [case_id], ["cabinet_member", "finance_member"]
    )
    ids, names = web.seeded.user_ids, web.seeded.names
    web_clock.travel_to(CONSULTED_AT)
    web.sign_in("executive")
    html = consult_form(web, case_id)
    assert offered(html) == [str(ids["cabinet_member"]), str(ids["finance_member"])]

    # No choice, then someone Cabinet did not name: the form again, with a GOV.UK summary.
    sent = form_fields(html, f"/cases/{case_id}/consultation")
    base = {k: v[0] for k, v in sent.items() if k != "consultee_id"}
    base |= date_fields("consulted_on", london_date(CONSULTED_AT))
    base["response"] = "Content with six months."
    missing = web.post(f"/cases/{case_id}/consultation", base)
    assert missing.status_code == 400
    assert "govuk-error-summary" in missing.text
    assert '<a href="#consultee_id">Choose who was consulted</a>' in missing.text
    stranger = web.post(
        f"/cases/{case_id}/consultation", base | {"consultee_id": str(ids["viewer"])}
    )
    assert stranger.status_code == 400
    assert f"user {ids['viewer']} is not a consultee of this case" in stranger.text
    assert 'href="#consultee_id"' in stranger.text

    # The second consultee is recorded; the form then offers only the first.
    recorded = web.post(
        f"/cases/{case_id}/consultation",
        base | {"consultee_id": str(ids["finance_member"])},
        follow_redirects=True,
    )
    assert recorded.status_code == 200
    assert "The consultation was recorded." in recorded.text
    assert f"{names['finance_member']} (still to consult)" not in recorded.text
    assert f"{names['cabinet_member']} (still to consult)" in recorded.text
    assert offered(consult_form(web, case_id)) == [str(ids["cabinet_member"])]
    dashboard = web.get("/").text
    assert f"Still to consult: {names['cabinet_member']}<" in dashboard

    # On Mon 16 Sep the sign-off is refused for the first consultee, not the second.
    web_clock.travel_to(SIGN_OFF_AT)
    with pytest.raises(TransitionRefused) as refused:
        sign_off(engine, web_clock, settings, web, case_id)
    (reason,) = [g.reason for g in refused.value.guards if g.name == "consultation_recorded"]
    assert names["cabinet_member"] in reason and names["finance_member"] not in reason

    # The first consultee records her own; the form now says everyone has been consulted.
    web.sign_in("cabinet_member")
    html = consult_form(web, case_id)
    assert offered(html) == [str(ids["cabinet_member"])]
    sent = form_fields(html, f"/cases/{case_id}/consultation")
    body = {k: v[0] for k, v in sent.items()}  # her own radio comes checked
    body |= date_fields("consulted_on", london_date(SIGN_OFF_AT)) | {"response": "Agreed."}
    assert web.post(f"/cases/{case_id}/consultation", body).status_code in (200, 303)
    web.sign_in("executive")
    html = consult_form(web, case_id)
    assert offered(html) == []
    assert "has been consulted" in html
    sign_off(engine, web_clock, settings, web, case_id)


def sign_off(
    engine: Engine, clock: FrozenClock, settings: Settings, web: WebClient, case_id: int
) -> None:
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        executive = session.get(User, web.seeded.user_ids["executive"])
        assert executive is not None
        fire(ctx, case_id, "sign_off", executive, SIGN_OFF)
