"""The public ``/decisions`` page a page at a time (issue 9 part 4 with issue 10's councils):
more decisions than a page, each on exactly one page, in order, with GOV.UK pagination links
that stay in the council; a page number that is not one is a 400, a page past the last a 404,
each naming the pages there are; and a page costs the same statements whatever the length.

Sixty Sefton cases go to Cabinet on Thu 5 Sep 2024; their decision notices are published on
Fri 6, Mon 9 and Tue 10 Sep in turn (so many share a day, and the order's tie-break on the
case is exercised). Five are then signed off on Mon 16 Sep and their reg 13 records published
on Tue 17 Sep: 65 decisions, over two pages of 50. Two more cases are moved to another council
("other"), whose public page lists only them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import col, update
from statements import counting
from webcase import Seeded, WebClient

from api.app import create_app
from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.councils.councils import create_council
from workflow.db import unit_of_work
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.models import Case, Resolution, User, pk
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn, ConsultationIn, CouncilIn, MeetingNoticeIn
from workflow.settings import Settings

NOTICE_DAYS = (date(2024, 9, 6), date(2024, 9, 9), date(2024, 9, 10))
CASES, SIGNED, MOVED = 60, 5, 2
LINK = re.compile(r'href="(/decisions/\d+/(?:decision-notice|officer-record/\d+))\.html[^"]*"')
PAGE_LINK = re.compile(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)"')


def _user(ctx: Ctx, user_id: int) -> User:
    found = ctx.session.get(User, user_id)
    assert found is not None
    return found


def publish_decisions(
    engine: Engine, clock: FrozenClock, settings: Settings, seeded: Seeded
) -> list[int]:
    """The cases above, through the domain as the pages would take them; answers their ids."""
    ids: list[int] = []
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        officer = _user(ctx, seeded.user_ids["officer"])
        for n in range(CASES):
            agreement = create_agreement(
                ctx,
                AgreementIn(
                    reference=f"PAGED-{n:03d}",
                    title=f"Day opportunities {n}",
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
            case = create_case(ctx, demo.sefton_case_in([pk(agreement.id)]), officer)
            ids.append(pk(case.id))
            fire(ctx, ids[-1], "submit", officer)
    ids_by = {u: seeded.user_ids[u] for u in ("clerk", "executive", "cabinet_member")}
    for day in NOTICE_DAYS:
        clock.travel_to(datetime.combine(day, datetime.min.time(), UTC).replace(hour=9))
        with unit_of_work(engine) as session:
            ctx = Ctx(session, clock, settings)
            clerk = _user(ctx, ids_by["clerk"])
            for i, case_id in enumerate(ids):
                if NOTICE_DAYS[i % len(NOTICE_DAYS)] != day:
                    continue
                approve = {
                    "resolution": "Extend; further terms delegated.",
                    "decided_on": date(2024, 9, 5),
                    "notice_published_on": day,
                    "delegate_id": ids_by["executive"],
                    "consultee_id": ids_by["cabinet_member"],
                    "max_months": 12,
                }
                fire(ctx, case_id, "approve", clerk, approve)
    clock.travel_to(datetime(2024, 9, 16, 9, tzinfo=UTC))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        executive = _user(ctx, ids_by["executive"])
        for case_id in _signed(ids):
            consulted = ConsultationIn(
                consultee_id=ids_by["cabinet_member"],
                consulted_on=date(2024, 9, 16),
                response="Agreed.",
            )
            record_consultation(ctx, case_id, consulted, executive)
            signed = {"months": 6, "reasons": "Re-procure.", "conflicts_of_interest": "None"}
            fire(ctx, case_id, "sign_off", executive, signed)
    clock.travel_to(datetime(2024, 9, 17, 9, tzinfo=UTC))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        clerk = _user(ctx, ids_by["clerk"])
        record = MeetingNoticeIn(kind="decision_record", published_on=date(2024, 9, 17))  # type: ignore[arg-type]
        for case_id in _signed(ids):
            record_meeting_notice(ctx, case_id, record, clerk)
    return ids


def _signed(ids: list[int]) -> list[int]:
    """Five cases whose notice went out on Fri 6 Sep: their call-in is over on Mon 16 Sep."""
    return ids[0 : 3 * SIGNED : 3]


def _move_to_another_council(
    engine: Engine, clock: FrozenClock, settings: Settings, ids: list[int]
) -> None:
    """Two of the cases become another council's: what the public of each council reads is
    filtered by the case's council (a resolution or sign-off has none of its own)."""
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        council, _admin, _token = create_council(ctx, CouncilIn(name="Other", slug="other"), None)
        session.exec(update(Case).where(col(Case.id).in_(ids)).values(council_id=council.id))  # type: ignore[call-overload]


