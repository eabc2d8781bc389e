"""Recording a procurement notice on the case page (SPEC §9, issue 9 part 3): offered only to
those ``may_record`` allows and only for the notices the case owes now; the domain's refusals
in the GOV.UK error summary beside their field, changing nothing; once recorded, the case page
shows the notice published and its deadline met, and the standstill running.

The case is ``noticecase.owing_case``'s: a contract change notice due by Thu 19 Mar 2026;
it is published on Fri 19 Dec 2025, so its standstill of 8 working days ends Fri 2 Jan 2026
(after Christmas, Boxing Day and New Year's Day).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from noticecase import at, owing_case
from sqlalchemy.engine import Engine
from webcase import WebClient, date_fields, form_fields

from workflow.clock import FrozenClock
from workflow.db import unit_of_work
from workflow.models import Case, Deadline

CCN = "contract_change_notice"
FORM = "/cases/{id}/procurement-notice"


def _state(engine: Engine, case_id: int) -> tuple[int, Any, list[tuple[str, str]]]:
    """The case's version, its recorded notices and its deadlines (kind, status)."""
    from sqlmodel import select

    with unit_of_work(engine, write=False) as session:
        case = session.get(Case, case_id)
        assert case is not None
        rows = session.exec(select(Deadline).where(Deadline.case_id == case_id)).all()
        deadlines = sorted((d.kind, d.status) for d in rows)
        return case.version, case.procurement_notices, deadlines


@pytest.fixture
def owing(web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any) -> int:
    case_id = owing_case(engine, web_clock, web_app_parts[1], web.seeded)
    web_clock.travel_to(at(date(2025, 12, 19)))
    return case_id


def test_the_author_records_a_contract_change_notice_from_the_case_page(
    web: WebClient, owing: int
) -> None:
    web.sign_in("officer")
    case_page = web.get(f"/cases/{owing}")
    assert "Record a procurement notice" in case_page.text
    assert "Contract change notice (PA 2023 s.75)" in case_page.text
    assert "Due by 19 March 2026" in case_page.text and "Not published" in case_page.text

    form = web.get(FORM.format(id=owing))
    assert form.status_code == 200
    fields = form_fields(form.text, FORM.format(id=owing))
    # The only notice owed is offered, and chosen already.
    assert fields["kind"] == [f"{CCN}:{_agreement_id(form.text)}"]
    assert "Termination" not in form.text and "Modification notice" not in form.text
    fields |= {k: [v] for k, v in date_fields("published_on", date(2025, 12, 19)).items()}
    fields["reference"] = ["012345-2025"]
    done = web.post(FORM.format(id=owing), fields, follow_redirects=True)
    assert done.status_code == 200, done.text
    assert "The contract change notice (PA 2023 s.75) was recorded as published." in done.text
    text = done.text
    assert "Published 19 December 2025, reference 012345-2025; deadline 19 March 2026 met" in text
    assert "End of the voluntary standstill (s.76)" in text and "Ends 2 January 2026" in text
    assert "Record a procurement notice" not in text  # nothing more is owed
    assert "Notice recorded" in text  # the timeline


@pytest.mark.parametrize(
    ("kind", "day", "field", "words"),
    [
        # a day still to come
        (CCN, date(2025, 12, 20), "#published_on-day", "not on a day still to come"),
        # a notice the case does not owe now
        ("termination_notice", date(2025, 12, 19), "#kind", "no termination_notice is due"),
        ("modification_publication", date(2025, 12, 19), "#kind", "while it is delegated"),
        # not a procurement notice at all
        ("agenda", date(2025, 12, 19), "#kind", "agenda is not a procurement notice"),
    ],
)
def test_the_domain_s_refusals_are_shown_beside_their_field_and_change_nothing(
    web: WebClient, engine: Engine, owing: int, kind: str, day: date, field: str, words: str
) -> None:
    web.sign_in("officer")
    form = web.get(FORM.format(id=owing))
    fields = form_fields(form.text, FORM.format(id=owing))
    fields["kind"] = [kind]
    fields |= {k: [v] for k, v in date_fields("published_on", day).items()}
    before = _state(engine, owing)
    refused = web.post(FORM.format(id=owing), fields)
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.text
    assert f'href="{field}"' in refused.text and words in refused.text
    assert "govuk-error-message" in refused.text  # beside the field too
    assert _state(engine, owing) == before


