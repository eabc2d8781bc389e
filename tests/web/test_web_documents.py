"""Issue 9 part 4: the documents the law asks a council to publish, as HTML and as PDF, with
exempt content redacted in both; the draft contract change notice as a valid OCDS 1.1
release; the contracts register; and the public list of published decisions.

An exempt (paragraph 3) extension goes to Cabinet on Thu 5 Sep 2024, is approved with its
notice published Fri 6 Sep, and is signed off on Mon 16 Sep with its reg 13 record published
Tue 17 Sep. Its exempt words are marked ``SECRET-…`` so a search of any page or PDF finds
them if they leak. A second case stays a draft and must never be published.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ocdsmerge import Merger
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from webcase import WebClient

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.documents.ocds import GROUNDS, rationale
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire
from workflow.lifecycle.meeting_notices import record_meeting_notice
from workflow.models import Case, User, pk
from workflow.register.agreements import create_agreement
from workflow.schemas import (
    AgreementIn,
    CaseIn,
    ConsultationIn,
    MeetingNoticeIn,
    OptionIn,
    ProposalIn,
    ReportIn,
)
from workflow.timerules import LONDON

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "ocds" / "release-schema-1__1__4.json"
SCHEMA_SHA256 = "4226ea4a3016030171db667166c11ab5c22777de5f75a44aa601a610809b5696"
SECRETS = ("SECRET-RESOLUTION", "SECRET-REPORT-REASONS", "SECRET-SIGN-OFF-REASONS")
VALUE_SHOWN = "£123,456"  # an agreement's annual value: hidden from the public (exempt case)
TITLE = "Day services extension for the documents"
DRAFT_TITLE = "A draft that is never published"


# The award facts SPEC §9 asks of each agreement (from the procurement work): a PCR 2015
# light-touch services contract whose terms provide for twelve months' extension.
AWARD_FACTS = {
    "procurement_regime": "pcr2015",
    "procurement_started_on": date(2021, 3, 1),
    "light_touch": True,
    "contract_type": "services",
    "award_value_pence": 37_036_800,
    "award_max_months": 36,
    "extension_options_months": 12,
}
FACTS = {k: v for k, v in AWARD_FACTS.items() if k in AgreementIn.model_fields}


@dataclass
class Decided:
    case_id: int
    draft_id: int
    sign_off_id: int


def _at(year: int, month: int, day: int) -> Any:
    from datetime import datetime, time

    return datetime.combine(date(year, month, day), time(10), tzinfo=LONDON)


def _case_in(agreement_ids: list[int], title: str) -> CaseIn:
    return CaseIn(
        kind="extension",  # type: ignore[arg-type]
        title=title,
        directorate="Adult Social Care",
        agreement_ids=agreement_ids,
        meeting_date=date(2024, 9, 5),
        agenda_item="5",
        exempt_paragraph=3,
        private_notice_published_on=date(2024, 7, 1),
        private_further_notice_published_on=date(2024, 8, 29),
        proposal=ProposalIn(start_date=date(2024, 10, 1), initial_months=6, max_months=12),
        report=ReportIn(
            summary="Extend while the service is re-procured.",
            options=[
                OptionIn(
                    label="Let it end",
                    description="Allow the contracts to end.",
                    rejected_reason="People would lose their day service.",
                ),
                OptionIn(label="Extend", description="Extend within the envelope."),
            ],
            recommended_option="Extend",
            reasons="SECRET-REPORT-REASONS: time for a compliant procurement.",
            financial_implications="Within the existing budget.",
        ),
    )


@pytest.fixture
def decided(web: WebClient, engine: Engine, web_clock: FrozenClock, web_app_parts: Any) -> Decided:
    _app, settings = web_app_parts
    ids = web.seeded.user_ids

    def work() -> Any:
        return _Work(engine, web_clock, settings)

    with work() as ctx:
        officer = _user(ctx, ids["officer"])
        agreements = [
            create_agreement(
                ctx,
                AgreementIn(
                    reference=f"DOC-{n}",
                    title=f"Day opportunities {n}",
                    kind="contract",  # type: ignore[arg-type]
                    counterparty=f"Provider {n} Ltd",
                    directorate="Adult Social Care",
                    annual_value_pence=12_345_600,
                    start_date=date(2021, 10, 1),
                    end_date=date(2024, 9, 30),
                    companies_house_number="01234567" if n == 1 else None,
                    **FACTS,
                ),
                officer,
            )
            for n in (1, 2)
        ]
        case = create_case(ctx, _case_in([pk(a.id) for a in agreements], TITLE), officer)
        case_id = pk(case.id)
        if hasattr(case, "proposal_ground"):  # SPEC §9, from the procurement work
            case.proposal_ground = "provided_for"
        draft = create_case(ctx, _case_in([pk(agreements[0].id)], DRAFT_TITLE), officer)
        draft_id = pk(draft.id)
    with work() as ctx:
        fire(ctx, case_id, "submit", _user(ctx, ids["officer"]))
    web_clock.travel_to(_at(2024, 9, 6))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "approve",
            _user(ctx, ids["clerk"]),
            {
                "resolution": "SECRET-RESOLUTION: approve; delegate further terms.",
                "decided_on": date(2024, 9, 5),
                "notice_published_on": date(2024, 9, 6),
                "delegate_id": ids["executive"],
                "consultee_id": ids["cabinet_member"],
                "max_months": 12,
            },
        )
    web_clock.travel_to(_at(2024, 9, 10))
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn(
                consultee_id=ids["cabinet_member"],
                consulted_on=date(2024, 9, 10),
                response="Agreed.",
            ),
            _user(ctx, ids["executive"]),
        )
    web_clock.travel_to(_at(2024, 9, 16))
    with work() as ctx:
        fire(
            ctx,
            case_id,
            "sign_off",
            _user(ctx, ids["executive"]),
            {"months": 6, "reasons": "SECRET-SIGN-OFF-REASONS", "conflicts_of_interest": "None"},
        )
    web_clock.travel_to(_at(2024, 9, 17))
    with work() as ctx:
        record_meeting_notice(
            ctx,
            case_id,
            MeetingNoticeIn(kind="decision_record", published_on=date(2024, 9, 17)),  # type: ignore[arg-type]
            _user(ctx, ids["clerk"]),
        )
        sign_off_id = pk(ctx.session.get(Case, case_id) and _last_sign_off(ctx, case_id))
    return Decided(case_id=case_id, draft_id=draft_id, sign_off_id=sign_off_id)


class _Work:
    """A unit of work on the web app's database and clock, as the pages have."""

    def __init__(self, engine: Engine, clock: FrozenClock, settings: Any) -> None:
        self.uow = unit_of_work(engine)
        self.clock, self.settings = clock, settings

    def __enter__(self) -> Ctx:
        return Ctx(self.uow.__enter__(), self.clock, self.settings)

    def __exit__(self, *exc: Any) -> Any:
        return self.uow.__exit__(*exc)