def _listed(web: WebClient, url: str) -> tuple[list[str], list[str], str]:
    page = web.client.get(url)
    assert page.status_code == 200, page.text
    return LINK.findall(page.text), PAGE_LINK.findall(page.text), page.text


def test_every_decision_is_on_exactly_one_page_in_order(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    settings = web_app_parts[1]
    ids = publish_decisions(engine, web_clock, settings, web.seeded)
    _move_to_another_council(engine, web_clock, settings, ids[-MOVED:])
    web.client.cookies.clear()
    total = CASES - MOVED + SIGNED
    per_page = settings.decisions_page_size
    assert per_page == 50 < total

    first, first_links, first_html = _listed(web, "/decisions")
    second, second_links, second_html = _listed(web, "/decisions?page=2")
    assert len(first) == per_page and len(second) == total - per_page
    every = first + second
    assert len(set(every)) == len(every) == total
    expected = {f"/decisions/{c}/decision-notice" for c in ids[:-MOVED]}
    assert {u for u in every if u.endswith("decision-notice")} == expected
    assert len([u for u in every if "officer-record" in u]) == SIGNED
    # Newest publication first: the five records of 17 Sep, then the notices of 10, 9, 6 Sep,
    # each day's by case, newest case first.
    assert all("officer-record" in u for u in every[:SIGNED])
    notices = [int(u.split("/")[2]) for u in every[SIGNED:]]
    day_of = {c: NOTICE_DAYS[i % 3] for i, c in enumerate(ids)}
    assert notices == sorted(notices, key=lambda c: (day_of[c], c), reverse=True)

    # GOV.UK pagination: page 1 (current), page 2 and "Next"; then "Previous", 1 and 2.
    assert first_links == ["/decisions", "/decisions?page=2", "/decisions?page=2"]
    assert 'aria-current="page"' in first_html and "page 1 of 2" in first_html
    assert second_links == ["/decisions", "/decisions", "/decisions?page=2"]
    assert "Decisions 51 to 63 of 63." in second_html

    # Another council's public reads only its own two, with links that stay in it.
    theirs, their_links, their_html = _listed(web, "/decisions?council=other")
    assert sorted(theirs) == sorted(f"/decisions/{c}/decision-notice" for c in ids[-MOVED:])
    assert their_links == [] and "govuk-pagination" not in their_html
    assert f'href="/decisions/{ids[-1]}/decision-notice.html?council=other"' in their_html


def test_the_links_keep_the_council_and_a_bad_page_is_answered_plainly(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    settings = web_app_parts[1]
    ids = publish_decisions(engine, web_clock, settings, web.seeded)
    _move_to_another_council(engine, web_clock, settings, ids)  # all 65 are "other"'s
    web.client.cookies.clear()
    _, links, html = _listed(web, "/decisions?council=other&page=2")
    other, on_two = "/decisions?council=other", "/decisions?council=other&amp;page=2"
    assert links == [other, other, on_two]
    assert "Decisions 51 to 65 of 65." in html
    _, links, _ = _listed(web, "/decisions?council=other")
    assert links == [other, on_two, on_two]
    empty = web.client.get("/decisions")
    assert "No decisions have been published yet." in empty.text

    for bad in ("0", "-1", "two", "1.5", "99999999999999999999", ""):
        answer = web.client.get(f"/decisions?council=other&page={bad}")
        if bad == "":  # no number at all is the first page
            assert answer.status_code == 200
            continue
        assert answer.status_code == 400, bad
        assert "is not a page number" in answer.text
        assert 'href="/decisions?council=other"' in answer.text
    past = web.client.get("/decisions?council=other&page=3")
    assert past.status_code == 404
    assert "There is no page 3 of decisions published: the last is page 2." in past.text
    assert 'href="/decisions?council=other&amp;page=2"' in past.text
    nothing = web.client.get("/decisions?page=2")  # nothing published: one (empty) page
    assert nothing.status_code == 404 and "the last is page 1" in nothing.text


def test_a_page_costs_the_same_statements_whatever_the_list_s_length(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    web.client.cookies.clear()
    with counting(engine) as few:
        assert web.client.get("/decisions").status_code == 200
    publish_decisions(engine, web_clock, web_app_parts[1], web.seeded)
    counts = []
    for url in ("/decisions", "/decisions?page=2"):
        with counting(engine) as seen:
            assert web.client.get(url).status_code == 200
        counts.append(len(seen))
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert counts == [len(few), len(few)], (counts, len(few))
    assert len(few) <= 6, few
    assert any("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in selects), selects


def test_a_smaller_page_size_pages_accordingly(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    """COUNCILFLOW_DECISIONS_PAGE_SIZE=20: the same 65 decisions, in the same order, on four
    pages of 20, 20, 20 and 5; page 5 is past the last. Page 4 reads 80 rows of each half
    of the list (``documents.public._published``), so a deep page is still complete."""
    settings = web_app_parts[1]
    publish_decisions(engine, web_clock, settings, web.seeded)
    web.client.cookies.clear()
    at_fifty = _listed(web, "/decisions")[0] + _listed(web, "/decisions?page=2")[0]

    twenty = settings.model_copy(update={"decisions_page_size": 20})
    with TestClient(create_app(settings=twenty, clock=web_clock, engine=engine)) as client:
        small = WebClient(client, web.seeded)
        pages = [
            _listed(small, "/decisions" + (f"?page={n}" if n > 1 else "")) for n in range(1, 5)
        ]
        assert [len(listed) for listed, _, _ in pages] == [20, 20, 20, 5]
        assert [u for listed, _, _ in pages for u in listed] == at_fifty
        assert "Decisions 21 to 40 of 65." in pages[1][2]
        assert "Decisions 61 to 65 of 65." in pages[3][2]
        assert "page 4 of 4" in pages[3][2]
        past = client.get("/decisions?page=5")
        assert past.status_code == 404
        assert "There is no page 5 of decisions published: the last is page 4." in past.text


@pytest.mark.parametrize("size", [9, 201])
def test_a_page_size_out_of_bounds_is_refused(size: int) -> None:
    with pytest.raises(ValidationError, match="decisions_page_size"):
        Settings(decisions_page_size=size)


def test_a_reconsidered_decision_is_listed_once_at_its_latest_notice(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    """The first case's notice went out on Fri 6 Sep; Cabinet decides it again on Thu 12 Sep
    (a second resolution, as after a call-in) with its notice on Fri 13 Sep. The list shows the
    case's notice once, with the later decision, after the five records of Tue 17 Sep: the
    superseded notice of 6 Sep is on no page, and the total is still 65."""
    settings = web_app_parts[1]
    ids = publish_decisions(engine, web_clock, settings, web.seeded)
    with unit_of_work(engine) as session:
        session.add(
            Resolution(
                case_id=ids[0],
                outcome="approved",
                text="Extend; reconsidered.",
                decided_on=date(2024, 9, 12),
                notice_published_on=date(2024, 9, 13),
                recorded_by_id=web.seeded.user_ids["clerk"],
                recorded_at=datetime(2024, 9, 13, 9, tzinfo=UTC),
            )
        )
    web.client.cookies.clear()
    first, _, html = _listed(web, "/decisions")
    every = first + _listed(web, "/decisions?page=2")[0]
    assert len(every) == len(set(every)) == CASES + SIGNED
    assert "of 65." in html
    notice = f"/decisions/{ids[0]}/decision-notice"
    assert every.count(notice) == 1 and every.index(notice) == SIGNED
    assert "13 September 2024" in html
