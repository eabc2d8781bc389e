"""One agreement's page: what the register holds, and its procurement facts (SPEC §9) with a
form to record them where the register import had no column for them
(``workflow.register.agreements.update_procurement``). An agreement missing any fact is
flagged here and on the register, and may not be extended until it is recorded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from api.params import Id
from api.web import forms
from api.web.forms import Errors
from api.web.pages import Page, WebRoute, attempt, signed_in
from workflow.errors import Forbidden
from workflow.lifecycle.events import invalid_input
from workflow.models import Agreement, ContractType, ProcurementRegime
from workflow.procurement import facts
from workflow.register.agreements import change_refused, get_agreement, update_procurement
from workflow.register.cells import parse_pence
from workflow.register.read import AgreementScope
from workflow.schemas import AgreementProcurementIn

router = APIRouter(route_class=WebRoute)

REGIME_WORDS = {
    ProcurementRegime.pcr2015: "Public Contracts Regulations 2015",
    ProcurementRegime.pa2023: "Procurement Act 2023",
}
TYPE_WORDS = {t: t.value.capitalize() for t in ContractType}
FIELD_IDS = {
    "procurement_regime": "procurement_regime",
    "procurement_started_on": "procurement_started_on-day",
    "light_touch": "light_touch",
    "contract_type": "contract_type",
    "award_value_pence": "award_value",
    "award_max_months": "award_max_months",
    "extension_options_months": "extension_options_months",
}
LABELS = {
    "procurement_regime": "Procurement regime",
    "procurement_started_on": "Date the procurement began",
    "light_touch": "Light-touch contract",
    "contract_type": "Goods, services or works",
    "award_value_pence": "Value on award",
    "award_max_months": "Maximum term on award",
    "extension_options_months": "Extension options",
}


def _values(a: Agreement) -> dict[str, Any]:
    return {
        "procurement_regime": a.procurement_regime or "",
        "light_touch": "" if a.light_touch is None else ("yes" if a.light_touch else "no"),
        "contract_type": a.contract_type or "",
        "award_value": ""
        if a.award_value_pence is None
        else f"{a.award_value_pence // 100}.{a.award_value_pence % 100:02d}",
        "award_max_months": str(a.award_max_months or ""),
        "extension_options_months": str(a.extension_options_months or ""),
        "started": forms.parts_of(a.procurement_started_on),
    }


def _render(
    page: Page, agreement: Agreement, values: dict[str, Any], errors: Errors, status: int = 200
) -> Response:
    shown = AgreementScope(page.ctx, page.me).one(agreement)
    return page.render(
        "agreement.html",
        {
            "a": shown,
            "v": values,
            "missing": [facts.LABELS[n] for n in shown.procurement_missing],
            "may_change": change_refused(page.me, agreement, agreement.directorate) is None,
            "regimes": REGIME_WORDS,
            "types": TYPE_WORDS,
            "errors": errors.summary(),
            "error_of": errors.message,
            "date_items": forms.date_items(values["started"], "procurement_started_on", errors),
        },
        status,
    )


@router.get("/agreements/{agreement_id}")
def agreement_page(request: Request, agreement_id: Id) -> Response:
    with signed_in(request) as page:
        agreement = get_agreement(page.ctx, agreement_id)
        return _render(page, agreement, _values(agreement), Errors())


@router.post("/agreements/{agreement_id}")
def record_facts(request: Request, agreement_id: Id) -> Response:
    with signed_in(request) as page:
        agreement = get_agreement(page.ctx, agreement_id)
        refused_to = change_refused(page.me, agreement, agreement.directorate)
        if refused_to is not None:
            raise Forbidden(refused_to)
        form, errors = page.form, Errors()
        values: dict[str, Any] = {
            name: forms.text(form, name) or ""
            for name in (
                "procurement_regime",
                "light_touch",
                "contract_type",
                "award_value",
                "award_max_months",
                "extension_options_months",
            )
        }
        values["started"] = forms.date_parts(form, "procurement_started_on")
        body = _body(values, errors)
        if not errors:
            refused = attempt(page, lambda: _record(page, agreement_id, body))
            if refused is None:
                return page.redirect(
                    f"/agreements/{agreement_id}", flash="The procurement facts were recorded."
                )
            forms.absorb(refused, errors, FIELD_IDS, LABELS)
        return _render(page, agreement, values, errors, 400)


def _record(page: Page, agreement_id: int, body: dict[str, Any]) -> None:
    try:
        data = AgreementProcurementIn.model_validate(body)
    except ValidationError as exc:
        raise invalid_input(exc, "the procurement facts are not valid") from exc
    update_procurement(page.ctx, agreement_id, data, page.me)


def _body(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The form as ``AgreementProcurementIn``: every fact sent, blank ones as null."""
    started = forms.date_from(
        values["started"], "procurement_started_on", LABELS["procurement_started_on"], errors
    )
    try:
        award = parse_pence(values["award_value"] or None)
    except ValueError as exc:
        errors.add("award_value", f"Value on award: {exc}")
        award = None
    return {
        "procurement_regime": values["procurement_regime"] or None,
        "procurement_started_on": started,
        "light_touch": {"yes": True, "no": False}.get(values["light_touch"]),
        "contract_type": values["contract_type"] or None,
        "award_value_pence": award,
        "award_max_months": forms.number_from(
            values["award_max_months"], "award_max_months", LABELS["award_max_months"], errors
        ),
        "extension_options_months": forms.number_from(
            values["extension_options_months"],
            "extension_options_months",
            LABELS["extension_options_months"],
            errors,
        ),
    }
