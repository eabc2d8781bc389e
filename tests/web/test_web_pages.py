"""What the pages say and do, without a browser: quick, and on every configured database."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from webcase import OLDHAM_SUMMARY_WORDS, WebClient, date_fields, form_fields

from api.web import labels
from api.web.event_forms import widgets
from api.web.forms import Errors, date_items, parts_of
from api.web.templating import render
from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.lifecycle.cases import create_case, patch_case
from workflow.lifecycle.events import fire
from workflow.lifecycle.machine import EVENTS
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.models import Agreement, Case, DeadlineKind, State, User, pk
from workflow.register.importer import sample_register
from workflow.schemas import EVENT_PAYLOADS, CasePatch, MeetingNoticeIn, UrgencyIn

FORM_PLUMBING = {"csrf_token", "version", "step"}


def field_names(html: str) -> set[str]:
    form = html.split('<form method="post" action="/cases/', 1)[1].split("</form>", 1)[0]
    names = set(re.findall(r'name="([^"]+)"', form)) - FORM_PLUMBING
    dates = {n.rsplit("-", 1)[0] for n in names if n.endswith(("-day", "-month", "-year"))}
    return {n for n in names if not n.endswith(("-day", "-month", "-year"))} | dates


def summary(html: str) -> list[str]:
    if "govuk-error-summary" not in html:
        return []
    box = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>|\s+", " ", li).strip() for li in box.split("<li>")[1:]]


def test_every_word_the_machine_uses_has_a_label() -> None:
    assert {s.value for s in State} <= set(labels.STATES)
    assert set(EVENTS) <= set(labels.EVENTS)
    assert {k.value for k in DeadlineKind} <= set(labels.DEADLINES)


@pytest.mark.parametrize("event", [e for e in EVENT_PAYLOADS if e != "expire"])
def test_each_event_form_asks_exactly_its_payload(event: str) -> None:
    """Rendered as the page renders it, so every event is covered, including those no one
    could fire on the seed cases as they stand."""
    ws = widgets(event)
    html = render(
        "event.html",
        {
            "service_name": "CouncilFlow",
            "user": None,
            "csrf_token": "t",
            "path": "/",
            "case": SimpleNamespace(id=1, title="A case", version=3),
            "event": event,
            "spec": EVENTS[event],
            "widgets": ws,
            "values": {w.name: parts_of(None) if w.kind == "date" else "" for w in ws},
            "people": {},
            "errors": [],
            "error_of": lambda _field: None,
            "date_items": lambda name: date_items(parts_of(None), name, Errors()),
            "blocked": [],
            "out_of_reach": False,
            "confirm_step": event == "sign_off",
        },
    )
    assert field_names(html) == set(EVENT_PAYLOADS[event].model_fields)
    kinds = {w.name: w.kind for w in ws}
    assert all(kinds[n] == "date" for n in kinds if n.endswith(("_on", "_date")))


def test_an_action_out_of_reach_shows_why_and_no_form(web: WebClient) -> None:
    web.sign_in("viewer")
    page = web.get(f"/cases/{web.seeded.oldham_case_id}/events/withdraw")
    assert "You cannot do this now" in page.text
    assert "This may be done by the author, or an admin." in page.text
    assert 'action="/cases/' not in page.text
    web.sign_in("oldham_officer")
    page = web.get(f"/cases/{web.seeded.oldham_case_id}/events/withdraw")
    assert field_names(page.text) == {"reason"}


def test_a_refused_action_lists_each_failing_guard(web: WebClient) -> None:
    # The Oldham meeting (18 September 2023) is long past on 1 July 2024.
    web.sign_in("oldham_officer")
    case = f"/cases/{web.seeded.oldham_case_id}"
    page = web.get(case)
    assert "Submit to Cabinet" not in page.text.split("What you can do")[1].split("The case")[0]
    assert "You cannot submit to Cabinet yet" in page.text
    web.get(f"{case}/events/submit")
    refused = web.post(f"{case}/events/submit", {"version": "1"})
    assert refused.status_code == 400
    lines = summary(refused.text)
    assert lines == [
        "The agenda for the meeting on Mon 18 Sep 2023 had to be published by Sun 10 Sep 2023 "
        "(5 clear working days); a late item needs the chair&#39;s reason for urgency "
        "(SI 2012/2089 reg 7)"
    ], lines
    assert "Drafted" in web.get(case).text


def test_a_viewer_sees_the_oldham_report_redacted(web: WebClient) -> None:
    web.sign_in("viewer")
    page = web.get(f"/cases/{web.seeded.oldham_case_id}")
    assert page.status_code == 200
    assert "Service Level Agreement with Miocare Group CIC" in page.text
    assert "paragraph 3 of Schedule 12A to the Local Government Act 1972" in page.text
    for secret in (OLDHAM_SUMMARY_WORDS, "Set out in the exempt report", "Do nothing", "£25,000"):
        assert secret not in page.text, secret
    assert "There is nothing for you to do on this case now." in page.text
    web.sign_in("oldham_officer")
    page = web.get(f"/cases/{web.seeded.oldham_case_id}")
    assert OLDHAM_SUMMARY_WORDS in page.text and "Do nothing" in page.text


def test_not_found_and_forbidden_are_pages(web: WebClient) -> None:
    web.sign_in("viewer")
    forbidden = web.get("/cases/new")
    assert forbidden.status_code == 403 and "You cannot do that" in forbidden.text
    missing = web.get("/cases/99999")
    assert missing.status_code == 404 and "Page not found" in missing.text
    assert web.get("/cases/1/events/expire").status_code == 404


def test_the_draft_form_reports_problems_by_field(web: WebClient) -> None:
    web.sign_in("officer")
    web.get("/cases/new")
    sent = web.post(
        "/cases/new",
        {"kind": "extension", "option_count": "2", "title": "", "directorate": "ASC"}
        | {"proposal_start_date-day": "31", "proposal_start_date-month": "2"}
        | {"proposal_start_date-year": "2024", "proposal_initial_months": "six"},
    )
    assert sent.status_code == 400
    lines = summary(sent.text)
    assert "Start of the new term must be a real date, like 5 9 2024" in lines
    assert "Months at first must be a whole number, like 6" in lines
    assert 'href="#proposal_start_date-day"' in sent.text
    sent = web.post(
        "/cases/new",
        {"kind": "extension", "option_count": "2", "title": "", "directorate": "ASC"}
        | date_fields("proposal_start_date", date(2024, 10, 1))
        | {"proposal_initial_months": "6", "proposal_max_months": "12"},
    )
    lines = summary(sent.text)
    assert "Enter title" in lines, lines
    assert any(line.startswith("Agreements covered") for line in lines), lines
    assert 'href="#title"' in sent.text


def test_options_are_added_and_removed_without_losing_what_was_typed(web: WebClient) -> None:
    web.sign_in("officer")
    web.get("/cases/new")
    typed = {
        "kind": "extension",
        "title": "Keep me",
        "option_count": "2",
        "option-0-label": "First",
        "option-1-label": "Second",
    }
    added = web.post("/cases/new", typed | {"action": "add_option"})
    assert added.status_code == 200
    assert 'name="option-2-label"' in added.text and 'value="Keep me"' in added.text
    removed = web.post(
        "/cases/new",
        typed | {"option_count": "3", "option-2-label": "Third", "action": "remove_option-0"},
    )
    assert 'name="option-2-label"' not in removed.text
    assert re.search(r'name="option-0-label"[^>]*value="Second"', removed.text)
    assert re.search(r'name="option-1-label"[^>]*value="Third"', removed.text)


def test_a_form_left_open_while_the_case_changed_is_refused(web: WebClient) -> None:
    web.sign_in("oldham_officer")
    case = f"/cases/{web.seeded.oldham_case_id}"
    form = web.get(f"{case}/events/withdraw")
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version
    edit = web.get(f"{case}/edit")
    assert edit.status_code == 200
    fields = form_fields(edit.text, f"{case}/edit") | {"agenda_item": ["7A"], "action": ["save"]}
    saved = web.client.post(f"{case}/edit", data=fields)
    assert saved.status_code == 200, summary(saved.text)
    assert "Your changes to the draft were saved." in saved.text
    changed = saved.text.split("Changed:", 1)[1].split("</dd>", 1)[0]
    assert changed.rsplit(">", 1)[1] == "agenda item"  # only what differed is patched
    web.get(case)
    stale = web.post(f"{case}/events/withdraw", {"version": version.group(1), "reason": "Late"})
    assert stale.status_code == 400
    assert any("Someone else changed this case" in line for line in summary(stale.text))


def test_importing_a_register_lists_the_refused_rows(web: WebClient) -> None:
    web.sign_in("officer")
    web.get("/agreements/import")
    lines = sample_register().decode("utf-8-sig").splitlines()
    bad = lines[1].split(",")
    bad[0] = "CR-BAD-ROW"
    bad_row = ",".join(bad).replace("01/03/2019", "31/02/2019")
    body = ("\n".join([*lines, bad_row]) + "\n").encode()
    done = web.client.post(
        "/agreements/import",
        data={"csrf_token": web.csrf},
        files={"register": ("register.csv", body, "text/csv")},
    )
    assert done.status_code == 200, done.text
    assert "Import results: register.csv" in done.text
    refused = done.text.split("Refused rows", 1)[1]
    assert "CR-BAD-ROW" in refused
    web.get("/agreements/import")
    junk = web.client.post(
        "/agreements/import",
        data={"csrf_token": web.csrf},
        files={"register": ("x.csv", b"\x00\x01\x02 not a register", "text/csv")},
    )
    assert junk.status_code == 400 and "govuk-error-summary" in junk.text


def test_the_register_searches_and_filters(web: WebClient) -> None:
    web.sign_in("officer")
    found = web.get("/agreements", params={"q": "miocare"})
    table = found.text.split("matching your search", 1)[1]
    assert "OLDHAM-SLA-MIOCARE" in table and "SEFTON-DAYOPS-01" not in table
    ended = web.get("/agreements", params={"kind": "contract", "ends": "ended"})
    assert "No agreements match." in ended.text  # Sefton's end on 30 September 2024
    soon = web.get("/agreements", params={"kind": "contract", "ends": "180"})
    table = soon.text.split("matching your search", 1)[1]
    assert "SEFTON-DAYOPS-01" in table and "OLDHAM-SLA-MIOCARE" not in table
    coming = web.get("/agreements").text.split("End dates coming up", 1)[1].split("</table>")[0]
    assert "SEFTON-DAYOPS-01" in coming


def test_the_register_page_links_its_csv_export_with_its_filters(web: WebClient) -> None:
    web.sign_in("viewer")
    page = web.get("/agreements", params={"q": "miocare", "kind": "sla"}).text
    assert 'href="/agreements/export.csv?q=miocare&amp;kind=sla"' in page
    answer = web.get("/agreements/export.csv", params={"q": "miocare", "kind": "sla"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    [header, row] = answer.text.splitlines()
    assert header.startswith("Reference Number,Title of Agreement,")
    assert row.startswith("OLDHAM-SLA-MIOCARE,")


def test_the_calendar_page_gives_the_feed_address_and_a_download(web: WebClient) -> None:
    web.sign_in("oldham_officer")
    page = web.get("/calendar")
    assert "/api/v1/calendar.ics" in page.text
    assert "Authorization: Bearer" in page.text
    subscribe = page.text.split('id="subscribe-url">', 1)[1].split("</code>", 1)[0]
    key = subscribe.split("?key=", 1)[1]
    by_key = web.client.get("/api/v1/calendar.ics", params={"key": key})
    assert by_key.status_code == 200
    assert b"Service Level Agreement with Miocare Group CIC" in by_key.content
    feed = web.client.get("/calendar/download")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    assert b"Service Level Agreement with Miocare Group CIC" in feed.content


def test_the_case_page_shows_the_reg_12_record_of_cabinets_decision(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    """Issue 11: the record of Cabinet's decision (SI 2012/2089 reg 12) is on the page, with
    the agenda's publication."""
    _app, settings = web_app_parts
    ids = web.seeded.user_ids
    with unit_of_work(engine) as session:
        ctx = Ctx(session, web_clock, settings)
        officer, clerk = session.get(User, ids["officer"]), session.get(User, ids["clerk"])
        assert officer is not None and clerk is not None
        case = create_case(ctx, demo.sefton_case_in(web.seeded.sefton_agreement_ids), officer)
        assert case.id is not None
        case_id = case.id
        fire(ctx, case_id, "submit", officer)
        notice = MeetingNoticeIn(kind="agenda", published_on=date(2024, 7, 1))
        record_meeting_notice(ctx, case_id, notice, clerk)
    web_clock.travel_to(datetime(2024, 9, 6, 9, tzinfo=UTC))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, web_clock, settings)
        clerk = session.get(User, ids["clerk"])
        assert clerk is not None
        body = {
            "resolution": "Extend the contracts.",
            "decided_on": "2024-09-05",
            "notice_published_on": "2024-09-06",
            "delegate_id": ids["executive"],
            "consultee_id": ids["cabinet_member"],
            "conflicts_of_interest": "Cllr Member declared an interest; dispensation granted.",
            "dispensation": "Granted by the head of paid service on 2 Sep 2024.",
        }
        fire(ctx, case_id, "approve", clerk, body)
    web.sign_in("officer")
    page = web.get(f"/cases/{case_id}").text
    assert "Record of Cabinet's decision (SI 2012/2089 reg 12)" in page
    assert "Granted by the head of paid service on 2 Sep 2024." in page
    assert "Let the contracts end; Direct award of new long-term contracts" in page
    assert "Agenda published" in page and "1 July 2024" in page