def test_a_notice_cannot_be_published_before_the_modification_it_reports(
    web: WebClient, engine: Engine, web_clock: FrozenClock, owing: int
) -> None:
    """After the sign-off on Mon 5 Jan 2026, the s.77 publication is owed; a day before the
    sign-off is refused by the field, and one after its last day is recorded as late."""
    web.sign_in("officer")
    fields = form_fields(web.get(FORM.format(id=owing)).text, FORM.format(id=owing))
    fields |= {k: [v] for k, v in date_fields("published_on", date(2025, 12, 19)).items()}
    assert web.post(FORM.format(id=owing), fields, follow_redirects=False).status_code == 303
    web_clock.travel_to(at(date(2026, 1, 5)))
    web.sign_in("executive")
    sign_off = web.get(f"/cases/{owing}/events/sign_off")
    body = form_fields(sign_off.text, f"/cases/{owing}/events/sign_off")
    body |= {"months": ["6"], "reasons": ["Re-procure."], "conflicts_of_interest": ["None"]}
    checked = web.post(f"/cases/{owing}/events/sign_off", body)
    confirm = form_fields(checked.text, f"/cases/{owing}/events/sign_off")
    assert (
        web.post(f"/cases/{owing}/events/sign_off", confirm, follow_redirects=False).status_code
        == 303
    )

    web.sign_in("officer")
    form = web.get(FORM.format(id=owing))
    assert "Publication of the modified contract (s.77)" in form.text
    fields = form_fields(form.text, FORM.format(id=owing))
    fields["kind"] = [
        f"modification_publication:{_agreement_id(form.text, 'modification_publication')}"
    ]
    fields |= {k: [v] for k, v in date_fields("published_on", date(2026, 1, 2)).items()}
    before = _state(engine, owing)
    refused = web.post(FORM.format(id=owing), fields)
    assert refused.status_code == 400
    assert "follows the modification it publishes, on 05/01/2026" in refused.text
    assert 'href="#published_on-day"' in refused.text
    assert _state(engine, owing) == before

    # Published late, on Mon 6 Apr 2026 (s.77: within 90 days of 5 Jan, so by Sat 4 Apr):
    # recorded, and shown as late rather than as met.
    web_clock.travel_to(at(date(2026, 4, 7)))
    fields |= {k: [v] for k, v in date_fields("published_on", date(2026, 4, 6)).items()}
    late = web.post(FORM.format(id=owing), fields, follow_redirects=True)
    assert "Published 6 April 2026; late: the deadline was 4 April 2026" in late.text


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ({}, "Enter the date the notice was published"),
        (
            {"published_on-day": "31", "published_on-month": "2", "published_on-year": "2025"},
            "real date",
        ),
    ],
)
def test_a_missing_or_impossible_date_is_refused_by_the_form(
    web: WebClient, engine: Engine, owing: int, parts: dict[str, str], words: str
) -> None:
    web.sign_in("officer")
    fields = form_fields(web.get(FORM.format(id=owing)).text, FORM.format(id=owing))
    fields |= {k: [v] for k, v in parts.items()}
    before = _state(engine, owing)
    refused = web.post(FORM.format(id=owing), fields)
    assert refused.status_code == 400 and words in refused.text
    assert 'href="#published_on-day"' in refused.text
    assert _state(engine, owing) == before


@pytest.mark.parametrize("who", ["viewer", "executive", "cabinet_member"])
def test_only_those_may_record_allows_see_the_form(
    web: WebClient, engine: Engine, owing: int, who: str
) -> None:
    web.sign_in(who)
    case_page = web.get(f"/cases/{owing}")
    assert case_page.status_code == 200
    assert "Record a procurement notice" not in case_page.text
    assert web.get(FORM.format(id=owing)).status_code == 403
    before = _state(engine, owing)
    posted = web.post(
        FORM.format(id=owing),
        {"kind": f"{CCN}:all", **date_fields("published_on", date(2025, 12, 19))},
    )
    assert posted.status_code == 403
    assert _state(engine, owing) == before


