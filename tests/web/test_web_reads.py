"""Reads in batches, and one rule per figure (issue 8 item 4, issue 13 item 1, issue 14).

- A list costs the same small number of SQL statements whatever its length: each list route
  and page is read with 5 cases, then again with 50, counting statements with a
  ``before_cursor_execute`` listener; the two counts are equal and under a small bound.
- Oldham's exempt case hides the Miocare agreement's annual value from everyone not entitled,
  on every route that can show it (API and pages); the entitled see it on every one.
- A reminder's recipients go only to those who may see the case's people.

The API and the pages are one app, so both are read here through one ``TestClient``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from statements import counting
from webcase import Seeded, WebClient

from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire
from workflow.models import User
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn
from workflow.settings import Settings

APPROVED_AT = datetime(2024, 9, 6, 9, tzinfo=UTC)
# In pence, as shown on pages, and in pounds as the register CSV writes it.
MIOCARE_FIGURES = ("2500000000", "£25,000,000", "5000000000", "£50,000,000", "25000000.00")
BOUND = 16  # statements for one list request, sign-in and session included
# PostgreSQL's row-level security (issue 10): once the person is known, their council is set
# for the transaction (``SET LOCAL``), one statement a request whatever the page's length.
# (The sign-in lookup's own ``set_config`` takes the place of SQLite's ``BEGIN``.)
ROW_SECURITY = {"postgresql": 1}


def add_cases(
    engine: Engine, clock: FrozenClock, settings: Settings, seeded: Seeded, n: int, approve: int
) -> None:
    """``n`` Sefton-shaped cases, each over an agreement of its own, the first ``approve`` of
    them taken to delegated approval on 6 Sep 2024 (so pages carry delegations, resolutions
    and their people). Cases are drafted at the clock's time (the clock only moves forward)."""
    ids: list[int] = []
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        officer = ctx.session.get(User, seeded.user_ids["officer"])
        assert officer is not None
        for _ in range(n):
            ref = f"READS-{next(_REFS):04d}"
            agreement = create_agreement(
                ctx,
                AgreementIn(
                    reference=ref,
                    title=f"Day opportunities {ref}",
                    kind="contract",  # type: ignore[arg-type]
                    counterparty="Autism Initiatives",
                    directorate=demo.ASC,
                    annual_value_pence=19_500_000,
                    start_date=date(2019, 10, 1),
                    end_date=date(2024, 9, 30),
                    award_value_pence=97_500_000,
                    **demo.SEFTON_PROCUREMENT,
                ),
                officer,
            )
            case = create_case(ctx, demo.sefton_case_in([agreement.id or 0]), officer)
            ids.append(case.id or 0)
        for case_id in ids[:approve]:
            fire(ctx, case_id, "submit", officer)
    if not approve:
        return
    clock.travel_to(max(clock.now(), APPROVED_AT))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        clerk = ctx.session.get(User, seeded.user_ids["clerk"])
        assert clerk is not None
        for case_id in ids[:approve]:
            fire(
                ctx,
                case_id,
                "approve",
                clerk,
                {
                    "resolution": "Extend; further terms delegated.",
                    "decided_on": date(2024, 9, 5),
                    "notice_published_on": date(2024, 9, 6),
                    "delegate_id": seeded.user_ids["executive"],
                    "consultee_id": seeded.user_ids["cabinet_member"],
                    "max_months": 12,
                },
            )


_REFS = iter(range(1, 100_000))

# (who, url) read with 5 and with 50 cases: the API as a bearer, the pages signed in.
API_READS = [
    ("viewer", "/api/v1/cases?limit={limit}"),
    ("admin", "/api/v1/cases?limit={limit}"),
    ("viewer", "/api/v1/agreements?limit={limit}"),
    ("viewer", "/api/v1/deadlines?limit={limit}"),
    ("viewer", "/api/v1/reminders?limit={limit}"),
    ("clerk", "/api/v1/reminders?limit={limit}"),
]
PAGE_READS = [
    ("viewer", "/cases"),
    ("viewer", "/agreements"),
    ("officer", "/"),
    ("executive", "/"),
    ("clerk", "/"),
    ("scrutiny", "/"),
]


def statements_per_read(web: WebClient, engine: Engine, limit: int) -> dict[tuple[str, str], int]:
    counts = {}
    for who, url in API_READS:
        headers = {"Authorization": f"Bearer {web.seeded.tokens[who]}"}
        with counting(engine) as seen:
            response = web.client.get(url.format(limit=limit), headers=headers)
        assert len(response.json()["items"]) == limit, url
        assert response.status_code == 200, response.text
        counts[(who, url)] = len(seen)
    for who, url in PAGE_READS:
        web.sign_in(who)
        with counting(engine) as seen:
            response = web.get(url)
        assert response.status_code == 200, response.text
        counts[(who, url)] = len(seen)
    return counts