def _user(ctx: Ctx, user_id: int) -> User:
    found = ctx.session.get(User, user_id)
    assert found is not None
    return found


def _last_sign_off(ctx: Ctx, case_id: int) -> int:
    from sqlmodel import col, select

    from workflow.models import SignOff

    found = ctx.session.exec(
        select(SignOff.id).where(SignOff.case_id == case_id).order_by(col(SignOff.id).desc())
    ).first()
    assert found is not None
    return found


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _both(web: WebClient, base: str, query: str = "") -> tuple[str, str]:
    """The document as HTML and the text of its PDF."""
    html = web.get(f"{base}.html{query}")
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    pdf = web.get(f"{base}.pdf{query}")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    return html.text, pdf_text(pdf.content)


def _flat(text: str) -> str:
    """PDF text breaks lines where the page does: compare words, not layout."""
    return " ".join(text.split())


# --- the decision notice and the officer record ---------------------------------------------


@pytest.mark.parametrize(
    ("document", "secret"),
    [
        ("decision-notice", "SECRET-RESOLUTION"),
        ("decision-notice", "SECRET-REPORT-REASONS"),
        ("officer-record", "SECRET-SIGN-OFF-REASONS"),
    ],
)
def test_documents_show_exempt_content_only_to_the_entitled(
    web: WebClient, decided: Decided, document: str, secret: str
) -> None:
    base = f"/cases/{decided.case_id}/documents/{document}"
    query = f"?sign_off_id={decided.sign_off_id}" if document == "officer-record" else ""
    web.sign_in("officer")  # the author: entitled
    html, pdf = _both(web, base, query)
    assert secret in html
    assert secret in _flat(pdf)
    assert TITLE in _flat(pdf)
    web.sign_in("viewer")  # nobody on the case: not entitled
    html, pdf = _both(web, base, query)
    assert TITLE in html and TITLE in _flat(pdf)
    for words in SECRETS:
        assert words not in html
        assert words not in _flat(pdf)
    assert "paragraph 3 of Schedule 12A" in html
    assert "paragraph 3 of Schedule 12A" in _flat(pdf)
    assert VALUE_SHOWN not in html and VALUE_SHOWN not in _flat(pdf)


