"""A draft contract change notice as an Open Contracting Data Standard (OCDS 1.1) release
package: one release per agreement the case modifies, since each contract is its own
contracting process (its own ``ocid``).

The Procurement Act 2023 s.75 asks for a contract change notice before a modification takes
effect, and the UK's notices are published as OCDS releases; a modification of a live
contract is the release tag ``contractAmendment``, carrying the contract as modified and one
``amendments`` entry whose ``rationale`` is the lawful ground the council relies on (SPEC §9:
the proposal's ``ground``) and whose ``description`` says what changes.

It is a draft: the council checks it and publishes it through the central platform, so the
release ``id`` names the case and the document's date, not a platform's notice number. Every
figure and date comes from the read scopes, so an exempt case's hidden facts stay hidden here
too (``CaseOut.proposal``, ``AgreementOut.annual_value_pence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from workflow import timerules
from workflow.context import Ctx
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.read import CaseOut, CaseScope, Redaction
from workflow.models import User, pk
from workflow.register.read import AgreementOut, AgreementScope

OCDS_VERSION = "1.1"
TAG = "contractAmendment"
BUYER_ID = "buyer"

# The words and citations of each lawful ground (SPEC §9), for the amendment's rationale.
GROUNDS: dict[str, str] = {
    "provided_for": (
        "Provided for in the contract (Public Contracts Regulations 2015 reg 72(1)(a); "
        "Procurement Act 2023 Schedule 8 paragraph 1)"
    ),
    "additional": (
        "Additional goods, services or works (Public Contracts Regulations 2015 reg 72(1)(b))"
    ),
    "unforeseeable": (
        "Circumstances a diligent authority could not have foreseen (Public Contracts "
        "Regulations 2015 reg 72(1)(c); Procurement Act 2023 Schedule 8)"
    ),
    "not_substantial": (
        "Not a substantial modification (Public Contracts Regulations 2015 reg 72(1)(e); "
        "Procurement Act 2023 s.74)"
    ),
    "below_threshold": (
        "Below-threshold modification (Public Contracts Regulations 2015 reg 72(5); "
        "Procurement Act 2023 s.74)"
    ),
    "in_house": (
        "A contract with a body the council controls, exempt from the procurement rules "
        "(Public Contracts Regulations 2015 reg 12; Procurement Act 2023 Schedule 2 paragraph 2)"
    ),
    "replacement_contractor": (
        "A new contractor replacing the original one (Public Contracts Regulations 2015 "
        "reg 72(1)(d))"
    ),
    "urgency": "Urgency and the protection of life (Procurement Act 2023 Schedule 8)",
    "known_risk": "The materialisation of a known risk (Procurement Act 2023 Schedule 8)",
}


def ground_of(case: CaseOut) -> str | None:
    """The proposal's lawful ground as the read scope shows it (``ProposalOut.ground``, which
    the procurement work adds; absent before it lands)."""
    ground = getattr(case.proposal, "ground", None)
    return None if ground is None else str(ground)


def rationale(ground: str | None) -> str | None:
    if ground is None:
        return None
    return GROUNDS.get(ground, ground.replace("_", " "))


@dataclass(frozen=True)
class ContractChangeNotice:
    """The release package, and what the page says beside it: the case's title and, for a
    reader not entitled to its exempt content, the redaction notice the read scope gave."""

    title: str
    package: dict[str, Any]
    redacted: Redaction | None


def contract_change_notice(ctx: Ctx, bundle: CaseBundle, viewer: User) -> ContractChangeNotice:
    case = CaseScope(ctx, viewer).one(bundle)
    return ContractChangeNotice(
        title=case.title,
        package=contract_change_package(ctx, bundle, viewer, case),
        redacted=case.redacted,
    )


def contract_change_package(
    ctx: Ctx, bundle: CaseBundle, viewer: User, case: CaseOut | None = None
) -> dict[str, Any]:
    """The release package of the case's draft contract change notice, for ``viewer``."""
    case = case or CaseScope(ctx, viewer).one(bundle)
    agreements = AgreementScope(ctx, viewer).read(bundle.agreements)
    now = ctx.clock.now()
    return {
        "uri": f"{ctx.settings.base_url.rstrip('/')}/cases/{case.id}/documents/"
        "contract-change-notice.json",
        "version": OCDS_VERSION,
        "publishedDate": _instant(now),
        "publisher": {"name": ctx.settings.council_name},
        "releases": [_release(ctx, case, a, now) for a in agreements],
    }


def _release(ctx: Ctx, case: CaseOut, agreement: AgreementOut, now: datetime) -> dict[str, Any]:
    ocid = f"{ctx.settings.ocds_prefix}-{agreement.reference}"
    start, end = _new_term(case)
    contract: dict[str, Any] = {
        "id": agreement.reference,
        "awardID": agreement.reference,
        "title": agreement.title,
        "status": "active",
        "period": {
            "startDate": _day(agreement.start_date),
            "endDate": _day(end or agreement.end_date),
        },
        "amendments": [_amendment(case, start, end, agreement, now)],
    }
    if agreement.description:
        contract["description"] = agreement.description
    return {
        "ocid": ocid,
        "id": f"{ocid}-case-{case.id}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _instant(now),
        "tag": [TAG],
        "initiationType": "tender",
        "language": "en",
        "parties": [
            {"id": BUYER_ID, "name": ctx.settings.council_name, "roles": ["buyer"]},
            _supplier(agreement),
        ],
        "buyer": {"id": BUYER_ID, "name": ctx.settings.council_name},
        "contracts": [contract],
    }


def _amendment(
    case: CaseOut, start: date | None, end: date | None, agreement: AgreementOut, now: datetime
) -> dict[str, Any]:
    amendment: dict[str, Any] = {"id": f"case-{case.id}", "date": _instant(now)}
    said = rationale(ground_of(case))
    if said is not None:
        amendment["rationale"] = said
    if start is not None and end is not None:
        change = f"The term is extended from {start:%d %B %Y} to {end:%d %B %Y}"
        if agreement.annual_value_pence is not None:
            change += f", at an annual value of £{agreement.annual_value_pence / 100:,.2f}"
        amendment["description"] = f"{case.title}: {change}."
    else:
        amendment["description"] = case.title
    return amendment


def _new_term(case: CaseOut) -> tuple[date | None, date | None]:
    """The term the modification gives: the term signed off, else the proposal's first term
    (its months are exempt content for some viewers, and then no end date is given)."""
    if case.term is not None and case.term.end_date is not None:
        return case.term.start_date, case.term.end_date
    start, months = case.proposal.start_date, case.proposal.initial_months
    if start is None or months is None:
        return start, None
    return start, timerules.term_end(start, months)


def _supplier(agreement: AgreementOut) -> dict[str, Any]:
    """The supplier as an OCDS organisation, identified by its Companies House (GB-COH) or
    Charity Commission (GB-CHC) number where the register knows it (org-id.guide schemes)."""
    party: dict[str, Any] = {"name": agreement.counterparty, "roles": ["supplier"]}
    if agreement.companies_house_number:
        scheme, number = "GB-COH", agreement.companies_house_number
    elif agreement.charity_number:
        scheme, number = "GB-CHC", agreement.charity_number
    else:
        party["id"] = f"supplier-{pk(agreement.id)}"
        return party
    party["id"] = f"{scheme}-{number}"
    party["identifier"] = {"scheme": scheme, "id": number, "legalName": agreement.counterparty}
    return party


def _day(d: date) -> str:
    """OCDS dates are date-times; a date-only fact is midnight, in UTC (``Z``)."""
    return f"{d.isoformat()}T00:00:00Z"


def _instant(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
