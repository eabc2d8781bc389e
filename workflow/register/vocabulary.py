"""The contract register's vocabulary: what each column the Local Government Transparency Code
2015 asks for is called in the registers councils actually publish.

Every council words its header a little differently, and one council's wording drifts from year
to year, so a header is matched on what distinguishes it (``header_key``), never on its exact
spelling. This module holds only names; reading cells and rows is ``cells`` and ``rows``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from workflow.errors import FieldProblem

__all__ = [
    "ALIASES",
    "EXPORT_HEADER",
    "REQUIRED",
    "STORED",
    "header_key",
    "map_columns",
    "missing_problem",
    "missing_required",
]


# Each field's accepted spellings, normalised by ``header_key`` and in order of preference:
# when a register has two columns for one field (both "Directorate" and "Service Area"), the
# earlier spelling here wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "reference": (
        "referencenumber",
        "reference",
        "contractreference",
        "contractreferencenumber",
        "contractref",
        "contractrefno",
        "ref",
        "refno",
        "referenceno",
        "contractnumber",
        "contractno",
        "contractid",
        "agreementreference",
        "agreementreferencenumber",
    ),
    "title": (
        "titleofagreement",
        "contracttitle",
        "title",
        "agreementtitle",
        "titleofcontract",
        "contractname",
        "nameofcontract",
        "nameofagreement",
    ),
    "description": (
        "description",
        "descriptionofgoodsandservices",
        "descriptionofgoodsandorservices",
        "descriptionofgoodsandorservicesbeingprovided",
        "descriptionofgoodsandservicesbeingprovided",
        "descriptionofthegoodsandorservicesbeingprovided",
        "contractdescription",
        "descriptionofcontract",
        "descriptionofservices",
        "summary",
    ),
    "supplier": (
        "suppliername",
        "supplier",
        "nameofsupplier",
        "suppliernameanddetails",
        "contractor",
        "contractorname",
        "provider",
        "providername",
        "counterparty",
    ),
    "companies_house_number": (
        "companyregistrationnumber",
        "companieshousenumber",
        "registeredcompanynumber",
        "companynumber",
        "companyregistrationno",
        "companyregno",
        "companyno",
        "companieshouseno",
        "companieshouseregistrationnumber",
        "suppliercompanyregistrationnumber",
    ),
    "charity_number": (
        "charityregistrationnumber",
        "charitynumber",
        "registeredcharitynumber",
        "charityregistrationno",
        "charityregno",
        "charityno",
    ),
    "sme": (
        "sme",
        "issme",
        "smeflag",
        "suppliersme",
        "smallormediumenterprise",
        "smallormediumsizedenterprise",
        "smallormediumsizeenterprise",
        "smallandmediumenterprise",
    ),
    "vcse": (
        "vcse",
        "isvcse",
        "vcseflag",
        "voluntaryorcommunitysector",
        "voluntaryorcommunitysectororganisation",
        "voluntaryandcommunitysector",
        "voluntarycommunityandsocialenterprise",
        "voluntarycommunityorsocialenterprise",
    ),
    # One column saying "SME", "VCSE", "Both" or "Neither": read only when the register has no
    # separate SME or VCSE column.
    "sme_vcse": ("smevcse", "smeorvcse", "smeandvcse", "smeorvcsestatus", "smevcsestatus"),
    "directorate": (
        "directorate",
        "department",
        "departmentresponsible",
        "localauthoritydepartmentresponsible",
        "responsibledepartment",
        "responsibledirectorate",
        "councildepartment",
        "servicearea",
        "service",
    ),
    "start_date": (
        "startdate",
        "contractstartdate",
        "agreementstartdate",
        "start",
        "commencementdate",
    ),
    "end_date": (
        "enddate",
        "contractenddate",
        "agreementenddate",
        "currentenddate",
        "end",
        "expirydate",
        "contractexpirydate",
    ),
    "review_date": ("reviewdate", "contractreviewdate", "nextreviewdate"),
    "annual_value": (
        "annualvalue",
        "estimatedannualvalue",
        "annualcontractvalue",
        "estimatedannualspend",
        "estimatedannualspendingorbudget",
        "annualspend",
        "annualbudget",
        "valueperannum",
    ),
    # An unqualified "Value" is the Code's first alternative: the sum over the whole contract.
    "total_value": (
        "totalvalue",
        "totalcontractvalue",
        "contractvalue",
        "valueofagreement",
        "valueofcontract",
        "totalvalueofcontract",
        "value",
        "estimatedtotalvalue",
        "estimatedcontractvalue",
        "wholelifevalue",
        "wholelifecontractvalue",
        "lifetimevalue",
        "sumtobepaidoverthelengthofthecontract",
    ),
    # Issue 9 (SPEC §9): the procurement facts, where a council's register keeps them.
    "procurement_regime": (
        "procurementregime",
        "regime",
        "procurementlegislation",
        "procurementlaw",
        "procurementregulations",
    ),
    "procurement_started_on": (
        "procurementstartdate",
        "procurementstarted",
        "procurementstartedon",
        "procurementcommenced",
        "procurementcommencementdate",
        "dateprocurementbegan",
    ),
    "light_touch": ("lighttouch", "lighttouchregime", "lighttouchcontract", "lighttouchservices"),
    "contract_type": (
        "contracttype",
        "typeofcontract",
        "goodsservicesorworks",
        "goodsservicesworks",
        "supplyservicesorworks",
    ),
    "award_value": (
        "awardvalue",
        "valueonaward",
        "contractvalueonaward",
        "originalcontractvalue",
        "initialcontractvalue",
        "awardedvalue",
    ),
    "award_max_months": (
        "maximumterm",
        "maximumtermonaward",
        "maximumtermmonths",
        "maximumcontractterm",
        "maxterm",
        "maxtermmonths",
    ),
    "extension_options_months": (
        "extensionoptions",
        "extensionoptionsmonths",
        "optionstoextend",
        "optiontoextend",
        "extensionperiod",
        "extensionoption",
        "permittedextension",
    ),
    # Published under the Code but with nowhere to go in an agreement: recognised, not stored.
    "vat_not_recoverable": (
        "vatnotrecoverable",
        "vatthatcannotberecovered",
        "irrecoverablevat",
        "nonrecoverablevat",
        "vatnonrecoverable",
        "unrecoverablevat",
    ),
}

_ALIAS_RANK: dict[str, tuple[str, int]] = {
    alias: (name, rank) for name, aliases in ALIASES.items() for rank, alias in enumerate(aliases)
}

# Fields a row cannot be an agreement without; "value" is either an annual or a total column.
REQUIRED: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "title": ("title",),
    "supplier": ("supplier",),
    "directorate": ("directorate",),
    "start date": ("start_date",),
    "end date": ("end_date",),
    "value": ("annual_value", "total_value"),
}

_EXAMPLE_HEADER = {
    "reference": "Reference Number",
    "title": "Title of Agreement",
    "supplier": "Supplier Name",
    "directorate": "Department or Directorate",
    "start date": "Start Date",
    "end date": "End Date",
    "value": "Total Value or Annual Value",
}

STORED = frozenset(ALIASES) - {"vat_not_recoverable"}

# The header the service writes when it exports the register, field by field in column order:
# the first spelling of ``ALIASES`` as the Code's own guidance words it, so that an export read
# back by the import lands every field where it came from. The Code has no kind column (an SLA
# is known by its title), and the value is the annual one the agreement stores.
EXPORT_HEADER: dict[str, str] = {
    "reference": "Reference Number",
    "title": "Title of Agreement",
    "description": "Description",
    "supplier": "Supplier Name",
    "companies_house_number": "Company Registration Number",
    "charity_number": "Charity Registration Number",
    "sme": "SME",
    "vcse": "VCSE",
    "directorate": "Directorate",
    "start_date": "Start Date",
    "end_date": "End Date",
    "review_date": "Review Date",
    "annual_value": "Annual Value",
    "procurement_regime": "Procurement Regime",
    "procurement_started_on": "Procurement Start Date",
    "light_touch": "Light Touch",
    "contract_type": "Contract Type",
    "award_value": "Award Value",
    "award_max_months": "Maximum Term (months)",
    "extension_options_months": "Extension Options (months)",
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOISE_SUFFIXES = (
    "excludingvat",
    "includingvat",
    "exclusiveofvat",
    "inclusiveofvat",
    "exvat",
    "excvat",
    "exclvat",
    "incvat",
    "inclvat",
    "gbp",
    "pounds",
)


def header_key(header: str) -> str:
    """A header reduced to what distinguishes it: "Contract Value (£, ex VAT)" -> "contractvalue".

    Brackets, case, spacing, punctuation and a trailing VAT or currency note vary between
    councils (and between one year's register and the next) without changing the column's
    meaning, so none of them may decide whether it is recognised.
    """
    text = unicodedata.normalize("NFKC", header).replace("\ufeff", "").lower()
    text = _BRACKETED.sub(" ", text).replace("&", "and")
    key = re.sub(r"[^a-z0-9]", "", text)
    for suffix in _NOISE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key.removesuffix(suffix)
            break
    return key


def map_columns(header: Sequence[str]) -> dict[str, int]:
    """Field -> column index, taking the most preferred spelling when several columns match."""
    best: dict[str, tuple[int, int]] = {}
    for index, name in enumerate(header):
        hit = _ALIAS_RANK.get(header_key(name))
        if hit is None:
            continue
        field_name, rank = hit
        if field_name not in best or rank < best[field_name][0]:
            best[field_name] = (rank, index)
    return {name: index for name, (_rank, index) in best.items()}


def missing_required(columns: dict[str, int]) -> list[str]:
    """The required fields (by their labels) no column of ``columns`` gives."""
    return [label for label, names in REQUIRED.items() if not any(n in columns for n in names)]


def missing_problem(label: str) -> FieldProblem:
    """The problem for one required column the file lacks, with a spelling it could use."""
    return FieldProblem(
        field=label, message=f"no column for the {label} (e.g. {_EXAMPLE_HEADER[label]!r})"
    )
