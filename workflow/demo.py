"""The two real cases CouncilFlow was modelled on (SPEC §1), loaded through the service.

Used by ``councilflow demo`` and by the tests that drive both cases end to end, so the demo
can never drift from what the tests prove.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import select

from workflow.context import Ctx
from workflow.councils.councils import (
    admin_email,
    create_council,
    enter,
    find_council,
    get_council,
)
from workflow.db import enter_council
from workflow.errors import NotFound
from workflow.lifecycle.cases import create_case
from workflow.models import (
    Agreement,
    Case,
    ContractType,
    Council,
    Ground,
    ProcurementRegime,
    User,
    pk,
)
from workflow.people.users import create_user
from workflow.register.agreements import create_agreement
from workflow.schema import FIRST_COUNCIL_SLUG
from workflow.schemas import (
    AgreementIn,
    CaseIn,
    CouncilIn,
    ExemptPartIn,
    OptionIn,
    ProposalIn,
    PublicInterestIn,
    ReportIn,
    UserIn,
)

ASC = "Adult Social Care"


@dataclass
class DemoPerson:
    key: str
    name: str
    email: str
    roles: list[str]
    directorate: str | None = None


SEFTON_PEOPLE = [
    DemoPerson("officer", "Sam Officer", "sam.officer@sefton.example.gov.uk", ["officer"], ASC),
    DemoPerson(
        "clerk", "Dee Services", "dee.services@sefton.example.gov.uk", ["democratic_services"]
    ),
    DemoPerson(
        "executive",
        "Eve Director (Executive Director of Adult Social Care)",
        "eve.director@sefton.example.gov.uk",
        ["executive"],
        ASC,
    ),
    DemoPerson(
        "cabinet_member",
        "Cllr Cara Member (Cabinet Member for Adult Social Care)",
        "cara.member@sefton.example.gov.uk",
        ["cabinet_member"],
    ),
    # Sid chairs the overview and scrutiny committee: the office SI 2012/2089 regs 5(6), 10
    # and 11 look to first.
    DemoPerson(
        "scrutiny",
        "Cllr Sid Scrutiny",
        "sid.scrutiny@sefton.example.gov.uk",
        ["scrutiny", "scrutiny_chair"],
    ),
    DemoPerson("viewer", "Vic Viewer", "vic.viewer@sefton.example.gov.uk", ["viewer"]),
]

OLDHAM_PEOPLE = [
    DemoPerson(
        "oldham_officer",
        "Director of Adult Social Care (Oldham)",
        "dass@oldham.example.gov.uk",
        ["officer"],
        ASC,
    ),
]
# Oldham is a council of its own in the demo (issue 10): it needs its own clerk, executive,
# Cabinet member, scrutiny chair and viewer to walk its case, none of them Sefton's.
OLDHAM_COUNCIL_PEOPLE = [
    DemoPerson(
        "oldham_clerk", "Dan Services (Oldham)", "dan.services@oldham.example.gov.uk",
        ["democratic_services"],
    ),
    DemoPerson(
        "oldham_executive", "Olu Director (Oldham)", "olu.director@oldham.example.gov.uk",
        ["executive"], ASC,
    ),
    DemoPerson(
        "oldham_cabinet_member", "Cllr Omar Member (Oldham)",
        "omar.member@oldham.example.gov.uk", ["cabinet_member"],
    ),
    DemoPerson(
        "oldham_scrutiny", "Cllr Ola Scrutiny (Oldham)", "ola.scrutiny@oldham.example.gov.uk",
        ["scrutiny", "scrutiny_chair"],
    ),
    DemoPerson(
        "oldham_viewer", "Val Viewer (Oldham)", "val.viewer@oldham.example.gov.uk", ["viewer"]
    ),
]  # fmt: skip
SEFTON = ("Sefton Council", "sefton")
OLDHAM = ("Oldham Council", "oldham")

# Issue 12, fault 9: the Sefton minute names its providers but not what each contract is
# worth. The demo's annual values are invented, so they are attached to fictional providers,
# never to the real organisations in the minute.
SEFTON_PROVIDERS = [f"Fictional Day Opportunities Provider {n:02d} Ltd" for n in range(1, 14)]

# Which of the demo's facts come from the seeds (SPEC §1) and which are made up, for the
# demo's output (issue 12, fault 9).
PROVENANCE: list[tuple[str, str]] = [
    ("seed", "Sefton: thirteen Day Opportunities contracts, twelve months at most from 1 Oct 2024"),
    (
        "seed",
        "Sefton: Cabinet's own initial six months; a further six delegated to the Executive "
        "Director of Adult Social Care in consultation with the Cabinet Member",
    ),
    ("seed", "Sefton: the reasons and the alternative options considered and rejected"),
    (
        "seed",
        "Oldham: Cabinet 18 Sep 2023, item 7, SLA with Miocare Group CIC; three options; "
        "item 10 exempt; no delegation",
    ),
    (
        "seed",
        "Oldham: item 7 public (Part A: the options, the recommendation, the resolution); "
        "only item 10's commercially sensitive information exempt (Part B, Schedule 12A "
        "paragraph 3)",
    ),
    ("made up", "Sefton: the providers' names (fictional) and their annual values"),
    (
        "made up",
        "Sefton: when the procurement began, the value and five-year term on award, and the "
        "ground (reg 72(1)(c)); that the contracts are light-touch social care is the seed's",
    ),
    (
        "made up",
        "Oldham: the SLA's figures on award; that Miocare is the council's own company "
        "(in-house, PCR reg 12) is the seed's",
    ),
    ("made up", "Sefton: the meeting date 5 Sep 2024, agenda item and forward-plan date"),
    (
        "made up",
        "Oldham: the SLA's annual value, its start and end dates and the 24-month "
        "envelope of the proposal",
    ),
    (
        "made up",
        "Oldham: Part B's wording, who weighed the public interest (Schedule 12A para 10) "
        "and when, and the exemption's review (18 Sep 2024) and lapse (1 Oct 2025) dates",
    ),
    ("made up", "every person's name and email address"),
]

# Oldham's item 10, as Part B of item 7's report (issue 12, fault 4). The seed says only that
# item 10 held commercially sensitive information; the wording and the test are made up.
OLDHAM_PART_B = ExemptPartIn(
    paragraph=3,
    heading="Item 10: commercially sensitive information about the SLA with Miocare Group CIC",
    content=(
        "The prices and financial terms of the refreshed SLA, and information about the "
        "business affairs of Miocare Group CIC and Oldham Care and Support Ltd."
    ),
)
OLDHAM_PUBLIC_INTEREST_REASONS = (
    "Disclosing the SLA's prices and Miocare's business affairs while the SLA is negotiated "
    "and runs would prejudice the Council's and the company's commercial position; that "
    "outweighs the public interest in disclosure, which the public report of item 7 serves."
)


@dataclass
class Demo:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    sefton: Case | None = None
    oldham: Case | None = None
    councils: dict[str, Council] = field(default_factory=dict)


def load_people(ctx: Ctx, admin: User, people: list[DemoPerson], demo: Demo) -> None:
    for p in people:
        existing = ctx.session.exec(
            select(User).where(User.email == p.email, User.council_id == ctx.home)
        ).first()
        if existing is not None:
            demo.users[p.key] = existing
            continue
        user, token = create_user(
            ctx,
            UserIn(name=p.name, email=p.email, roles=p.roles, directorate=p.directorate),  # type: ignore[arg-type]
            admin,
        )
        demo.users[p.key], demo.tokens[p.key] = user, token


# Issue 9: each contract's procurement facts. Day Opportunities for adults are social care
# (PCR 2015 Sch 3), so light-touch; procured under the 2015 Regulations (begun before 24
# February 2025); five years on award with no extension option, so the twelve months rest on
# reg 72(1)(c) (the date the procurement began, the award figures and the ground are made up).
SEFTON_PROCUREMENT: dict[str, Any] = {
    "procurement_regime": ProcurementRegime.pcr2015,
    "procurement_started_on": date(2019, 3, 1),
    "light_touch": True,
    "contract_type": ContractType.services,
    "award_max_months": 60,
    "extension_options_months": None,
}
SEFTON_GROUND = Ground.unforeseeable

# Miocare Group CIC is Oldham Council's own company: a contract with it is exempt (PCR 2015
# reg 12), so no modification test applies.
OLDHAM_PROCUREMENT: dict[str, Any] = {
    "procurement_regime": ProcurementRegime.pcr2015,
    "procurement_started_on": date(2018, 5, 1),
    "light_touch": True,
    "contract_type": ContractType.services,
    "award_value_pence": 2_500_000_000 * 5,
    "award_max_months": 60,
    "extension_options_months": None,
}
OLDHAM_GROUND = Ground.in_house


def sefton_agreements(ctx: Ctx, author: User) -> list[Agreement]:
    out = []
    for n, provider in enumerate(SEFTON_PROVIDERS, start=1):
        out.append(
            create_agreement(
                ctx,
                AgreementIn(
                    reference=f"SEFTON-DAYOPS-{n:02d}",
                    title=f"Day Opportunities for adults — {provider}",
                    kind="contract",  # type: ignore[arg-type]
                    counterparty=provider,
                    directorate=ASC,
                    annual_value_pence=(180_000 + 15_000 * n) * 100,
                    start_date=date(2019, 10, 1),
                    end_date=date(2024, 9, 30),
                    **SEFTON_PROCUREMENT,
                    award_value_pence=(180_000 + 15_000 * n) * 100 * 5,
                ),
                author,
            )
        )
    return out


def sefton_case_in(agreement_ids: list[int]) -> CaseIn:
    return CaseIn(
        kind="extension",  # type: ignore[arg-type]
        title="Day Opportunities contracts: extension for up to twelve months",
        directorate=ASC,
        agreement_ids=agreement_ids,
        meeting_date=date(2024, 9, 5),
        agenda_item="6",
        key_decision=True,
        forward_plan_published_on=date(2024, 6, 28),
        proposal=ProposalIn(
            start_date=date(2024, 10, 1), initial_months=6, max_months=12, ground=SEFTON_GROUND
        ),
        report=ReportIn(
            summary=(
                "Thirteen existing Day Opportunities contracts end on 30 September 2024. To allow "
                "a compliant procurement, extend them for a maximum of twelve months from 1 "
                "October 2024: an initial six months, with the option of a further six months "
                "approved by the Executive Director of Adult Social Care in consultation with "
                "the Cabinet Member for Adult Social Care."
            ),
            options=[
                OptionIn(
                    label="Let the contracts end",
                    description="Allow the contracts to expire on 30 September 2024.",
                    rejected_reason="Service users would lose their day services.",
                ),
                OptionIn(
                    label="Direct award of new long-term contracts",
                    description="Award new contracts to the current providers without competition.",
                    rejected_reason="Not compliant with the Procurement Regulations.",
                ),
                OptionIn(
                    label="Extend for up to twelve months",
                    description=(
                        "An initial six-month extension with the option of a further six months."
                    ),
                ),
            ],
            recommended_option="Extend for up to twelve months",
            reasons="Buys time for a compliant procurement without a gap in services.",
            financial_implications="Met from the existing Adult Social Care day services budget.",
        ),
    )


def oldham_agreement(ctx: Ctx, author: User) -> Agreement:
    """The Miocare SLA: services delivered through Oldham Care and Support Ltd."""
    return create_agreement(
        ctx,
        AgreementIn(
            reference="OLDHAM-SLA-MIOCARE",
            title="SLA: services delivered through Oldham Care and Support Ltd",
            kind="sla",  # type: ignore[arg-type]
            counterparty="Miocare Group CIC",
            directorate=ASC,
            annual_value_pence=2_500_000_000,
            start_date=date(2018, 10, 1),
            end_date=date(2023, 9, 30),
            **OLDHAM_PROCUREMENT,
        ),
        author,
    )


def oldham_case_in(agreement_ids: list[int], public_interest_by: int | None = None) -> CaseIn:
    """Item 7 with item 10 as its Part B: only item 10's information is exempt, so the
    options, the value, the resolution and any urgency reason stay public. The
    public-interest test is recorded when ``public_interest_by`` (who weighed it) is given."""
    test = None
    if public_interest_by is not None:
        test = PublicInterestIn(
            decided_by_id=public_interest_by,
            decided_on=date(2023, 8, 18),
            reasons=OLDHAM_PUBLIC_INTEREST_REASONS,
        )
    return CaseIn(
        kind="sla_refresh",  # type: ignore[arg-type]
        title="Service Level Agreement with Miocare Group CIC",
        directorate=ASC,
        agreement_ids=agreement_ids,
        meeting_date=date(2023, 9, 18),
        agenda_item="7",
        key_decision=True,
        forward_plan_published_on=date(2023, 8, 20),
        exempt_parts=[OLDHAM_PART_B],
        public_interest=test,
        exemption_review_on=date(2024, 9, 18),
        exemption_lapses_on=date(2025, 10, 1),
        private_notice_published_on=date(2023, 8, 18),
        # The further notice of SI 2012/2089 reg 5(4), due by Tue 12 Sep for Mon 18 Sep.
        private_further_notice_published_on=date(2023, 9, 8),
        proposal=ProposalIn(
            start_date=date(2023, 10, 1), initial_months=12, max_months=24, ground=OLDHAM_GROUND
        ),
        report=ReportIn(
            summary=(
                "Approve a refreshed SLA for services delivered through Oldham Care and Support "
                "Ltd, and a commitment to develop SLAs for services Miocare buys back from the "
                "Council. Commercially sensitive information is at item 10 (exempt)."
            ),
            options=[
                OptionIn(
                    label="Do nothing",
                    description="Continue under the existing SLA.",
                    rejected_reason="The existing SLA no longer reflects the services delivered.",
                ),
                OptionIn(
                    label="Wait",
                    description="Defer a new SLA until the wider review concludes.",
                    rejected_reason="Leaves the Council without clear service terms meanwhile.",
                ),
                OptionIn(label="Enter a new SLA", description="Approve the refreshed SLA."),
            ],
            recommended_option="Enter a new SLA",
            reasons="Gives clear, current terms for services delivered by the Council's company.",
            financial_implications="Set out in the exempt report at item 10.",
        ),
    )


def load(ctx: Ctx, admin: User) -> Demo:
    """Users, agreements and both cases as drafts, ready to be walked through, as two
    councils (issue 10): Sefton is ``admin``'s council (``ctx``'s: the first, from the command
    line, renamed Sefton while it still has its installed name), and Oldham a council of its
    own, with its own admin and people, which no one of Sefton can see."""
    demo = Demo()
    demo.users["admin"] = admin
    sefton = get_council(ctx, admin.council_id)
    if sefton.slug == FIRST_COUNCIL_SLUG:
        sefton.name, sefton.slug = SEFTON
        ctx.session.add(sefton)
    demo.councils["sefton"] = sefton
    load_people(ctx, admin, SEFTON_PEOPLE, demo)
    officer = demo.users["officer"]
    agreements = sefton_agreements(ctx, officer)
    demo.sefton = create_case(ctx, sefton_case_in([a.id for a in agreements]), officer)  # type: ignore[misc]
    demo.oldham = _oldham(ctx, demo)
    return demo


def _oldham(ctx: Ctx, demo: Demo) -> Case:
    """Oldham's council, people, SLA and case, made within Oldham (its own ``Ctx``)."""
    name, slug = OLDHAM
    try:
        council = find_council(Ctx(ctx.session, ctx.clock, ctx.settings), slug)
        inside = enter(Ctx(ctx.session, ctx.clock, ctx.settings), council)
        oldham_admin = ctx.session.exec(
            select(User).where(User.council_id == council.id, User.email == admin_email(slug))
        ).one()
    except NotFound:
        council, oldham_admin, token = create_council(ctx, CouncilIn(name=name, slug=slug), None)
        inside = enter(Ctx(ctx.session, ctx.clock, ctx.settings), council)
        demo.tokens["oldham_admin"] = token
    demo.councils["oldham"] = council
    demo.users["oldham_admin"] = oldham_admin
    load_people(inside, oldham_admin, OLDHAM_PEOPLE + OLDHAM_COUNCIL_PEOPLE, demo)
    oldham_officer = demo.users["oldham_officer"]
    miocare = oldham_agreement(inside, oldham_officer)
    case = create_case(
        inside,
        oldham_case_in([pk(miocare.id)], public_interest_by=pk(oldham_officer.id)),
        oldham_officer,
    )
    if ctx.council_id is not None:
        enter_council(ctx.session, ctx.council_id)
    return case
