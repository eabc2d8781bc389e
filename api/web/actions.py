"""Firing an event from a page, recording a consultation, and the two-step sign-off.

Each goes through the same domain call as the API (``workflow.lifecycle.events.fire``,
``workflow.lifecycle.consultations.record_consultation``) with the version the viewer saw, so a form
left open while someone else acted is refused rather than applied to a case that moved on.
A refusal re-renders the form with the GOV.UK error summary: one line per failing guard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.params import Id
from api.web import event_forms, forms, queries
from api.web.cases import PAGE_EVENTS_EXCLUDED, may_record_consultation
from api.web.forms import Errors
from api.web.labels import event_label
from api.web.pages import Page, WebRoute, attempt, signed_in
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.lifecycle.consultations import record_consultation, still_to_consult
from workflow.lifecycle.decision import decide
from workflow.lifecycle.events import fire
from workflow.lifecycle.machine import EVENTS
from workflow.lifecycle.read import ground_check
from workflow.models import User
from workflow.procurement.grounds import GROUND_WORDS
from workflow.schemas import ConsultationIn

router = APIRouter(route_class=WebRoute)

DONE = {
    "submit": "The case was submitted to Cabinet.",
    "defer": "Cabinet's deferral was recorded.",
    "refer_back": "The case was referred back to its author.",
    "approve": "Cabinet's approval and delegation were recorded.",
    "reject": "Cabinet's rejection was recorded.",
    "call_in": "The decision was called in.",
    "sign_off": "You signed off the term.",
    "extend": "A further term was asked for; it now waits for the delegate.",
    "withdraw": "The case was withdrawn.",
}


def _bundle(page: Page, case_id: int) -> CaseBundle:
    return load(page.ctx, get_case(page.ctx, case_id))


def _event(event: str) -> str:
    if event not in EVENTS or event in PAGE_EVENTS_EXCLUDED:
        raise NotFound(f"there is no action called '{event}'")
    return event


def _version(page: Page) -> int | None:
    try:
        return int(str(page.form.get("version", "")))
    except ValueError:
        return None


def _form_values(page: Page, event: str) -> dict[str, Any]:
    """What to show in each field: what was posted, else the field's sensible default."""
    values: dict[str, Any] = {}
    for w in event_forms.widgets(event):
        if w.kind == "date":
            values[w.name] = forms.date_parts(page.form, w.name)
        else:
            values[w.name] = page.form.get(w.name, "")
    return values


def _defaults(page: Page, bundle: CaseBundle, event: str) -> dict[str, Any]:
    case = bundle.case
    values: dict[str, Any] = {}
    for w in event_forms.widgets(event):
        values[w.name] = forms.parts_of(None) if w.kind == "date" else ""
        if w.kind == "text" and isinstance(w.default, str):
            values[w.name] = w.default
    if event == "approve":
        values["decided_on"] = forms.parts_of(case.meeting_date)
        values["notice_published_on"] = forms.parts_of(None)
    if event == "sign_off" and bundle.delegation is not None:
        left = bundle.months_left
        initial = case.proposal_initial_months or left
        values["months"] = str(min(initial, left)) if left > 0 else ""
    return values


def _render_event(
    page: Page, bundle: CaseBundle, event: str, values: dict[str, Any], errors: Errors
) -> Response:
    ws = event_forms.widgets(event)
    people: dict[str, list[User]] = {
        w.name: event_forms.people_for(page.ctx, w) for w in ws if w.kind == "person"
    }
    decision = decide(page.ctx, bundle, page.me, event)
    blocked = event_forms.why_not(decision)
    return page.render(
        "event.html",
        {
            "case": bundle.case,
            "event": event,
            "spec": EVENTS[event],
            "widgets": ws,
            "values": values,
            "people": people,
            "errors": errors.summary(),
            "error_of": errors.message,
            "date_items": lambda name: forms.date_items(values.get(name, {}), name, errors),
            "blocked": blocked,
            "out_of_reach": decision.out_of_reach,
            "confirm_step": event == "sign_off",
        },
        status_code=400 if errors else 200,
    )


@router.get("/cases/{case_id}/events/{event}")
def event_form(request: Request, case_id: Id, event: str) -> Response:
    with signed_in(request) as page:
        event = _event(event)
        bundle = _bundle(page, case_id)
        return _render_event(page, bundle, event, _defaults(page, bundle, event), Errors())


@router.post("/cases/{case_id}/events/{event}")
def event_post(request: Request, case_id: Id, event: str) -> Response:
    with signed_in(request) as page:
        event = _event(event)
        bundle = _bundle(page, case_id)
        errors = Errors()
        payload = event_forms.read(page.form, event, errors)
        values = _form_values(page, event)
        if errors:
            return _render_event(page, bundle, event, values, errors)
        if event == "sign_off" and page.form.get("step") != "confirm":
            return _sign_off_check(page, bundle, payload, values)
        refused = attempt(
            page,
            lambda: fire(
                page.ctx, case_id, event, page.me, payload, expected_version=_version(page)
            ),
        )
        if refused is not None:
            forms.absorb(
                refused, errors, event_forms.field_ids(event), event_forms.field_labels(event)
            )
            return _render_event(page, _bundle(page, case_id), event, values, errors)
        return page.redirect(f"/cases/{case_id}", flash=DONE.get(event, "Done."))