def test_saving_a_draft_keeps_the_office_holder_of_its_urgency(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    """The draft page offers the people holding the offices of SI 2012/2089 regs 10 and 11,
    so saving the form keeps the scrutiny chair told rather than dropping them."""
    _app, settings = web_app_parts
    ids, case_id = web.seeded.user_ids, web.seeded.oldham_case_id
    urgency = UrgencyIn(
        route="general_exception",
        reason="Terms end 30 Sep.",
        notified_on=date(2023, 9, 8),
        chair_told_id=ids["scrutiny"],
    )
    with unit_of_work(engine) as session:
        author = session.get(User, ids["oldham_officer"])
        assert author is not None
        patch_case(Ctx(session, web_clock, settings), case_id, CasePatch(urgency=urgency), author)
    web.sign_in("oldham_officer")
    case = f"/cases/{case_id}"
    edit = web.get(f"{case}/edit")
    assert re.search(rf'<option value="{ids["scrutiny"]}" selected>Cllr Sid Scrutiny', edit.text)
    fields = form_fields(edit.text, f"{case}/edit") | {"agenda_item": ["7B"], "action": ["save"]}
    saved = web.client.post(f"{case}/edit", data=fields)
    assert saved.status_code == 200, summary(saved.text)
    with unit_of_work(engine) as session:
        stored = session.get(Case, case_id)
        assert stored is not None
        assert (stored.agenda_item, stored.urgency_chair_told_id) == ("7B", ids["scrutiny"])


def test_the_case_page_shows_part_a_to_everyone_and_part_b_to_the_entitled(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    """Issue 12, fault 4: Oldham as the demo has it, only item 10 exempt (Part B, paragraph
    3). A viewer sees the options, the value and the public-interest test, not Part B."""
    _app, settings = web_app_parts
    ids = web.seeded.user_ids
    with unit_of_work(engine) as session:
        ctx = Ctx(session, web_clock, settings)
        author = session.get(User, ids["oldham_officer"])
        assert author is not None
        miocare = session.exec(
            select(Agreement).where(Agreement.reference == "OLDHAM-SLA-MIOCARE")
        ).one()
        data = demo.oldham_case_in([pk(miocare.id)], public_interest_by=ids["clerk"])
        case_id = create_case(ctx, data, author).id
    web.sign_in("viewer")
    page = html.unescape(web.get(f"/cases/{case_id}").text)
    assert "Part B only (1 part); the rest of the report is public" in page
    assert "Part B: Item 10: commercially sensitive information" in page
    assert "This part is not shown to you. Exempt information under paragraph 3" in page
    assert str(demo.OLDHAM_PART_B.content) not in page
    for public in (OLDHAM_SUMMARY_WORDS, "Do nothing", "Set out in the exempt report"):
        assert public in page, public
    assert demo.OLDHAM_PUBLIC_INTEREST_REASONS in page
    assert "Dee Services on 18 August 2023" in page and "18 September 2024" in page
    web.sign_in("oldham_officer")
    assert str(demo.OLDHAM_PART_B.content) in web.get(f"/cases/{case_id}").text


def test_the_draft_form_keeps_part_b_and_the_public_interest_test(
    web: WebClient, engine: Engine
) -> None:
    """Saving the draft form unchanged keeps Part B, its covers and the public-interest test;
    a changed Part B content is what the patch carries."""
    web.sign_in("oldham_officer")
    case = f"/cases/{web.seeded.oldham_case_id}"
    fields = form_fields(web.get(f"{case}/edit").text, f"{case}/edit")
    part_b = {
        "exempt_paragraph": [""],
        "part_b_paragraph": ["3"],
        "part_b_heading": ["Item 10: prices"],
        "part_b_content": ["The prices per service."],
        "part_b_covers": ["figures"],
        "public_interest_by": [str(web.seeded.user_ids["clerk"])],
        "public_interest_reasons": ["Commercial prejudice outweighs disclosure."],
        "public_interest_decided_on-day": ["18"],
        "public_interest_decided_on-month": ["8"],
        "public_interest_decided_on-year": ["2023"],
        "exemption_lapses_on-day": ["1"],
        "exemption_lapses_on-month": ["10"],
        "exemption_lapses_on-year": ["2025"],
        "action": ["save"],
    }
    saved = web.client.post(f"{case}/edit", data=fields | part_b)
    assert saved.status_code == 200, summary(saved.text)
    with unit_of_work(engine) as session:
        stored = session.get(Case, web.seeded.oldham_case_id)
        assert stored is not None
        assert stored.exempt_paragraph is None
        assert stored.exempt_parts == [
            {
                "paragraph": 3,
                "heading": "Item 10: prices",
                "content": "The prices per service.",
                "covers": ["figures"],
            }
        ]
        assert stored.public_interest_decided_by_id == web.seeded.user_ids["clerk"]
        assert stored.exemption_lapses_on == date(2025, 10, 1)
    edit = web.get(f"{case}/edit").text
    assert re.search(r'name="part_b_covers"[^>]*value="figures"[^>]*checked', edit)
    again = web.client.post(
        f"{case}/edit", data=form_fields(edit, f"{case}/edit") | {"action": ["save"]}
    )
    assert "Nothing was changed." in again.text, summary(again.text)