def test_the_decision_notice_is_the_regulation_12_record(web: WebClient, decided: Decided) -> None:
    web.sign_in("clerk")
    html, pdf = _both(web, f"/cases/{decided.case_id}/documents/decision-notice")
    text = _flat(pdf)
    for words in (
        "regulation 12",
        "5 September 2024",  # decided
        "6 September 2024",  # published
        "Let it end",  # the alternative rejected, and why
        "People would lose their day service.",
        VALUE_SHOWN,
    ):
        assert words in html
        assert words in text
    # Accessible tables: a caption and scoped header cells.
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html


def test_the_officer_record_names_the_decision_maker_and_term(
    web: WebClient, decided: Decided
) -> None:
    web.sign_in("executive")
    html, pdf = _both(web, f"/cases/{decided.case_id}/documents/officer-record")
    text = _flat(pdf)
    for words in ("SI 2012/2089 reg 13", "Eve Director", "1 October 2024", "31 March 2025"):
        assert words in html
        assert words in text
    assert (
        web.get(
            f"/cases/{decided.case_id}/documents/officer-record.html?sign_off_id=999999"
        ).status_code
        == 404
    )


def test_the_case_page_links_its_documents(web: WebClient, decided: Decided) -> None:
    web.sign_in("officer")
    page = web.get(f"/cases/{decided.case_id}").text
    base = f"/cases/{decided.case_id}/documents"
    for href in (
        f"{base}/decision-notice.html",
        f"{base}/decision-notice.pdf",
        f"{base}/officer-record.pdf?sign_off_id={decided.sign_off_id}",
        f"{base}/contract-change-notice.json",
    ):
        assert f'href="{href}"' in page
    draft = web.get(f"/cases/{decided.draft_id}").text
    assert "decision-notice.html" not in draft and "contract-change-notice.json" in draft
    assert 'href="/decisions"' in draft