def _sign_off_check(
    page: Page, bundle: CaseBundle, payload: dict[str, Any], values: dict[str, Any]
) -> Response:
    """The confirm step: the envelope left and where the term would end, before anything is
    signed. The preview is the domain's own decision on this payload (``decide``), so the
    confirm page is never shown for a sign-off the domain would refuse."""
    errors = Errors()
    decision = decide(page.ctx, bundle, page.me, "sign_off", payload)
    if decision.problems:
        refusal = decision.refusal()
        assert isinstance(refusal, InvalidInput)
        forms.absorb(
            refusal,
            errors,
            event_forms.field_ids("sign_off"),
            event_forms.field_labels("sign_off"),
        )
        return _render_event(page, bundle, "sign_off", values, errors)
    if decision.outcome is None:
        errors.general.extend(event_forms.why_not(decision))
        return _render_event(page, bundle, "sign_off", values, errors)
    delegation = bundle.delegation
    assert delegation is not None
    start, end = decision.outcome.term_start, decision.outcome.term_end
    months = int(payload["months"])
    return page.render(
        "sign_off_confirm.html",
        {
            "case": bundle.case,
            "delegation": delegation,
            "months_used": bundle.months_used,
            "months_left": bundle.months_left,
            "months": months,
            "start": start,
            "end": end,
            "payload": payload,
            "agreement_count": len(bundle.agreements),
            "ground_check": ground_check(page.ctx, bundle, page.me, "sign_off", payload),
            "ground_words": GROUND_WORDS,
        },
    )


# --- consultations ------------------------------------------------------------------------


def _render_consultation(
    page: Page, bundle: CaseBundle, values: dict[str, Any], errors: Errors
) -> Response:
    d = bundle.delegation
    named = d.consultees() if d else []
    return page.render(
        "consultation.html",
        {
            "case": bundle.case,
            "named": queries.names(page.ctx, set(named)),
            "named_ids": named,
            # Only those still to be consulted are offered (issue 12, fault 8).
            "choices": still_to_consult(page.ctx, bundle, page.me),
            "values": values,
            "errors": errors.summary(),
            "error_of": errors.message,
            "date_items": lambda name: forms.date_items(values.get(name, {}), name, errors),
            "may_consult": may_record_consultation(page, bundle),
        },
        status_code=400 if errors else 200,
    )


CONSULTATION_FIELDS = {
    "consultee_id": "consultee_id",
    "consulted_on": "consulted_on-day",
    "response": "response",
}
CONSULTATION_LABELS = {
    "consultee_id": "Who was consulted",
    "consulted_on": "Date of the consultation",
    "response": "What they said",
}


@router.get("/cases/{case_id}/consultation")
def consultation_form(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = _bundle(page, case_id)
        values = {
            "consultee_id": "",
            "consulted_on": forms.parts_of(page.ctx.today()),
            "response": "",
        }
        return _render_consultation(page, bundle, values, Errors())


@router.post("/cases/{case_id}/consultation")
def consultation_post(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = _bundle(page, case_id)
        errors = Errors()
        values = {
            "consultee_id": page.form.get("consultee_id", ""),
            "consulted_on": forms.date_parts(page.form, "consulted_on"),
            "response": page.form.get("response", ""),
        }
        consulted_on = forms.date_field(
            page.form, "consulted_on", CONSULTATION_LABELS["consulted_on"], errors
        )
        response = forms.text(page.form, "response")
        consultee_id = forms.whole_number(
            page.form, "consultee_id", CONSULTATION_LABELS["consultee_id"], errors
        )
        if consultee_id is None:  # (a number that is not whole keeps its own message)
            errors.add("consultee_id", "Choose who was consulted")
        if consulted_on is None and not errors:
            errors.add("consulted_on-day", "Enter the date of the consultation")
        if response is None:
            errors.add("response", "Enter what the consultee said")
        if errors:
            return _render_consultation(page, bundle, values, errors)
        assert consultee_id is not None and consulted_on is not None and response is not None
        refused = _record(page, case_id, consultee_id, consulted_on, response)
        if refused is not None:
            forms.absorb(refused, errors, CONSULTATION_FIELDS, CONSULTATION_LABELS)
            return _render_consultation(page, _bundle(page, case_id), values, errors)
        return page.redirect(f"/cases/{case_id}", flash="The consultation was recorded.")


def _record(page: Page, case_id: int, consultee_id: int, consulted_on: date, response: str) -> Any:
    data = ConsultationIn(consultee_id=consultee_id, consulted_on=consulted_on, response=response)
    return attempt(
        page,
        lambda: record_consultation(page.ctx, case_id, data, page.me, _version(page)),
    )


__all__ = ["event_label", "router"]