def test_democratic_services_record_for_every_agreement_at_once(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    case_id = owing_case(engine, web_clock, web_app_parts[1], web.seeded, agreements=2)
    web_clock.travel_to(at(date(2025, 12, 19)))
    web.sign_in("clerk")
    form = web.get(FORM.format(id=case_id))
    assert "Contract change notice (PA 2023 s.75), for all 2 agreements" in form.text
    assert "Contract change notice (PA 2023 s.75), PA-NOTICE-2" in form.text
    fields = form_fields(form.text, FORM.format(id=case_id))
    assert fields.get("kind") is None  # two or more choices: none chosen for them
    fields["kind"] = [f"{CCN}:all"]
    fields |= {k: [v] for k, v in date_fields("published_on", date(2025, 12, 19)).items()}
    assert web.post(FORM.format(id=case_id), fields, follow_redirects=False).status_code == 303
    _version, notices, deadlines = _state(engine, case_id)
    assert sorted(n["published_on"] for n in notices) == ["2025-12-19", "2025-12-19"]
    assert [s for k, s in deadlines if k == CCN] == ["done", "done"]
    page = web.get(f"/cases/{case_id}").text
    assert "2 agreements: PA-NOTICE-1, PA-NOTICE-2" in page


def test_for_every_agreement_leaves_one_already_recorded_as_it_was(
    web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any
) -> None:
    """PA-NOTICE-1's notice is recorded on Fri 19 Dec 2025 with its reference; a form for
    "all" posted on Mon 22 Dec records PA-NOTICE-2's and leaves PA-NOTICE-1's day (and so its
    standstill) and reference alone."""
    case_id = owing_case(engine, web_clock, web_app_parts[1], web.seeded, agreements=2)
    web_clock.travel_to(at(date(2025, 12, 19)))
    web.sign_in("clerk")
    form = web.get(FORM.format(id=case_id))
    fields = form_fields(form.text, FORM.format(id=case_id))
    first = _agreement_id(form.text)
    fields["kind"] = [f"{CCN}:{first}"]
    fields["reference"] = ["000001-2025"]
    fields |= {k: [v] for k, v in date_fields("published_on", date(2025, 12, 19)).items()}
    assert web.post(FORM.format(id=case_id), fields, follow_redirects=False).status_code == 303

    web_clock.travel_to(at(date(2025, 12, 22)))
    fields = form_fields(web.get(FORM.format(id=case_id)).text, FORM.format(id=case_id))
    fields["kind"] = [f"{CCN}:all"]  # a form opened before the first was recorded
    fields["reference"] = ["000002-2025"]
    fields |= {k: [v] for k, v in date_fields("published_on", date(2025, 12, 22)).items()}
    assert web.post(FORM.format(id=case_id), fields, follow_redirects=False).status_code == 303
    _version, notices, _deadlines = _state(engine, case_id)
    assert sorted((n["published_on"], n["reference"]) for n in notices) == [
        ("2025-12-19", "000001-2025"),
        ("2025-12-22", "000002-2025"),
    ]


def test_a_form_left_open_while_the_case_moved_on_is_refused(
    web: WebClient, engine: Engine, owing: int
) -> None:
    web.sign_in("officer")
    fields = form_fields(web.get(FORM.format(id=owing)).text, FORM.format(id=owing))
    fields |= {k: [v] for k, v in date_fields("published_on", date(2025, 12, 19)).items()}
    fields["version"] = [str(int(fields["version"][0]) - 1)]
    before = _state(engine, owing)
    refused = web.post(FORM.format(id=owing), fields)
    assert refused.status_code == 400 and "Someone else changed this case" in refused.text
    assert _state(engine, owing) == before


def _agreement_id(html: str, kind: str = CCN) -> str:
    found = re.search(rf'value="{kind}:(\d+(?::[0-9-]+)?)"', html)
    assert found is not None
    return found.group(1)