def test_documents_need_a_decision_and_a_sign_in(web: WebClient, decided: Decided) -> None:
    web.sign_in("officer")
    draft = f"/cases/{decided.draft_id}/documents"
    assert web.get(f"{draft}/decision-notice.html").status_code == 404
    assert web.get(f"{draft}/officer-record.pdf").status_code == 404
    web.client.cookies.clear()
    gone = web.get(
        f"/cases/{decided.case_id}/documents/decision-notice.html", follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"].startswith("/sign-in")


# --- the draft contract change notice (OCDS) -------------------------------------------------


def ocds_validator() -> jsonschema.Draft4Validator:
    raw = SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    schema = json.loads(raw)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_contract_change_notice_is_a_valid_ocds_release(
    web: WebClient, decided: Decided
) -> None:
    web.sign_in("officer")
    answer = web.get(f"/cases/{decided.case_id}/documents/contract-change-notice.json")
    assert answer.status_code == 200
    package = answer.json()
    assert package["version"] == "1.1"
    releases = package["releases"]
    assert len(releases) == 2  # one contracting process per agreement
    validator = ocds_validator()
    for release in releases:
        problems = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(release)]
        assert problems == []
        assert release["tag"] == ["contractAmendment"]
        contract = release["contracts"][0]
        assert contract["period"]["endDate"] == "2025-03-31T00:00:00Z"
        amendment = contract["amendments"][0]
        assert "31 March 2025" in amendment["description"]
        assert "£123,456.00" in amendment["description"]
        # The rationale is the case's lawful ground (SPEC §9), once cases record one.
        ground = "provided_for" if hasattr(Case, "proposal_ground") else None
        assert amendment.get("rationale") == rationale(ground)
        # ocdsmerge (PyPI) compiles the release with the same schema's merge rules.
        compiled = Merger(schema=json.loads(SCHEMA.read_text())).create_compiled_release([release])
        assert compiled["contracts"][0]["amendments"][0]["id"] == f"case-{decided.case_id}"
    # The same package for a bearer client (SPEC §7's API).
    token = web.seeded.tokens["officer"]
    api = web.client.get(
        f"/api/v1/cases/{decided.case_id}/contract-change-notice",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200
    assert [r["ocid"] for r in api.json()["releases"]] == [r["ocid"] for r in releases]
    supplier = releases[0]["parties"][1]
    assert supplier["identifier"] == {
        "scheme": "GB-COH",
        "id": "01234567",
        "legalName": "Provider 1 Ltd",
    }


def test_the_contract_change_notice_hides_what_is_exempt(web: WebClient, decided: Decided) -> None:
    web.sign_in("viewer")
    package = web.get(f"/cases/{decided.case_id}/documents/contract-change-notice.json").json()
    validator = ocds_validator()
    for release in package["releases"]:
        assert list(validator.iter_errors(release)) == []
        assert "£" not in release["contracts"][0]["amendments"][0]["description"]
    html, pdf = _both(web, f"/cases/{decided.case_id}/documents/contract-change-notice")
    for text in (html, _flat(pdf)):
        assert "contractAmendment" in text
        assert "123,456" not in text and "12345600" not in text
        assert "paragraph 3 of Schedule 12A" in text


def test_every_ground_has_its_law() -> None:
    for ground, words in GROUNDS.items():
        assert rationale(ground) == words
        assert "Regulations 2015" in words or "Act 2023" in words
    assert rationale(None) is None


# --- the register -----------------------------------------------------------------------------


def test_the_register_page_and_pdf_are_the_csv(web: WebClient, decided: Decided) -> None:
    web.sign_in("clerk")
    html, pdf = _both(web, "/agreements/register")
    assert "DOC-1" in html and "123456.00" in html
    assert "DOC-1" in _flat(pdf) and "Reference Number" in _flat(pdf)
    public_csv = web.client.get("/transparency/contracts-register.csv")
    assert public_csv.status_code == 200
    lines = [line for line in public_csv.text.splitlines() if line.startswith("DOC-")]
    assert len(lines) == 2 and all("123456.00" not in line for line in lines)


# --- what the public may read ------------------------------------------------------------------


def test_the_public_page_lists_only_published_decisions(web: WebClient, decided: Decided) -> None:
    web.client.cookies.clear()
    page = web.client.get("/decisions")
    assert page.status_code == 200
    assert TITLE in page.text
    assert DRAFT_TITLE not in page.text
    for words in SECRETS:
        assert words not in page.text
    links = [
        f"/decisions/{decided.case_id}/decision-notice",
        f"/decisions/{decided.case_id}/officer-record/{decided.sign_off_id}",
    ]
    for base in links:
        assert f'href="{base}.html"' in page.text and f'href="{base}.pdf"' in page.text
        html, pdf = _both(web, base)
        assert TITLE in html and TITLE in _flat(pdf)
        for words in SECRETS:
            assert words not in html
            assert words not in _flat(pdf)
        assert VALUE_SHOWN not in html and VALUE_SHOWN not in _flat(pdf)
    for path in ("/transparency/contracts-register.html", "/transparency/contracts-register.pdf"):
        assert web.client.get(path).status_code == 200


def test_nothing_unpublished_is_served_to_the_public(
    web: WebClient,
    decided: Decided,
    engine: Engine,
    web_clock: FrozenClock,
    web_app_parts: Any,
) -> None:
    web.client.cookies.clear()
    assert web.client.get(f"/decisions/{decided.draft_id}/decision-notice.html").status_code == 404
    assert web.client.get(f"/decisions/{decided.draft_id}/decision-notice.pdf").status_code == 404
    other = f"/decisions/{decided.case_id}/officer-record/{decided.sign_off_id + 1}.html"
    assert web.client.get(other).status_code == 404
    # A case that does not exist answers as a draft does: which ids exist is not told.
    nowhere = web.client.get("/decisions/999999/decision-notice.html")
    draft = web.client.get(f"/decisions/{decided.draft_id}/decision-notice.html")
    assert nowhere.status_code == draft.status_code == 404
    assert DRAFT_TITLE not in draft.text
    # Democratic services correct the record's publication to Friday: until then it is
    # neither listed nor served.
    with _Work(engine, web_clock, web_app_parts[1]) as ctx:
        record_meeting_notice(
            ctx,
            decided.case_id,
            MeetingNoticeIn(kind="decision_record", published_on=date(2024, 9, 20)),  # type: ignore[arg-type]
            _user(ctx, web.seeded.user_ids["clerk"]),
        )
    record = f"/decisions/{decided.case_id}/officer-record/{decided.sign_off_id}.html"
    page = web.client.get("/decisions").text
    assert "Officer decision record" not in page
    assert "Cabinet decision notice" in page
    assert web.client.get(record).status_code == 404
    web_clock.travel_to(_at(2024, 9, 20))
    assert "Officer decision record" in web.client.get("/decisions").text
    assert web.client.get(record).status_code == 200