def test_a_list_costs_the_same_statements_for_5_cases_as_for_50(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    _app, settings = web_app_parts
    # With Oldham's: 5 cases, 2 in delegated approval; then 50, 10 delegated.
    add_cases(engine, web_clock, settings, web.seeded, 14, approve=10)
    few = statements_per_read(web, engine, limit=5)
    add_cases(engine, web_clock, settings, web.seeded, 35, approve=0)
    many = statements_per_read(web, engine, limit=50)
    listed = web.client.get(
        "/api/v1/cases?limit=50",
        headers={"Authorization": f"Bearer {web.seeded.tokens['viewer']}"},
    ).json()
    assert len(listed["items"]) == 50
    assert sum(1 for c in listed["items"] if c["delegation"]) == 10
    web.sign_in("executive")
    dashboard = web.get("/").text
    assert "Cases waiting for your sign-off" in dashboard
    assert dashboard.count("govuk-tag--grey") >= 10  # "Not yet": call-in is still running
    assert many == few, {k: (few[k], many[k]) for k in few if few[k] != many[k]}
    assert max(many.values()) <= BOUND + ROW_SECURITY.get(engine.dialect.name, 0), many


# --- one rule per figure (issue 13) -----------------------------------------------------


def every_reading(web: WebClient, who: str) -> dict[str, str]:
    """Every answer that can carry an agreement's figures, as ``who`` gets it."""
    s = web.seeded
    case_id = s.oldham_case_id
    headers = {"Authorization": f"Bearer {s.tokens[who]}"}
    api = web.client
    agreements = api.get("/api/v1/agreements?q=Miocare", headers=headers).json()["items"]
    (miocare,) = agreements
    out = {
        "GET /api/v1/agreements": api.get("/api/v1/agreements?limit=200", headers=headers).text,
        "GET /api/v1/agreements?q=": str(agreements),
        "GET /api/v1/agreements/{id}": api.get(
            f"/api/v1/agreements/{miocare['id']}", headers=headers
        ).text,
        "GET /api/v1/cases": api.get("/api/v1/cases?limit=200", headers=headers).text,
        "GET /api/v1/cases/{id}": api.get(f"/api/v1/cases/{case_id}", headers=headers).text,
        "GET /api/v1/cases/{id}/audit": api.get(
            f"/api/v1/cases/{case_id}/audit?limit=200", headers=headers
        ).text,
        "GET /api/v1/reminders": api.get(
            f"/api/v1/reminders?case_id={case_id}&limit=200", headers=headers
        ).text,
        "GET /api/v1/calendar.ics": api.get("/api/v1/calendar.ics", headers=headers).text,
        "GET /api/v1/agreements/export.csv": api.get(
            "/api/v1/agreements/export.csv?q=Miocare", headers=headers
        ).text,
    }
    web.sign_in(who)
    pages = ("/agreements", "/agreements?q=Miocare", f"/cases/{case_id}", "/", "/cases")
    for page in (*pages, "/agreements/export.csv?q=Miocare"):
        out[f"page {page}"] = web.get(page).text
    return out


def test_an_exempt_agreement_figure_is_hidden_everywhere_or_shown_everywhere(
    web: WebClient,
) -> None:
    entitled = every_reading(web, "oldham_officer")  # the author
    for who in ("viewer", "officer", "executive"):
        unentitled = every_reading(web, who)
        assert set(unentitled) == set(entitled)
        for route, text in unentitled.items():
            shown = [f for f in MIOCARE_FIGURES if f in text]
            assert shown == [], f"{who} sees {shown} on {route}"
    # The author sees the annual value on the register, through the API and the page alike.
    for route in (
        "GET /api/v1/agreements?q=",
        "GET /api/v1/agreements/{id}",
        "page /agreements?q=Miocare",
        "GET /api/v1/agreements/export.csv",
        "page /agreements/export.csv?q=Miocare",
    ):
        assert any(f in entitled[route] for f in MIOCARE_FIGURES), route
    assert "£25,000,000" in entitled[f"page /cases/{web.seeded.oldham_case_id}"]


def test_a_public_agreement_shows_its_value_to_everyone(web: WebClient) -> None:
    headers = {"Authorization": f"Bearer {web.seeded.tokens['viewer']}"}
    items = web.client.get("/api/v1/agreements?limit=200", headers=headers).json()["items"]
    public = [a for a in items if "Miocare" not in a["counterparty"]]
    assert public and all(a["annual_value_pence"] is not None for a in public)
    (miocare,) = [a for a in items if "Miocare" in a["counterparty"]]
    assert miocare["annual_value_pence"] is None


# --- reminders' recipients (issue 14, item 9) ---------------------------------------------


def recipients_seen(web: WebClient, who: str) -> list[list[str] | None]:
    headers = {"Authorization": f"Bearer {web.seeded.tokens[who]}"}
    url = f"/api/v1/reminders?case_id={web.seeded.oldham_case_id}&limit=200"
    items = web.client.get(url, headers=headers).json()["items"]
    assert items, who
    return [r["recipients"] for r in items]


def test_reminder_recipients_only_to_those_who_may_see_the_case_people(web: WebClient) -> None:
    author = recipients_seen(web, "oldham_officer")
    assert any(author), "the author sees who the reminders go to"
    assert recipients_seen(web, "admin") == author
    assert all(r is None for r in recipients_seen(web, "viewer"))
    assert all(r is None for r in recipients_seen(web, "officer"))  # another council's officer
